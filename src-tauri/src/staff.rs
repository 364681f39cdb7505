//! The staff PIN: leaving the kiosk and opening the settings over a running kiosk or station both need it, and
//! wrong tries make the next one wait.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::error::{CommandError, CommandResult, ErrorCode};

/// Wrong PINs allowed before the next try must wait.
const FREE_TRIES: u32 = 3;

/// Wrong PINs so far and when the last one was: after [`FREE_TRIES`], each wait doubles (from 30 s up to an
/// hour), so a visitor cannot try every four-digit PIN.
#[derive(Debug, Default)]
pub struct PinGuard(Mutex<Option<(u32, Instant)>>);

impl PinGuard {
    /// Seconds to wait before the next try, if any.
    fn wait(&self) -> Option<u64> {
        let g = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let (wrong, last) = (*g)?;
        let over = wrong.checked_sub(FREE_TRIES)?;
        let wait = Duration::from_secs(30u64 << over.min(7)).min(Duration::from_secs(3600));
        wait.checked_sub(last.elapsed())
            .map(|left| left.as_secs().max(1))
    }

    fn wrong(&self) {
        let mut g = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let n = g.map_or(0, |(n, _)| n);
        *g = Some((n + 1, Instant::now()));
    }

    /// Checks `given` against the configured `expected` PIN (none configured: the key chord alone is enough).
    pub fn check(
        &self,
        expected: Option<&str>,
        given: Option<&str>,
        what: &str,
    ) -> CommandResult<()> {
        let Some(expected) = expected else {
            return Ok(());
        };
        if let Some(wait) = self.wait() {
            tracing::warn!(wait, what, "staff PIN refused: too many wrong PINs");
            return Err(CommandError::new(
                ErrorCode::WrongPin,
                format!("too many wrong PINs: try again in {wait} s"),
            ));
        }
        if given.map(str::trim) == Some(expected) {
            return Ok(());
        }
        self.wrong();
        tracing::warn!(what, "staff PIN refused: wrong PIN");
        Err(CommandError::new(ErrorCode::WrongPin, "wrong PIN"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_pins_make_the_next_try_wait() {
        let g = PinGuard::default();
        for _ in 0..FREE_TRIES {
            assert_eq!(g.wait(), None, "the first tries are free");
            assert!(g.check(Some("2468"), Some("0000"), "test").is_err());
        }
        let first = g.wait().expect("then a wait");
        assert!((29..=30).contains(&first), "{first}");
        let refused = g.check(Some("2468"), Some("2468"), "test");
        assert!(
            refused.is_err_and(|e| e.message.contains("try again")),
            "even the right PIN waits"
        );
        assert!(g.check(None, None, "test").is_ok(), "no PIN configured");
    }
}
