//! `/api/events/{event}/devices`: kiosk and station tokens, minted and revoked by the organiser.

use super::extract::{Json, Path};
use crate::db;
use crate::error::Result;
use crate::ids::now_ms;
use crate::request::Admin;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
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
    _: Admin,
    Path(event): Path<String>,
) -> Result<Json<Vec<Device>>> {
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
    _: Admin,
    Path(event): Path<String>,
    headers: HeaderMap,
    Json(req): Json<CreateDevice>,
) -> Result<(StatusCode, Json<DeviceToken>)> {
    let now = now_ms();
    let device =
        s.db.write(move |tx| db::devices::insert(tx, &event, &req, now))
            .await?;
    s.auth.grant(&device);
    let token = s.auth.device_token(&device)?;
    tracing::info!(event = %device.event_id, device = %device.id, role = ?device.role, "device token minted");
    let setup_link = setup_link(&s, &headers, &device, &token);
    Ok((
        StatusCode::CREATED,
        Json(DeviceToken {
            device,
            token,
            setup_link,
        }),
    ))
}

/// One device with its token, to show again as text or QR code (admin).
#[utoipa::path(get, path = "/api/events/{event}/devices/{id}", tag = "devices", security(("bearer" = [])),
    params(("event" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = DeviceToken), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn show(
    State(s): State<AppState>,
    _: Admin,
    Path((event, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<DeviceToken>> {
    let device =
        s.db.read(move |tx| db::devices::get(tx, &event, &id))
            .await?;
    let token = s.auth.device_token(&device)?;
    let setup_link = setup_link(&s, &headers, &device, &token);
    Ok(Json(DeviceToken {
        device,
        token,
        setup_link,
    }))
}

/// Revokes a device: its token is refused from this moment (admin).
#[utoipa::path(post, path = "/api/events/{event}/devices/{id}/revoke", tag = "devices", security(("bearer" = [])),
    params(("event" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Device), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn revoke(
    State(s): State<AppState>,
    _: Admin,
    Path((event, id)): Path<(String, String)>,
) -> Result<Json<Device>> {
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

/// The address devices reach this server at: `--public-url`, else the host the organiser's browser used.
fn server_base(s: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = &s.config.public_url {
        return u.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// Everything a new device needs, in one link (see [`DeviceToken::setup_link`]).
fn setup_link(s: &AppState, headers: &HeaderMap, device: &Device, token: &str) -> String {
    let role = match device.role {
        livewall_protocol::DeviceRole::Kiosk => "kiosk",
        livewall_protocol::DeviceRole::Station => "station",
    };
    let enc = |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    format!(
        "{}/setup#role={role}&event={}&token={}",
        server_base(s, headers),
        enc(&device.event_id),
        enc(token)
    )
}
