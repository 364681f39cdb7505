//! Token buckets for new sockets: after a venue's Wi-Fi comes back every wall reconnects at once, which the burst
//! absorbs, while one runaway client cannot open sockets without end.
//!
//! Only accepted sockets are counted (a refused attempt costs nothing to keep), and anonymous sockets are counted
//! per address while authenticated ones are counted per credential: a flood of anonymous attempts from a venue's
//! shared address can never lock its kiosks and stations out.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Above this many tracked addresses, full buckets are forgotten (they hold no information).
const PRUNE_ABOVE: usize = 4096;

pub(crate) struct ConnectLimiter {
    /// Tokens per second; `None` lets everything through.
    rate: Option<f64>,
    burst: f64,
    buckets: Mutex<HashMap<Key, (f64, Instant)>>,
}

/// What a bucket counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    /// Anonymous sockets from one address.
    Address(IpAddr),
    /// Sockets of one device or admin login.
    Credential(String),
}

impl ConnectLimiter {
    pub(crate) fn new(rate: Option<f64>, burst: u32) -> Self {
        Self {
            rate,
            burst: f64::from(burst.max(1)),
            buckets: Mutex::default(),
        }
    }

    /// Takes one token for `key`, or answers false when its bucket is empty.
    pub(crate) fn allow(&self, key: Key) -> bool {
        self.allow_at(key, Instant::now())
    }

    fn allow_at(&self, key: Key, now: Instant) -> bool {
        let Some(rate) = self.rate else {
            return true;
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            let burst = self.burst;
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.saturating_duration_since(*at).as_secs_f64() * rate < burst
            });
        }
        let (tokens, at) = buckets.entry(key).or_insert((self.burst, now));
        *tokens =
            (*tokens + now.saturating_duration_since(*at).as_secs_f64() * rate).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_rate_per_address() {
        let l = ConnectLimiter::new(Some(2.0), 3);
        let a = Key::Address([10, 0, 0, 1].into());
        let b = Key::Address([10, 0, 0, 2].into());
        let t0 = Instant::now();
        assert!(
            (0..3).all(|_| l.allow_at(a.clone(), t0)),
            "the burst passes"
        );
        assert!(!l.allow_at(a.clone(), t0), "then the bucket is empty");
        assert!(
            l.allow_at(Key::Credential("kiosk-1".into()), t0),
            "a device is not counted with anonymous sockets from its address"
        );
        assert!(l.allow_at(b, t0), "other addresses are not affected");
        assert!(
            l.allow_at(a.clone(), t0 + Duration::from_millis(500)),
            "one token back after 1/rate"
        );
        assert!(!l.allow_at(a.clone(), t0 + Duration::from_millis(600)));
        let unlimited = ConnectLimiter::new(None, 1);
        assert!((0..1000).all(|_| unlimited.allow_at(a.clone(), t0)));
    }
}
