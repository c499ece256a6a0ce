//! Staying within the portal's limits: the client-side leaky bucket, the retry policy with
//! backoff, and the per-method execution-time blocks (OPERATION_TIME_LIMIT).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

// tokio's clock, so that tests can pause and advance time.
use tokio::time::Instant;

/// The portal's request-rate limit: a leaky bucket that drains `rate` requests per second and
/// refuses requests beyond `burst` with `QUERY_LIMIT_EXCEEDED`.
///
/// ```
/// use bitrix_api::{ClientBuilder, RateLimit};
///
/// let client = ClientBuilder::webhook("https://example.bitrix24.com/rest/1/code/")?
///     .rate_limit(Some(RateLimit::ENTERPRISE)) // 5 requests/s, a burst of 250
///     .build()?;
/// # Ok::<(), bitrix_api::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Requests per second the bucket drains.
    pub rate: f64,
    /// Requests the bucket holds before the portal refuses.
    pub burst: u32,
}

impl RateLimit {
    /// Every plan but Enterprise: 2 requests/s, burst 50.
    pub const STANDARD: RateLimit = RateLimit {
        rate: 2.0,
        burst: 50,
    };
    /// Enterprise plans: 5 requests/s, burst 250.
    pub const ENTERPRISE: RateLimit = RateLimit {
        rate: 5.0,
        burst: 250,
    };
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit::STANDARD
    }
}

/// The longest a method waits for its `OPERATION_TIME_LIMIT` block: the portal's window.
const MAX_BLOCK: Duration = Duration::from_secs(600);

/// The client's copy of the portal's bucket, shared by all clones of a client.
#[derive(Debug)]
pub(crate) struct Bucket {
    limit: RateLimit,
    state: Mutex<(f64, Instant)>,
}

impl Bucket {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Bucket {
            limit,
            state: Mutex::new((0.0, Instant::now())),
        }
    }

    /// Waits until one more request fits. Each caller reserves its slot before sleeping, so
    /// concurrent callers queue in order instead of all waking at once.
    pub(crate) async fn acquire(&self) {
        let wait = {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let drained = now.duration_since(state.1).as_secs_f64() * self.limit.rate;
            let level = (state.0 - drained).max(0.0);
            // Margin: the portal counts on arrival, and requests sent evenly can arrive bunched
            // by scheduling and network jitter; 50 ms worth of requests, at least one.
            let margin = (self.limit.rate * 0.05).ceil().max(1.0);
            let capacity = (f64::from(self.limit.burst) - margin).max(1.0);
            let wait = if level + 1.0 > capacity {
                (level + 1.0 - capacity) / self.limit.rate
            } else {
                0.0
            };
            *state = (level + 1.0, now);
            wait
        };
        if wait > 0.0 {
            tokio::time::sleep(Duration::from_secs_f64(wait)).await;
        }
    }
}

/// When and how long to retry a call that failed in a way a later attempt may not.
///
/// Retried: `QUERY_LIMIT_EXCEEDED` and connection failures (the portal did not act), transient
/// 5xx answers and ambiguous network failures (only for methods whose spec says they are
/// idempotent), and `OPERATION_TIME_LIMIT` (after the method's budget resets, if that is within
/// `max_total_wait`).
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use bitrix_api::{ClientBuilder, RetryPolicy, messageservice::MessageserviceSenderList};
///
/// // For every call of the client...
/// let patient = RetryPolicy { max_attempts: 10, max_total_wait: Duration::from_secs(300), ..RetryPolicy::default() };
/// let client = ClientBuilder::webhook("https://example.bitrix24.com/rest/1/code/")?
///     .retry(patient)
///     .build()?;
/// // ...or for one call.
/// let once = client.call_with_policy(MessageserviceSenderList::new(), RetryPolicy::NONE).await?;
/// let raw = client.call_raw("user.current", ()).retry(RetryPolicy::NONE).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// First backoff delay; each retry doubles it, up to `max_delay`.
    pub base_delay: Duration,
    /// Longest single backoff delay.
    pub max_delay: Duration,
    /// Longest total time a call may spend waiting before retries (backoff and budget resets).
    pub max_total_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            max_total_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub const NONE: RetryPolicy = RetryPolicy {
        max_attempts: 1,
        base_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
        max_total_wait: Duration::ZERO,
    };

    /// The delay before retry number `retry` (1-based): exponential, with "equal jitter" (half
    /// fixed, half random) so that clients that failed together do not retry together.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(16));
        let capped = exp.min(self.max_delay);
        let half = capped / 2;
        half + half.mul_f64(random_unit())
    }
}

