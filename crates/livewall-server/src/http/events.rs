//! `/api/events`: create, list, read, update and delete events.

use super::extract::{Json, Path};
use crate::db;
use crate::domain;
use crate::error::{Error, Result};
use crate::ids::now_ms;
use crate::request::Admin;
use crate::request::MaybePrincipal;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use livewall_protocol::{CreateEvent, Event, UpdateEvent};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/events", get(list).post(create))
        .route(
            "/api/events/{event}",
            get(show).patch(update).delete(remove),
        )
}

/// Every event (admin).
#[utoipa::path(get, path = "/api/events", tag = "events", security(("bearer" = [])),
    responses((status = 200, body = [Event]), (status = 401, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn list(State(s): State<AppState>, _: Admin) -> Result<Json<Vec<Event>>> {
    Ok(Json(s.db.read(db::events::list).await?))
}

/// Creates an event (admin).
#[utoipa::path(post, path = "/api/events", tag = "events", security(("bearer" = [])), request_body = CreateEvent,
    responses((status = 201, body = Event), (status = 409, body = livewall_protocol::ErrorBody),
        (status = 422, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn create(
    State(s): State<AppState>,
    _: Admin,
    Json(req): Json<CreateEvent>,
) -> Result<(StatusCode, Json<Event>)> {
    let now = now_ms();
    let e =
        s.db.write(move |tx| db::events::insert(tx, req, now))
            .await?;
    tracing::info!(event = %e.id, name = %e.name, "event created");
    Ok((StatusCode::CREATED, Json(e)))
}

/// One event: admins, the event's devices, or anyone when its wall is public.
#[utoipa::path(get, path = "/api/events/{event}", tag = "events", params(("event" = String, Path)),
    responses((status = 200, body = Event), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn show(
    State(s): State<AppState>,
    who: MaybePrincipal,
    Path(event): Path<String>,
) -> Result<Json<Event>> {
    let id = event.clone();
    let e = who.hide_missing(&event, s.db.read(move |tx| db::events::get(tx, &id)).await)?;
    who.require_read(&e.id, e.settings.public_wall)?;
    Ok(Json(e))
}

/// Changes an event's name, dates or settings (admin); walls follow name and settings live.
#[utoipa::path(patch, path = "/api/events/{event}", tag = "events", security(("bearer" = [])),
    params(("event" = String, Path)), request_body = UpdateEvent,
    responses((status = 200, body = Event), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn update(
    State(s): State<AppState>,
    _: Admin,
    Path(event): Path<String>,
    Json(req): Json<UpdateEvent>,
) -> Result<Json<Event>> {
    let e = domain::events::update(&s, event, req).await?;
    Ok(Json(e))
}

/// Deletes an event with all its people, connections, log and devices (admin).
#[utoipa::path(delete, path = "/api/events/{event}", tag = "events", security(("bearer" = [])),
    params(("event" = String, Path)),
    responses((status = 204), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn remove(
    State(s): State<AppState>,
    _: Admin,
    Path(event): Path<String>,
) -> Result<StatusCode> {
    let id = event.clone();
    let endpoints =
        s.db.write(move |tx| {
            db::events::delete(tx, &id)?;
            // Its webhooks went with it.
            db::webhooks::count(tx)
        })
        .await?;
    s.webhooks.set_endpoints(endpoints);
    s.auth.revoke_event(&event);
    s.hub.end_event(&event);
    s.walls
        .lock()
        .map_err(|_| Error::Internal("wall cache lock poisoned".into()))?
        .remove(&event);
    tracing::info!(event = %event, "event deleted");
    Ok(StatusCode::NO_CONTENT)
}
