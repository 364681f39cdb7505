//! Kiosk commands: start drawing (cache first, then live) and leave the kiosk.

use tauri::{AppHandle, Runtime, State};

use crate::context::AppCtx;
use crate::error::{CommandError, CommandResult, ErrorCode};
use crate::staff::PinGuard;
use livewall_protocol::KioskStart;

/// The cached wall; starts following the live log the first time.
#[tauri::command]
pub async fn kiosk_start<R: Runtime>(
    app: AppHandle<R>,
    ctx: State<'_, AppCtx>,
) -> CommandResult<KioskStart> {
    let kiosk = ctx.kiosk().ok_or_else(|| {
        CommandError::new(ErrorCode::NotConfigured, "this device is not a kiosk now")
    })?;
    kiosk.start(app).await
}

/// Leaves the kiosk when the staff PIN matches (or when none is configured: the key chord alone is enough). Wrong
/// PINs make the next try wait longer and longer.
#[tauri::command]
pub fn kiosk_exit<R: Runtime>(
    app: AppHandle<R>,
    ctx: State<'_, AppCtx>,
    guard: State<'_, PinGuard>,
    pin: Option<String>,
) -> CommandResult<()> {
    guard.check(ctx.staff_pin().as_deref(), pin.as_deref(), "kiosk exit")?;
    tracing::info!("kiosk exit requested by staff");
    ctx.allow_exit();
    app.exit(0);
    Ok(())
}
