//! `/api/events/{event}/imports`: attendee CSV import, previewed first, committed all or nothing, or only its good
//! rows when the organiser asks.

use super::extract::{Json, Path, Query};
use crate::db;
use crate::domain;
use crate::error::{Error, Result};
use crate::import;
use crate::request::Admin;
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use livewall_protocol::{ImportPreview, ImportResult};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/events/{event}/imports/preview", post(preview))
        .route("/api/events/{event}/imports", post(commit))
}

/// The most attendee rows one file may have.
pub(crate) const MAX_ROWS: usize = 100_000;

/// Reads the CSV on a blocking thread (a large file must not hold up the async runtime that answers everyone
/// else), refusing one with more than [`MAX_ROWS`] lines with 413.
async fn parse(body: Bytes) -> Result<import::Parsed> {
    tokio::task::spawn_blocking(move || {
        let text = std::str::from_utf8(&body).map_err(|e| {
            Error::BadRequest(format!(
                "the CSV is not UTF-8 text (byte {}): save it as UTF-8",
                e.valid_up_to()
            ))
        })?;
        let lines = text.bytes().filter(|b| *b == b'\n').count();
        if lines > MAX_ROWS + 1 {
            return Err(Error::PayloadTooLarge(format!(
                "the file has {lines} lines; one import takes at most {MAX_ROWS} attendees: split it"
            )));
        }
        Ok(import::parse(text))
    })
    .await
    .map_err(|e| Error::Internal(format!("import task failed: {e}")))?
}

/// Reads a CSV (UTF-8, header line first) and answers what it would create and every problem, without storing
/// anything (admin).
#[utoipa::path(post, path = "/api/events/{event}/imports/preview", tag = "profiles", security(("bearer" = [])),
    params(("event" = String, Path)), request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportPreview)))]
pub(crate) async fn preview(
    State(s): State<AppState>,
    _: Admin,
    Path(event): Path<String>,
    body: Bytes,
) -> Result<Json<ImportPreview>> {
    let parsed = parse(body).await?;
    let preview =
        s.db.read(move |tx| {
            db::events::get(tx, &event)?;
            let mut more = import::check_against_event(tx, &event, &parsed)?;
            let mut preview = parsed.preview;
            preview.errors.append(&mut more);
            preview.errors.sort_by_key(|e| e.index);
            Ok(preview)
        })
        .await?;
    Ok(Json(preview))
}

/// How a commit treats rows with problems.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CommitOptions {
    /// Import the rows without problems and leave the others out (answered in `skipped`), instead of nothing.
    #[serde(default)]
    skip_invalid: bool,
}

/// Imports a CSV: every row is created, or none when any row has a problem (422 listing line, column and why).
/// With `?skipInvalid=true` the good rows are created and the bad ones answered as skipped; a problem with the
/// file itself (its header) still imports nothing.
#[utoipa::path(post, path = "/api/events/{event}/imports", tag = "profiles", security(("bearer" = [])),
    params(("event" = String, Path), ("skipInvalid" = Option<bool>, Query)),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportResult), (status = 422, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn commit(
    State(s): State<AppState>,
    _: Admin,
    Path(event): Path<String>,
    Query(options): Query<CommitOptions>,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportResult>)> {
    let parsed = parse(body).await?;
    let (created, skipped) =
        domain::profiles::import(&s, event, parsed, options.skip_invalid).await?;
    tracing::info!(created, skipped = skipped.len(), "attendees imported");
    Ok((StatusCode::CREATED, Json(ImportResult { created, skipped })))
}
