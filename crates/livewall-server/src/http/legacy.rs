//! The original system's paths, kept for its existing clients: `POST /interactions` and
//! `GET /interactions/wall?eventId=`.

use super::extract::{Json, MaybePrincipal, Query};
use crate::auth::Principal;
use crate::error::Result;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use livewall_protocol::{CreateConnection, LegacyInteraction};
use serde::Deserialize;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/interactions", post(interaction))
        .route("/interactions/wall", get(wall))
}

/// The original connection post: the same flow as `POST /api/events/{event}/connections`.
#[utoipa::path(post, path = "/interactions", tag = "original", security(("bearer" = [])),
    request_body = LegacyInteraction,
    responses((status = 201, body = livewall_protocol::ConnectionOutcome),
        (status = 200, body = livewall_protocol::ConnectionOutcome)))]
pub(crate) async fn interaction(
    State(s): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    Json(req): Json<LegacyInteraction>,
) -> Result<Response> {
    let body = CreateConnection {
        from: req.from,
        to: req.to,
    };
    super::connections::post_connection(&s, &p, req.event_id, body, &headers).await
}

/// `?eventId=` of the original wall path.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WallParams {
    event_id: String,
}

/// The original snapshot path: the same answer as `GET /api/events/{event}/wall`.
#[utoipa::path(get, path = "/interactions/wall", tag = "original", params(WallParams),
    responses((status = 200, body = livewall_protocol::Snapshot)))]
pub(crate) async fn wall(
    State(s): State<AppState>,
    who: MaybePrincipal,
    Query(q): Query<WallParams>,
    headers: HeaderMap,
) -> Result<Response> {
    super::wall::wall_response(&s, &who, q.event_id, &headers).await
}
