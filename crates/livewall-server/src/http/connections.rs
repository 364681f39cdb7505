//! `/api/events/{event}/connections`: post a meeting (the original flow), list and moderate them.

use super::extract::{Json, Path};
use crate::auth::Principal;
use crate::db;
use crate::domain::{self, connections::Meeting, connections::Recorded};
use crate::error::{Error, Result};
use crate::request::Admin;
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

/// Posts one connection for `event` on behalf of `p` (shared with the original `/interactions` path): the
/// domain's outcome as 201 (new), 200 (`duplicate:true`), or a keyed retry's first answer with its first status.
pub(crate) async fn post_connection(
    s: &AppState,
    p: &Principal,
    event: String,
    req: CreateConnection,
    headers: &HeaderMap,
) -> Result<Response> {
    p.require_station(&event)?;
    let mut meeting = Meeting::now(event, req);
    meeting.key = idempotency_key(headers)?;
    meeting.device = p.device_id().map(str::to_owned);
    let recorded = domain::connections::record(s, meeting).await?;
    let status = if recorded.created() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut res = match recorded {
        Recorded::Created(o) | Recorded::Duplicate(o) => (status, axum::Json(o)).into_response(),
        Recorded::Replayed { body, .. } => (status, body).into_response(),
    };
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(res)
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
    _: Admin,
    Path(event): Path<String>,
) -> Result<Json<Vec<Connection>>> {
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
    _: Admin,
    Path((event, id)): Path<(String, String)>,
) -> Result<StatusCode> {
    domain::connections::remove(&s, event, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
