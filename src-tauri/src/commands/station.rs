//! Station commands: start the reader and pairing, and take UIDs typed by keyboard-wedge readers.

use tauri::{AppHandle, Runtime, State};

use crate::context::AppCtx;
use crate::error::{CommandError, CommandResult, ErrorCode};
use crate::station::Station;
use livewall_protocol::StationStart;

fn station(ctx: &AppCtx) -> CommandResult<std::sync::Arc<Station>> {
    ctx.station().ok_or_else(|| {
        CommandError::new(ErrorCode::NotConfigured, "this device is not a station now")
    })
}

/// Starts the reader, the pairing and the delivery loop (once); answers the current situation.
#[tauri::command]
pub async fn station_start<R: Runtime>(
    app: AppHandle<R>,
    ctx: State<'_, AppCtx>,
) -> CommandResult<StationStart> {
    station(&ctx)?.start(app).await
}

/// A line typed by a keyboard-wedge reader (UID + Enter); answers the UID as understood.
#[tauri::command]
pub async fn station_key_uid(ctx: State<'_, AppCtx>, uid: String) -> CommandResult<String> {
    station(&ctx)?.typed(&uid).await
}
