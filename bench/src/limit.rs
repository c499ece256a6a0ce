//! How much of the portal's request-rate limit a run used.
//!
//! The portal's limit is a leaky bucket: it holds `burst` requests and drains `rate` per
//! second. Starting from an empty bucket, the most requests it admits within `elapsed` seconds
//! without a single `QUERY_LIMIT_EXCEEDED` is `burst + rate * elapsed`. A run that made
//! `requests` in `elapsed` therefore used `requests / (burst + rate * elapsed)` of what the
//! limit allowed; 100 % means no client could have sent more in that time.
//!
//! A run of fewer than `burst` requests never meets the limit: its share says only how long
//! the portal took to answer, so [`Usage::bound`] tells whether the limit was what held it back.

/// The use of the limit by one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    /// Requests made.
    pub requests: u64,
    /// Wall time of the run, seconds.
    pub elapsed: f64,
    /// `requests / (burst + rate * elapsed)`: the share of the requests the limit allowed.
    pub share: f64,
    /// Whether the limit bound the run: more requests than the bucket holds.
    pub bound: bool,
    /// Shortest time the limit allows for `requests`: `(requests - burst) / rate`, or 0.
    pub ideal: f64,
}

/// The usage of a run of `requests` in `elapsed` seconds under `rate` per second, `burst`.
pub fn usage(requests: u64, elapsed: f64, rate: f64, burst: u32) -> Usage {
    let allowed = f64::from(burst) + rate * elapsed;
    let share = if allowed > 0.0 {
        requests as f64 / allowed
    } else {
        0.0
    };
    let over = requests.saturating_sub(u64::from(burst)) as f64;
    Usage {
        requests,
        elapsed,
        share,
        bound: requests > u64::from(burst),
        ideal: if rate > 0.0 { over / rate } else { 0.0 },
    }
}

#[cfg(test)]
mod tests {
    use super::usage;

    #[test]
    fn a_run_at_the_limit_uses_all_of_it() {
        // 50 at once, then 150 more at 2/s: 75 s.
        let u = usage(200, 75.0, 2.0, 50);
        assert!((u.share - 1.0).abs() < 1e-9);
        assert!(u.bound);
        assert!((u.ideal - 75.0).abs() < 1e-9);
    }

    #[test]
    fn a_run_inside_the_burst_is_not_bound() {
        let u = usage(40, 1.0, 2.0, 50);
        assert!(!u.bound);
        assert_eq!(u.ideal, 0.0);
        assert!((u.share - 40.0 / 52.0).abs() < 1e-9);
    }
}
