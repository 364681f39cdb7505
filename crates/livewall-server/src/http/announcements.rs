//! `/api/events/{event}/announcements` (a banner on walls and stations) and `/api/events/{event}/stats`.

use super::extract::{Json, Path};
use crate::db;
use crate::domain;
use crate::error::Result;
use crate::ids::now_ms;
use crate::request::Admin;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use livewall_protocol::{Announce, CurrentAnnouncement, EventStats};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/events/{event}/announcements", post(announce))
        .route("/api/events/{event}/stats", get(stats))
}

/// Shows a banner on the event's walls, stations or both; `message: null` clears it (admin).
#[utoipa::path(post, path = "/api/events/{event}/announcements", tag = "events", security(("bearer" = [])),
    params(("event" = String, Path)), request_body = Announce,
    responses((status = 200, body = Option<CurrentAnnouncement>), (status = 422, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn announce(
    State(s): State<AppState>,
    _: Admin,
    Path(event): Path<String>,
    Json(req): Json<Announce>,
) -> Result<Json<Option<CurrentAnnouncement>>> {
    Ok(Json(domain::announcements::announce(&s, event, req).await?))
}

/// People, connections, taps per minute over the last ten minutes and the most connected people (admin).
#[utoipa::path(get, path = "/api/events/{event}/stats", tag = "events", security(("bearer" = [])),
    params(("event" = String, Path)), responses((status = 200, body = EventStats)))]
pub(crate) async fn stats(
    State(s): State<AppState>,
    _: Admin,
    Path(event): Path<String>,
) -> Result<Json<EventStats>> {
    let now = now_ms();
    Ok(Json(
        s.db.read(move |tx| db::stats::of_event(tx, &event, now))
            .await?,
    ))
}
