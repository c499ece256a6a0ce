//! The `time` member of successful answers, taken from the real clock.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::limits::Usage;

/// Length of the portal's operating-time window, in seconds, for a result without usage.
const OPERATING_WINDOW: i64 = 600;

/// Seconds since the Unix epoch, with the fraction the portal reports.
fn unix(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// The `time` object for a call that started at `start` and finishes now, reporting `usage` of
/// the operating-time budget.
pub(crate) fn envelope(start: SystemTime, usage: Option<Usage>) -> Value {
    let mut time = span(start);
    let usage = usage.unwrap_or(Usage {
        operating: 0.0,
        reset_at: unix(start) as i64 + OPERATING_WINDOW,
    });
    time["operating_reset_at"] = json!(usage.reset_at);
    time["operating"] = json!(usage.operating);
    time
}

/// The times of a call that started at `start` and finishes now, without the operating-time
/// members: what `batch` reports per command in `result_time`.
pub(crate) fn span(start: SystemTime) -> Value {
    let (start, finish) = (unix(start), unix(SystemTime::now()));
    let duration = (finish - start).max(0.0);
    json!({
        "start": start,
        "finish": finish,
        "duration": duration,
        "processing": duration,
        "date_start": rfc3339(start as i64),
        "date_finish": rfc3339(finish as i64),
    })
}

/// Seconds since the Unix epoch, now.
pub(crate) fn unix_secs() -> i64 {
    unix(SystemTime::now()) as i64
}

/// `2025-03-25T10:00:00+00:00`: the portal's format, in UTC.
pub(crate) fn rfc3339(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let (h, min, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}+00:00")
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00+00:00");
        assert_eq!(rfc3339(1_742_896_800), "2025-03-25T10:00:00+00:00");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00+00:00");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59+00:00");
    }
}
