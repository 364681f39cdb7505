//! Admin commands: badge enrolment on the admin machine's reader (the admin screens call them when they find
//! `window.__TAURI__`).

use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime, State, WebviewUrl, WebviewWindowBuilder};

use crate::context::AppCtx;
use crate::enrolment::{self, BadgeSeen, BadgeWritten, WriteGuard};
use crate::error::{CommandError, CommandResult, ErrorCode};

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> CommandResult<T> + Send + 'static,
) -> CommandResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| CommandError::new(ErrorCode::NoReader, format!("reader task failed: {e}")))?
}

/// Waits up to `timeout_ms` for a badge on the reader and answers what it holds.
#[tauri::command]
pub async fn admin_wait_badge(ctx: State<'_, AppCtx>, timeout_ms: u64) -> CommandResult<BadgeSeen> {
    let filter = ctx.reader_filter.clone();
    let tag =
        blocking(move || enrolment::wait_badge(filter, Duration::from_millis(timeout_ms))).await?;
    Ok(BadgeSeen::from(&tag))
}

/// Waits up to `timeout_ms` for a badge, writes `url` as an NDEF URI record and verifies it. The badge must be
/// `expect_uid` when given, and one holding another link is written over only with `replace`.
#[tauri::command]
pub async fn admin_write_badge(
    ctx: State<'_, AppCtx>,
    url: String,
    timeout_ms: u64,
    expect_uid: Option<String>,
    replace: Option<bool>,
) -> CommandResult<BadgeWritten> {
    let filter = ctx.reader_filter.clone();
    let guard = WriteGuard {
        expect_uid,
        replace: replace.unwrap_or(false),
    };
    blocking(move || {
        enrolment::write_badge(filter, &url, Duration::from_millis(timeout_ms), &guard)
    })
    .await
}

/// Opens the wall of `event` in a window of its own (links that open a new browser tab do nothing in the app).
#[tauri::command]
pub fn admin_open_wall<R: Runtime>(
    app: AppHandle<R>,
    ctx: State<'_, AppCtx>,
    event: String,
) -> CommandResult<()> {
    let server = ctx
        .launched()
        .map(|l| l.server)
        .ok_or_else(|| CommandError::new(ErrorCode::NotConfigured, "no server is configured"))?;
    let mut url = url::Url::parse(&server).map_err(|e| {
        CommandError::new(ErrorCode::NotConfigured, format!("bad server address: {e}"))
    })?;
    url.path_segments_mut()
        .map_err(|()| CommandError::new(ErrorCode::NotConfigured, "bad server address"))?
        .pop_if_empty()
        .extend(["wall", event.as_str()]);
    if let Some(w) = app.get_webview_window("wall") {
        w.navigate(url).map_err(|e| {
            CommandError::new(ErrorCode::Storage, format!("cannot show the wall: {e}"))
        })?;
        let _ = w.set_focus();
        return Ok(());
    }
    WebviewWindowBuilder::new(&app, "wall", WebviewUrl::External(url))
        .title(format!("livewall · wall of {event}"))
        .inner_size(1280.0, 800.0)
        .data_directory(ctx.data_dir.join("webview"))
        .build()
        .map_err(|e| {
            CommandError::new(
                ErrorCode::Storage,
                format!("cannot open the wall window: {e}"),
            )
        })?;
    Ok(())
}
