//! `GET /api/events/{event}/presence`: walls and stations online for an event right now (admin).

use super::extract::{Json, Path};
use crate::db;
use crate::error::Result;
use crate::request::Admin;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use livewall_protocol::Presence;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/api/events/{event}/presence", get(presence))
}

/// Who is online for the event: sockets subscribed to it, counted as walls (kiosk tokens and anonymous viewers
/// of a public wall) or stations, and the devices among them. Organiser consoles are not counted.
#[utoipa::path(get, path = "/api/events/{event}/presence", tag = "events", security(("bearer" = [])),
    params(("event" = String, Path)),
    responses((status = 200, body = Presence), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn presence(
    State(s): State<AppState>,
    _: Admin,
    Path(event): Path<String>,
) -> Result<Json<Presence>> {
    let id = event.clone();
    s.db.read(move |tx| db::events::get(tx, &id).map(drop))
        .await?;
    Ok(Json(s.hub.presence(&event)))
}