/// A uniform number in [0, 1) from a xorshift generator; jitter needs spread, not secrecy.
fn random_unit() -> f64 {
    static SEED: AtomicU64 = AtomicU64::new(0);
    let mut x = SEED.load(Ordering::Relaxed);
    if x == 0 {
        x = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0x9E37_79B9, |d| d.as_nanos() as u64)
            | 1;
    }
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    SEED.store(x, Ordering::Relaxed);
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// Per-method execution-time state: the last `operating_reset_at` seen, and blocks.
#[derive(Debug, Default)]
pub(crate) struct Operating {
    methods: Mutex<HashMap<&'static str, MethodBudget>>,
}

#[derive(Debug, Default, Clone, Copy)]
struct MethodBudget {
    /// Unix time the oldest basket of the method's budget drops, from the last success.
    reset_at: Option<f64>,
    /// The method is blocked until then.
    blocked_until: Option<Instant>,
}

impl Operating {
    pub(crate) fn record_reset(&self, method: &'static str, reset_at: Option<f64>) {
        let mut m = self.methods.lock().unwrap_or_else(|e| e.into_inner());
        let budget = m.entry(method).or_default();
        budget.blocked_until = None;
        // A number no clock can reach (NaN, infinite) says nothing about the window.
        if let Some(at) = reset_at.filter(|at| at.is_finite()) {
            budget.reset_at = Some(at);
        }
    }

    /// Marks the method blocked and says for how long: until the `operating_reset_at` of its
    /// last success, or a minute (one basket) when that is unknown or already past.
    pub(crate) fn block(&self, method: &'static str) -> Duration {
        let mut m = self.methods.lock().unwrap_or_else(|e| e.into_inner());
        let budget = m.entry(method).or_default();
        let now_unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        // The portal's window is ten minutes: a reset further away is not one of its values, and
        // waiting for it would stall the method for good.
        let wait = match budget.reset_at {
            Some(at) if at > now_unix => {
                Duration::try_from_secs_f64((at - now_unix).min(MAX_BLOCK.as_secs_f64()))
                    .unwrap_or(MAX_BLOCK)
            }
            _ => Duration::from_secs(60),
        };
        // A later block of the same method waits for the following basket.
        budget.reset_at = None;
        budget.blocked_until = Some(Instant::now() + wait);
        wait
    }

    /// How long the method is still blocked, if it is.
    pub(crate) fn blocked_for(&self, method: &'static str) -> Option<Duration> {
        let m = self.methods.lock().unwrap_or_else(|e| e.into_inner());
        let until = m.get(method)?.blocked_until?;
        until
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_caps() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(800),
            ..RetryPolicy::default()
        };
        for (retry, full) in [(1, 100), (2, 200), (3, 400), (4, 800), (9, 800)] {
            let d = p.backoff(retry).as_millis() as u64;
            assert!(
                (full / 2..=full).contains(&d),
                "retry {retry}: {d} ms not in [{}, {full}]",
                full / 2
            );
        }
    }

    #[test]
    fn a_reset_time_no_clock_reaches_blocks_for_the_window_at_most() {
        let o = Operating::default();
        for (reset_at, longest) in [
            (Some(1e20), MAX_BLOCK),
            (Some(f64::INFINITY), Duration::from_secs(60)),
            (Some(f64::NAN), Duration::from_secs(60)),
            (Some(f64::MAX), MAX_BLOCK),
        ] {
            o.record_reset("m", reset_at);
            let wait = o.block("m");
            assert!(wait <= longest, "{reset_at:?}: {wait:?}");
            assert!(!wait.is_zero(), "{reset_at:?}");
        }
    }

    // With tokio's clock paused, sleeps advance virtual time exactly: no flakiness.
    #[tokio::test(start_paused = true)]
    async fn bucket_lets_a_burst_through_then_paces() {
        let bucket = Bucket::new(RateLimit {
            rate: 10.0,
            burst: 5,
        });
        let start = Instant::now();
        for _ in 0..4 {
            bucket.acquire().await;
        }
        assert_eq!(
            start.elapsed(),
            Duration::ZERO,
            "the burst (less the margin of one) does not wait"
        );
        for _ in 0..10 {
            bucket.acquire().await;
        }
        let secs = start.elapsed().as_secs_f64();
        assert!(
            (0.99..=1.01).contains(&secs),
            "10 more at 10/s take 1 s, took {secs}"
        );
    }
}
