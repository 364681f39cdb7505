//! Admin commands: badge enrolment on the admin machine's reader (the admin screens call them when they find
//! `window.__TAURI__`).

use std::time::Duration;

use tauri::State;

use crate::AppCtx;
use crate::badges::{self, BadgeSeen, BadgeWritten};
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
        blocking(move || badges::wait_badge(filter, Duration::from_millis(timeout_ms))).await?;
    Ok(BadgeSeen::from(&tag))
}

/// Waits up to `timeout_ms` for a blank or rewritable badge, writes `url` as an NDEF URI record and verifies it.
#[tauri::command]
pub async fn admin_write_badge(
    ctx: State<'_, AppCtx>,
    url: String,
    timeout_ms: u64,
) -> CommandResult<BadgeWritten> {
    let filter = ctx.reader_filter.clone();
    blocking(move || badges::write_badge(filter, &url, Duration::from_millis(timeout_ms))).await
}
