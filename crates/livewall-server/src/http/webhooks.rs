//! `/api/events/{event}/webhooks`: the organiser's endpoints, their recent deliveries, and "send again".

use super::extract::{Json, Path};
use crate::domain::webhooks;
use crate::error::Result;
use crate::request::Admin;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use livewall_protocol::{CreateWebhook, UpdateWebhook, Webhook, WebhookDelivery};
use serde::Deserialize;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/events/{event}/webhooks", get(list).post(create))
        .route(
            "/api/events/{event}/webhooks/{id}",
            axum::routing::patch(update).delete(remove),
        )
        .route(
            "/api/events/{event}/webhooks/{id}/deliveries",
            get(deliveries),
        )
        .route(
            "/api/events/{event}/webhooks/{id}/deliveries/{delivery}/retry",
            post(resend),
        )
}

/// The event's webhooks (admin).
#[utoipa::path(get, path = "/api/events/{event}/webhooks", tag = "webhooks", security(("bearer" = [])),
    params(("event" = String, Path)), responses((status = 200, body = [Webhook])))]
pub(crate) async fn list(
    State(s): State<AppState>,
    _: Admin,
    Path(event): Path<String>,
) -> Result<Json<Vec<Webhook>>> {
    Ok(Json(webhooks::list(&s, event).await?))
}

/// Registers an endpoint; the answer carries its signing secret (admin).
#[utoipa::path(post, path = "/api/events/{event}/webhooks", tag = "webhooks", security(("bearer" = [])),
    params(("event" = String, Path)), request_body = CreateWebhook,
    responses((status = 201, body = Webhook), (status = 400, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn create(
    State(s): State<AppState>,
    _: Admin,
    Path(event): Path<String>,
    Json(req): Json<CreateWebhook>,
) -> Result<(StatusCode, Json<Webhook>)> {
    let w = webhooks::create(&s, event, req).await?;
    tracing::info!(event = %w.event_id, webhook = %w.id, url = %w.url, "webhook registered");
    Ok((StatusCode::CREATED, Json(w)))
}

/// Edits, pauses or resumes an endpoint (admin).
#[utoipa::path(patch, path = "/api/events/{event}/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    params(("event" = String, Path), ("id" = String, Path)), request_body = UpdateWebhook,
    responses((status = 200, body = Webhook), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn update(
    State(s): State<AppState>,
    _: Admin,
    Path((event, id)): Path<(String, String)>,
    Json(req): Json<UpdateWebhook>,
) -> Result<Json<Webhook>> {
    Ok(Json(webhooks::update(&s, event, id, req).await?))
}

/// Deletes an endpoint with its queue (admin).
#[utoipa::path(delete, path = "/api/events/{event}/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    params(("event" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn remove(
    State(s): State<AppState>,
    _: Admin,
    Path((event, id)): Path<(String, String)>,
) -> Result<StatusCode> {
    webhooks::delete(&s, event, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub(crate) struct Limit {
    limit: Option<u32>,
}

/// The endpoint's recent deliveries, newest first, with their attempts (admin).
#[utoipa::path(get, path = "/api/events/{event}/webhooks/{id}/deliveries", tag = "webhooks",
    security(("bearer" = [])),
    params(("event" = String, Path), ("id" = String, Path), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = [WebhookDelivery]), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn deliveries(
    State(s): State<AppState>,
    _: Admin,
    Path((event, id)): Path<(String, String)>,
    Query(q): Query<Limit>,
) -> Result<Json<Vec<WebhookDelivery>>> {
    Ok(Json(
        webhooks::deliveries(&s, event, id, q.limit.unwrap_or(50)).await?,
    ))
}

/// Sends a delivery again now, with the same id (admin).
#[utoipa::path(post, path = "/api/events/{event}/webhooks/{id}/deliveries/{delivery}/retry", tag = "webhooks",
    security(("bearer" = [])),
    params(("event" = String, Path), ("id" = String, Path), ("delivery" = String, Path)),
    responses((status = 200, body = WebhookDelivery), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn resend(
    State(s): State<AppState>,
    _: Admin,
    Path((event, id, delivery)): Path<(String, String, String)>,
) -> Result<Json<WebhookDelivery>> {
    Ok(Json(webhooks::resend(&s, event, id, delivery).await?))
}
