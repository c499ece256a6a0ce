//! How a portal is set up: its limits and token lifetime.

use std::time::Duration;

/// Settings of a [`MockPortal`](crate::MockPortal), for
/// [`MockPortal::start_with`](crate::MockPortal::start_with).
///
/// The defaults are those of a cloud portal on an ordinary plan, except that rate limiting is
/// off, so tests that do not care about it never see `QUERY_LIMIT_EXCEEDED`:
///
/// ```
/// # use std::time::Duration;
/// let config = bitrix_mock::MockConfig {
///     rate_limit: true,
///     rate_per_sec: 50.0,
///     burst: 5,
///     operating_window: Duration::from_secs(2),
///     ..Default::default()
/// };
/// # let _ = config;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MockConfig {
    /// Requests per second the leaky bucket drains (`Y` in the limits page); 2 by default.
    pub rate_per_sec: f64,
    /// Requests the bucket holds before answering `QUERY_LIMIT_EXCEEDED` (`X`); 50 by default.
    pub burst: u32,
    /// Whether the bucket is enforced at all; off by default.
    pub rate_limit: bool,
    /// Lifetime of every access token the portal issues; one hour by default.
    pub token_ttl: Duration,
    /// Seconds of accumulated execution time of one method, per application or webhook, above
    /// which the method answers `OPERATION_TIME_LIMIT`; 480 by default.
    pub operating_limit: f64,
    /// How long an execution counts towards `operating`; ten minutes by default, as on the portal.
    pub operating_window: Duration,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            rate_per_sec: 2.0,
            burst: 50,
            rate_limit: false,
            token_ttl: Duration::from_secs(3600),
            operating_limit: 480.0,
            operating_window: Duration::from_secs(600),
        }
    }
}
