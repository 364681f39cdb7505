//! Commands of every window (configuration) and of the first-run settings window.

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State, WebviewWindow};

use crate::AppCtx;
use crate::error::{CommandError, CommandResult, ErrorCode};
use crate::settings::{self, Launch, QrSettings, Role, Saved};

/// What a window needs to know about this device (never the token itself).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DesktopConfig {
    /// The running role, `None` while the settings screen is shown.
    pub role: Option<Role>,
    /// Server base URL, as configured or typed so far.
    pub server: Option<String>,
    /// Event id.
    pub event: Option<String>,
    /// Whether a device token is set.
    pub has_token: bool,
    /// Whether leaving the kiosk needs a PIN.
    pub has_exit_pin: bool,
    /// Whether this app runs the server itself.
    pub embedded_server: bool,
    /// Why the settings screen is shown, if it is.
    pub problem: Option<String>,
    /// App version.
    pub version: String,
}

/// This device's configuration.
#[tauri::command]
pub fn desktop_config<R: Runtime>(app: AppHandle<R>, ctx: State<'_, AppCtx>) -> DesktopConfig {
    let saved = ctx.saved();
    let running = ctx.launched();
    DesktopConfig {
        role: running.as_ref().map(|l| l.role).or(saved.role),
        server: running.as_ref().map(|l| l.server.clone()).or(saved.server),
        event: running
            .as_ref()
            .and_then(|l| l.event.clone())
            .or(saved.event),
        has_token: running
            .as_ref()
            .map_or(saved.token.is_some(), |l| l.token.is_some()),
        has_exit_pin: running
            .as_ref()
            .map_or(saved.exit_pin.is_some(), |l| l.exit_pin.is_some()),
        embedded_server: ctx.embedded.is_some(),
        problem: ctx.problem(),
        version: app.package_info().version.to_string(),
    }
}

/// Checks and saves the settings typed on the settings screen, then starts the chosen role.
#[tauri::command]
pub fn settings_save<R: Runtime>(
    app: AppHandle<R>,
    window: WebviewWindow<R>,
    ctx: State<'_, AppCtx>,
    settings: Saved,
) -> CommandResult<()> {
    let merged = ctx.saved().overlay(settings);
    let launch = Launch::check(merged.clone(), ctx.data_dir.clone())?;
    merged.save(&ctx.data_dir).map_err(|e| {
        CommandError::new(ErrorCode::Storage, format!("cannot save the settings: {e}"))
    })?;
    ctx.set_saved(merged);
    crate::launch(&app, &ctx, launch)
        .map_err(|e| CommandError::new(ErrorCode::NotConfigured, e.to_string()))?;
    if let Err(e) = window.close() {
        tracing::warn!(error = %e, "cannot close the settings window");
    }
    if let Some(w) = app.get_webview_window(window.label()) {
        let _ = w.destroy();
    }
    Ok(())
}

/// Reads device settings from the QR code in an image (PNG or JPEG bytes).
#[tauri::command]
pub fn settings_decode_qr(image: Vec<u8>) -> CommandResult<QrSettings> {
    settings::decode_qr(&image)
}
