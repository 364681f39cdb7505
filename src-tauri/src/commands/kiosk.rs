//! Kiosk commands: start drawing (cache first, then live) and leave the kiosk.

use tauri::{AppHandle, Runtime, State};

use crate::AppCtx;
use crate::error::{CommandError, CommandResult, ErrorCode};
use crate::kiosk::{Kiosk, KioskStart};

/// The cached wall; starts following the live log the first time.
#[tauri::command]
pub async fn kiosk_start<R: Runtime>(
    app: AppHandle<R>,
    kiosk: State<'_, Kiosk>,
) -> CommandResult<KioskStart> {
    kiosk.start(app).await
}

/// Wrong exit PINs allowed before the kiosk makes the next try wait.
const FREE_PIN_TRIES: u32 = 3;

/// Wrong exit PINs so far and when the last one was: after [`FREE_PIN_TRIES`], each wait doubles (from 30 s up to
/// an hour), so a visitor cannot try every four-digit PIN.
#[derive(Debug, Default)]
pub struct PinGuard(std::sync::Mutex<Option<(u32, std::time::Instant)>>);

impl PinGuard {
    /// Seconds to wait before the next try, if any.
    fn wait(&self) -> Option<u64> {
        let g = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (wrong, last) = (*g)?;
        let over = wrong.checked_sub(FREE_PIN_TRIES)?;
        let wait = std::time::Duration::from_secs(30u64 << over.min(7))
            .min(std::time::Duration::from_secs(3600));
        wait.checked_sub(last.elapsed())
            .map(|left| left.as_secs().max(1))
    }

    fn wrong(&self) {
        let mut g = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = g.map_or(0, |(n, _)| n);
        *g = Some((n + 1, std::time::Instant::now()));
    }
}

/// Leaves the kiosk when the PIN matches (or when none is configured: the key chord alone is enough). Wrong PINs
/// make the next try wait longer and longer.
#[tauri::command]
pub fn kiosk_exit<R: Runtime>(
    app: AppHandle<R>,
    ctx: State<'_, AppCtx>,
    guard: State<'_, PinGuard>,
    pin: Option<String>,
) -> CommandResult<()> {
    let expected = ctx.launched().and_then(|l| l.exit_pin);
    if expected.is_some()
        && let Some(wait) = guard.wait()
    {
        tracing::warn!(wait, "kiosk exit refused: too many wrong PINs");
        return Err(CommandError::new(
            ErrorCode::WrongPin,
            format!("too many wrong PINs: try again in {wait} s"),
        ));
    }
    match expected {
        Some(p) if pin.as_deref().map(str::trim) != Some(p.as_str()) => {
            guard.wrong();
            tracing::warn!("kiosk exit refused: wrong PIN");
            Err(CommandError::new(ErrorCode::WrongPin, "wrong PIN"))
        }
        _ => {
            tracing::info!("kiosk exit requested by staff");
            ctx.allow_exit();
            app.exit(0);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{FREE_PIN_TRIES, PinGuard};

    #[test]
    fn wrong_pins_make_the_next_try_wait() {
        let g = PinGuard::default();
        for _ in 0..FREE_PIN_TRIES {
            assert_eq!(g.wait(), None, "the first tries are free");
            g.wrong();
        }
        let first = g.wait().expect("then a wait");
        assert!((29..=30).contains(&first), "{first}");
        g.wrong();
        assert!(
            g.wait().expect("longer") > 30,
            "each wrong PIN doubles the wait"
        );
    }
}
