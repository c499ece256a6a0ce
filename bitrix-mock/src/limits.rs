//! The portal's two limits: the request-rate leaky bucket and per-method operating time.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::lock;

/// The leaky bucket every request of the portal goes through (`QUERY_LIMIT_EXCEEDED`).
pub(crate) struct Bucket(Mutex<Level>);

struct Level {
    /// `(rate per second, burst)`; `None` when rate limiting is off.
    limit: Option<(f64, u32)>,
    level: f64,
    at: Instant,
}

impl Bucket {
    pub(crate) fn new(limit: Option<(f64, u32)>) -> Self {
        Bucket(Mutex::new(Level {
            limit: limit.map(sane),
            level: 0.0,
            at: Instant::now(),
        }))
    }

    /// Replaces the limit and empties the bucket, so a test starts from a known level.
    pub(crate) fn set(&self, limit: Option<(f64, u32)>) {
        let mut b = lock(&self.0);
        b.limit = limit.map(sane);
        b.level = 0.0;
        b.at = Instant::now();
    }

    /// Adds one request, unless that would overflow the bucket: then `false`, and the refused
    /// request is not counted, as the portal does not count what it refuses.
    pub(crate) fn admit(&self) -> bool {
        let mut b = lock(&self.0);
        let Some((rate, burst)) = b.limit else {
            return true;
        };
        let now = Instant::now();
        // The portal drains in whole steps once a second; draining continuously is the same
        // limit without making tests wait for a tick.
        let drained = rate * now.saturating_duration_since(b.at).as_secs_f64();
        // `max` also turns the NaN of an infinite rate times zero elapsed time into an empty bucket.
        b.level = (b.level - drained).max(0.0);
        b.at = now;
        if b.level + 1.0 > f64::from(burst) {
            return false;
        }
        b.level += 1.0;
        true
    }
}

/// A negative or NaN rate would fill the bucket for ever; treat it as "never drains".
fn sane((rate, burst): (f64, u32)) -> (f64, u32) {
    (if rate >= 0.0 { rate } else { 0.0 }, burst)
}

/// Accumulated execution time per method and caller (`operating`, `OPERATION_TIME_LIMIT`).
pub(crate) struct Operating(Mutex<Ledger>);

struct Ledger {
    limit: f64,
    window: Duration,
    /// Simulated seconds one successful call adds, by method name as the portal looks it up.
    costs: HashMap<String, f64>,
    /// Per (lowercased method, caller): when each costed call finished, and its cost, oldest first.
    /// Exact entries instead of the portal's ten one-minute baskets: the same limit, and a window
    /// of any length works for tests.
    spent: HashMap<(String, String), VecDeque<(Instant, f64)>>,
}

/// What the `time` block of a successful answer reports.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Usage {
    /// Seconds accumulated in the window, this call included.
    pub operating: f64,
    /// Unix time when the oldest entry leaves the window (a window from now if none).
    pub reset_at: i64,
}

impl Operating {
    pub(crate) fn new(limit: f64, window: Duration) -> Self {
        Operating(Mutex::new(Ledger {
            limit,
            window,
            costs: HashMap::new(),
            spent: HashMap::new(),
        }))
    }

    pub(crate) fn set_cost(&self, method: &str, seconds: f64) {
        // A negative or NaN cost would make `operating` meaningless; it costs nothing instead.
        let seconds = if seconds > 0.0 { seconds } else { 0.0 };
        lock(&self.0)
            .costs
            .insert(crate::server::method_key(method), seconds);
    }

    /// Is `method` blocked for `caller`: has its accumulated time already exceeded the limit?
    pub(crate) fn blocked(&self, method: &str, caller: &str) -> bool {
        let mut ledger = lock(&self.0);
        let limit = ledger.limit;
        ledger
            .entries(method, caller)
            .iter()
            .fold(0.0, |sum, e| sum + e.1)
            > limit
    }

    /// Records a successful call and answers what its `time` block reports.
    pub(crate) fn charge(&self, method: &str, caller: &str) -> Usage {
        let mut ledger = lock(&self.0);
        let cost = ledger.costs.get(method).copied().unwrap_or(0.0);
        let window = ledger.window;
        let entries = ledger.entries(method, caller);
        let now = Instant::now();
        if cost > 0.0 {
            entries.push_back((now, cost));
        }
        let left = entries.front().map_or(window, |&(at, _)| {
            window.saturating_sub(now.saturating_duration_since(at))
        });
        // Rounded up: a client that waits until `operating_reset_at` must find the entry gone.
        // `as` saturates, so an enormous window cannot wrap around.
        let reset_at = (unix_now() + left.as_secs_f64()).ceil() as i64;
        Usage {
            // Folded from +0.0: `Sum` of no floats is -0.0, which a client would see as
            // `"operating": -0.0`.
            operating: entries.iter().fold(0.0, |sum, e| sum + e.1),
            reset_at,
        }
    }
}

impl Ledger {
    /// The entries of `method` for `caller` still inside the window.
    fn entries(&mut self, method: &str, caller: &str) -> &mut VecDeque<(Instant, f64)> {
        let window = self.window;
        let entries = self
            .spent
            .entry((method.to_owned(), caller.to_owned()))
            .or_default();
        let now = Instant::now();
        while entries
            .front()
            .is_some_and(|&(at, _)| now.saturating_duration_since(at) >= window)
        {
            entries.pop_front();
        }
        entries
    }
}

pub(crate) fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_admits_the_burst_then_refuses() {
        let bucket = Bucket::new(Some((0.0, 3)));
        assert!((0..3).all(|_| bucket.admit()));
        assert!(!bucket.admit());
        bucket.set(None);
        assert!((0..100).all(|_| bucket.admit()));
        bucket.set(Some((f64::INFINITY, 1)));
        assert!((0..100).all(|_| bucket.admit()));
        bucket.set(Some((f64::NAN, 0)));
        assert!(!bucket.admit());
    }

    #[test]
    fn operating_blocks_only_the_costed_method_of_that_caller() {
        let ops = Operating::new(1.0, Duration::from_secs(600));
        ops.set_cost("A.B", 0.6);
        assert_eq!(ops.charge("a.b", "app").operating, 0.6);
        assert!(!ops.blocked("a.b", "app"));
        assert!((ops.charge("a.b", "app").operating - 1.2).abs() < 1e-9);
        assert!(ops.blocked("a.b", "app"));
        assert!(!ops.blocked("a.b", "other"));
        assert!(!ops.blocked("c.d", "app"));
        assert_eq!(ops.charge("c.d", "app").operating, 0.0);
    }
}
