//! Station commands: start the reader and pairing, and take UIDs typed by keyboard-wedge readers.

use tauri::{AppHandle, Runtime, State};

use crate::error::CommandResult;
use crate::station::{Station, StationStart};

/// Starts the reader, the pairing and the delivery loop (once); answers the current situation.
#[tauri::command]
pub async fn station_start<R: Runtime>(
    app: AppHandle<R>,
    station: State<'_, Station>,
) -> CommandResult<StationStart> {
    station.start(app).await
}

/// A line typed by a keyboard-wedge reader (UID + Enter); answers the UID as understood.
#[tauri::command]
pub async fn station_key_uid(station: State<'_, Station>, uid: String) -> CommandResult<String> {
    station.typed(&uid).await
}
