//! `/api/events/{event}/connections`: post a meeting (the original flow), list and moderate them.

use super::extract::{Json, Path};
use crate::auth::Principal;
use crate::db;
use crate::error::{Error, Result};
use crate::ids::now_ms;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use livewall_protocol::{Connection, ConnectionOutcome, CreateConnection};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/events/{event}/connections", get(list).post(create))
        .route("/api/events/{event}/connections/{id}", delete(remove))
}

/// The `Idempotency-Key` header, checked: 1 to 255 visible ASCII characters.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = v
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            Error::BadRequest("Idempotency-Key must be 1 to 255 visible ASCII characters".into())
        })?;
    Ok(Some(key.to_owned()))
}

/// Posts one connection for `event` on behalf of `p` (shared with the original `/interactions` path).
pub(crate) async fn post_connection(
    s: &AppState,
    p: &Principal,
    event: String,
    req: CreateConnection,
    headers: &HeaderMap,
) -> Result<Response> {
    p.require_station(&event)?;
    let key = idempotency_key(headers)?;
    let device = p.device_id().map(str::to_owned);
    let posted = record(s, event, req, device, key).await?;
    let status = StatusCode::from_u16(posted.status).unwrap_or(StatusCode::OK);
    let mut res = (status, posted.body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(res)
}

/// The one write path of a connection, whoever posts it: idempotency, the duplicate rule, the log entry and its
/// publication, and the metrics.
pub(crate) async fn record(
    s: &AppState,
    event: String,
    req: CreateConnection,
    device: Option<String>,
    key: Option<String>,
) -> Result<db::connections::Posted> {
    let now = now_ms();
    let posted = s
        .write_logged(move |tx| {
            let mut posted =
                db::connections::post(tx, &event, &req, device.as_deref(), key.as_deref(), now)?;
            let entries = posted.entry.take().into_iter().collect();
            Ok((posted, entries))
        })
        .await?;
    if posted.status == 201 {
        metrics::counter!("livewall_connections_created_total").increment(1);
    }
    Ok(posted)
}

/// Records that two people met. 201 when new, 200 with `duplicate:true` when they had already met.
/// With an `Idempotency-Key` header, a retry answers exactly what the first request got.
#[utoipa::path(post, path = "/api/events/{event}/connections", tag = "connections", security(("bearer" = [])),
    params(("event" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = CreateConnection,
    responses((status = 201, body = ConnectionOutcome), (status = 200, body = ConnectionOutcome),
        (status = 404, body = livewall_protocol::ErrorBody), (status = 422, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn create(
    State(s): State<AppState>,
    p: Principal,
    Path(event): Path<String>,
    headers: HeaderMap,
    Json(req): Json<CreateConnection>,
) -> Result<Response> {
    post_connection(&s, &p, event, req, &headers).await
}

/// Every connection of the event, oldest first (admin).
#[utoipa::path(get, path = "/api/events/{event}/connections", tag = "connections", security(("bearer" = [])),
    params(("event" = String, Path)), responses((status = 200, body = [Connection])))]
pub(crate) async fn list(
    State(s): State<AppState>,
    p: Principal,
    Path(event): Path<String>,
) -> Result<Json<Vec<Connection>>> {
    p.require_admin()?;
    Ok(Json(
        s.db.read(move |tx| db::connections::list(tx, &event))
            .await?,
    ))
}

/// Removes a connection (admin moderation); walls drop the link live.
#[utoipa::path(delete, path = "/api/events/{event}/connections/{id}", tag = "connections",
    security(("bearer" = [])), params(("event" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn remove(
    State(s): State<AppState>,
    p: Principal,
    Path((event, id)): Path<(String, String)>,
) -> Result<StatusCode> {
    p.require_admin()?;
    let now = now_ms();
    s.write_logged(move |tx| {
        Ok((
            (),
            db::connections::delete(tx, &event, &id, now)?
                .into_iter()
                .collect(),
        ))
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
