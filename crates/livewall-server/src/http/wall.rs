//! `GET /api/events/{event}/wall`: the snapshot a wall starts from, with an ETag.

use super::extract::Path;
use crate::db;
use crate::error::{Error, Result};
use crate::request::MaybePrincipal;
use crate::state::{AppState, CachedWall};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use std::sync::Arc;

/// The snapshot route, readable from other origins (a public wall embedded in another site).
pub(crate) fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/api/events/{event}/wall",
            get(wall).options(super::cors::options),
        )
        .layer(super::cors::reads(&state.config.cors))
        .layer(axum::middleware::from_fn(super::cors::preflight_no_content))
}

fn etag(epoch: &str, seq: u64) -> String {
    format!("\"{epoch}-{seq}\"")
}

fn matches(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == tag || t.trim() == "*" || t.trim() == format!("W/{tag}"))
        })
}

/// Answers the snapshot of `event` (shared with the original `/interactions/wall` path).
///
/// The log position identifies the wall's content (every visible change is logged), so the ETag is the
/// position, a 304 costs one tiny query, and the serialised body is cached until the log moves on.
pub(crate) async fn wall_response(
    s: &AppState,
    who: &MaybePrincipal,
    event: String,
    headers: &HeaderMap,
) -> Result<Response> {
    let id = event.clone();
    let read =
        s.db.read(move |tx| {
            let e = db::events::get(tx, &id)?;
            let (epoch, seq) = db::log::position(tx, &id)?;
            Ok((e.settings.public_wall, epoch, seq))
        })
        .await;
    let (public, epoch, seq) = who.hide_missing(&event, read)?;
    who.require_read(&event, public)?;
    let tag = etag(&epoch, seq);
    if matches(headers, &tag) {
        return Ok(with_etag(StatusCode::NOT_MODIFIED.into_response(), &tag));
    }
    let cached = s
        .walls
        .lock()
        .map_err(|_| Error::Internal("wall cache lock poisoned".into()))?
        .get(&event)
        .filter(|c| c.epoch == epoch && c.seq == seq)
        .cloned();
    let wall = match cached {
        Some(c) => c,
        None => {
            let id = event.clone();
            let snap = s.db.read(move |tx| db::wall::snapshot(tx, &id)).await?;
            let body = serde_json::to_vec(&snap)
                .map_err(|e| Error::Internal(format!("cannot serialise wall: {e}")))?;
            let fresh = Arc::new(CachedWall {
                epoch: snap.epoch,
                seq: snap.seq,
                body: Bytes::from(body),
            });
            s.walls
                .lock()
                .map_err(|_| Error::Internal("wall cache lock poisoned".into()))?
                .insert(event, fresh.clone());
            fresh
        }
    };
    let mut res = (StatusCode::OK, wall.body.clone()).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(with_etag(res, &etag(&wall.epoch, wall.seq)))
}

fn with_etag(mut res: Response, tag: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(tag) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// The wall snapshot: every visible person and link, with the log position (`epoch`, `seq`) to subscribe from.
/// Never contains e-mails or hidden people. Supports `If-None-Match`.
#[utoipa::path(get, path = "/api/events/{event}/wall", tag = "wall", params(("event" = String, Path)),
    responses((status = 200, body = livewall_protocol::Snapshot), (status = 304),
        (status = 401, body = livewall_protocol::ErrorBody), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn wall(
    State(s): State<AppState>,
    who: MaybePrincipal,
    Path(event): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    wall_response(&s, &who, event, &headers).await
}
