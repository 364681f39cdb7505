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
