//! `/api/events/{event}/devices`: kiosk and station tokens, minted and revoked by the organiser.

use super::extract::{Json, Path};
use crate::auth::Principal;
use crate::db;
use crate::error::Result;
use crate::ids::now_ms;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use livewall_protocol::{CreateDevice, Device, DeviceToken};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/events/{event}/devices", get(list).post(create))
        .route("/api/events/{event}/devices/{id}", get(show))
        .route("/api/events/{event}/devices/{id}/revoke", post(revoke))
}

/// The event's devices (admin).
#[utoipa::path(get, path = "/api/events/{event}/devices", tag = "devices", security(("bearer" = [])),
    params(("event" = String, Path)), responses((status = 200, body = [Device])))]
pub(crate) async fn list(
    State(s): State<AppState>,
    p: Principal,
    Path(event): Path<String>,
) -> Result<Json<Vec<Device>>> {
    p.require_admin()?;
    Ok(Json(
        s.db.read(move |tx| db::devices::list(tx, &event)).await?,
    ))
}

/// Mints a kiosk or station token bound to this event (admin).
#[utoipa::path(post, path = "/api/events/{event}/devices", tag = "devices", security(("bearer" = [])),
    params(("event" = String, Path)), request_body = CreateDevice,
    responses((status = 201, body = DeviceToken), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn create(
    State(s): State<AppState>,
    p: Principal,
    Path(event): Path<String>,
    Json(req): Json<CreateDevice>,
) -> Result<(StatusCode, Json<DeviceToken>)> {
    p.require_admin()?;
    let now = now_ms();
    let device =
        s.db.write(move |tx| db::devices::insert(tx, &event, &req, now))
            .await?;
    s.auth.grant(&device);
    let token = s.auth.device_token(&device)?;
    tracing::info!(event = %device.event_id, device = %device.id, role = ?device.role, "device token minted");
    Ok((StatusCode::CREATED, Json(DeviceToken { device, token })))
}

/// One device with its token, to show again as text or QR code (admin).
#[utoipa::path(get, path = "/api/events/{event}/devices/{id}", tag = "devices", security(("bearer" = [])),
    params(("event" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = DeviceToken), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn show(
    State(s): State<AppState>,
    p: Principal,
    Path((event, id)): Path<(String, String)>,
) -> Result<Json<DeviceToken>> {
    p.require_admin()?;
    let device =
        s.db.read(move |tx| db::devices::get(tx, &event, &id))
            .await?;
    let token = s.auth.device_token(&device)?;
    Ok(Json(DeviceToken { device, token }))
}

/// Revokes a device: its token is refused from this moment (admin).
#[utoipa::path(post, path = "/api/events/{event}/devices/{id}/revoke", tag = "devices", security(("bearer" = [])),
    params(("event" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Device), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn revoke(
    State(s): State<AppState>,
    p: Principal,
    Path((event, id)): Path<(String, String)>,
) -> Result<Json<Device>> {
    p.require_admin()?;
    let now = now_ms();
    let device =
        s.db.write(move |tx| db::devices::revoke(tx, &event, &id, now))
            .await?;
    s.auth.revoke(&device.id);
    // Its live sockets go too, not only its next request.
    let sockets = s.hub.close_device(&device.id);
    tracing::info!(event = %device.event_id, device = %device.id, sockets, "device revoked");
    Ok(Json(device))
}
