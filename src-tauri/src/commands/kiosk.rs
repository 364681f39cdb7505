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

/// Leaves the kiosk when the PIN matches (or when none is configured: the key chord alone is enough).
#[tauri::command]
pub fn kiosk_exit<R: Runtime>(
    app: AppHandle<R>,
    ctx: State<'_, AppCtx>,
    pin: Option<String>,
) -> CommandResult<()> {
    let expected = ctx.launched().and_then(|l| l.exit_pin);
    match expected {
        Some(p) if pin.as_deref().map(str::trim) != Some(p.as_str()) => {
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
