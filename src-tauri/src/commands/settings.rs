//! Commands of every window (configuration) and of the settings window.

use tauri::{AppHandle, Manager, Runtime, State, WebviewWindow};

use crate::context::AppCtx;
use crate::error::{CommandError, CommandResult, ErrorCode};
use crate::roles;
use crate::settings::{self, DeviceSetup, Launch, Saved};
use crate::staff::PinGuard;
use livewall_protocol::DesktopConfig;

/// This device's configuration (never the token itself).
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
        embedded: ctx.embedded().map(|e| e.describe()),
        problem: ctx.problem(),
        offer_port: ctx.offer_port(),
        version: app.package_info().version.to_string(),
    }
}

/// Checks and saves the settings typed on the settings screen, then starts the chosen role (stopping the one that
/// runs, if any: its queued taps stay on disk and are sent by the new one). Async, off the main thread, so the old
/// role's windows are really gone (their labels free) before the new ones open.
#[tauri::command]
pub async fn settings_save<R: Runtime>(
    app: AppHandle<R>,
    window: WebviewWindow<R>,
    ctx: State<'_, AppCtx>,
    settings: Saved,
) -> CommandResult<()> {
    let merged = settings::overlay(ctx.saved(), settings);
    let launch = Launch::check(merged.clone(), ctx.data_dir.clone())?;
    settings::save(&merged, &ctx.data_dir).map_err(|e| {
        CommandError::new(ErrorCode::Storage, format!("cannot save the settings: {e}"))
    })?;
    ctx.set_saved(merged);
    roles::stop_role(&app, &ctx);
    roles::role_windows_closed(&app).await;
    roles::launch(&app, &ctx, launch)
        .map_err(|e| CommandError::new(ErrorCode::NotConfigured, e.to_string()))?;
    ctx.clear_problem();
    if let Err(e) = window.close() {
        tracing::warn!(error = %e, "cannot close the settings window");
    }
    if let Some(w) = app.get_webview_window(window.label()) {
        let _ = w.destroy();
    }
    Ok(())
}

/// Reads device settings from the QR code in an image (PNG or JPEG bytes: a file, or a camera frame).
#[tauri::command]
pub fn settings_decode_qr(image: Vec<u8>) -> CommandResult<DeviceSetup> {
    settings::decode_qr(&image)
}

/// Reads device settings from a pasted setup link (or JSON, or a bare token).
#[tauri::command]
pub fn settings_parse_link(text: String) -> CommandResult<DeviceSetup> {
    settings::parse_setup(&text)
}

/// Opens the settings over a running kiosk or station, behind the staff PIN.
#[tauri::command]
pub fn settings_open<R: Runtime>(
    app: AppHandle<R>,
    ctx: State<'_, AppCtx>,
    guard: State<'_, PinGuard>,
    pin: Option<String>,
) -> CommandResult<()> {
    guard.check(ctx.staff_pin().as_deref(), pin.as_deref(), "settings")?;
    tracing::info!("settings opened by staff");
    roles::open_settings_over_role(&app, &ctx)
        .map_err(|e| CommandError::new(ErrorCode::Storage, e.to_string()))
}

/// Starts the embedded server on `port` after its usual port was taken, then the role if the settings are complete.
#[tauri::command]
pub fn embedded_restart<R: Runtime>(
    app: AppHandle<R>,
    window: WebviewWindow<R>,
    ctx: State<'_, AppCtx>,
    port: u16,
) -> CommandResult<()> {
    roles::start_embedded(&ctx, Some(port))
        .map_err(|e| CommandError::new(ErrorCode::EmbeddedServer, e.to_string()))?;
    let Ok(launch) = Launch::check(ctx.saved(), ctx.data_dir.clone()) else {
        return Ok(()); // The settings screen stays and asks for what is missing.
    };
    roles::launch(&app, &ctx, launch)
        .map_err(|e| CommandError::new(ErrorCode::NotConfigured, e.to_string()))?;
    let _ = window.destroy();
    Ok(())
}
