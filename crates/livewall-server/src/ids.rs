//! Ids and timestamps.

use rand::Rng;
use rand::distr::Alphanumeric;

/// A new random id: 16 lowercase letters and digits (about 82 bits), URL-safe and easy to read aloud.
pub fn new_id() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .map(|b| char::from(b).to_ascii_lowercase())
        .take(16)
        .collect()
}

/// A new log epoch: changes whenever an event's live log loses continuity.
pub fn new_epoch() -> String {
    let bytes: [u8; 8] = rand::rng().random();
    hex::encode(bytes)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

/// A UTC timestamp in ms as an ISO 8601 date (`2026-11-22`) and time (`09:30:00`), without a date crate for
/// two strings (Howard Hinnant's civil-from-days).
pub fn iso_utc(ms: i64) -> (String, String) {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        format!("{y:04}-{m:02}-{d:02}"),
        format!("{:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60),
    )
}

/// A UTC timestamp in ms as ISO 8601 / RFC 3339 (`2026-11-22T09:30:00Z`), the form of every exported time.
pub fn rfc3339(ms: i64) -> String {
    let (date, time) = iso_utc(ms);
    format!("{date}T{time}Z")
}

#[cfg(test)]
mod tests {
    #[test]
    fn iso_dates() {
        assert_eq!(
            super::iso_utc(0),
            ("1970-01-01".to_owned(), "00:00:00".to_owned())
        );
        assert_eq!(
            super::iso_utc(1_795_339_845_000),
            ("2026-11-22".to_owned(), "09:30:45".to_owned())
        );
        assert_eq!(super::iso_utc(951_782_400_000).0, "2000-02-29");
    }
}
