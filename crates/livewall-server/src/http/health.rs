//! `/healthz` (the process answers), `/readyz` (it can serve: database reachable, not shutting down) and
//! `/metrics` (Prometheus text).

use crate::error::{Error, Result};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
}

/// Liveness.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200)))]
pub(crate) async fn healthz() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

/// Readiness: 503 while the database does not answer or the server is stopping.
#[utoipa::path(get, path = "/readyz", tag = "health", responses((status = 200), (status = 503)))]
pub(crate) async fn readyz(State(s): State<AppState>) -> Result<axum::Json<serde_json::Value>> {
    if s.shutdown.is_cancelled() {
        return Err(Error::Unavailable("the server is shutting down".into()));
    }
    if !s.db.ping().await {
        return Err(Error::Unavailable("the database does not answer".into()));
    }
    if let Err(e) = s.db.can_write().await {
        return Err(match e {
            Error::Db(e) if crate::error::is_storage_failure(&e) => Error::Unavailable(
                "the disk is full: the database cannot store anything until space is freed".into(),
            ),
            other => other,
        });
    }
    Ok(axum::Json(serde_json::json!({ "status": "ready" })))
}

/// Prometheus metrics, for an admin token or the `--metrics-token` (they name events, private ones too).
#[utoipa::path(get, path = "/metrics", tag = "health", security(("bearer" = [])),
    responses((status = 200, content_type = "text/plain"), (status = 401, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn metrics_text(
    State(s): State<AppState>,
    headers: HeaderMap,
) -> Result<Response> {
    let token = crate::request::bearer(&headers)?.ok_or_else(|| {
        Error::Unauthorized(
            "the metrics need a bearer token: an admin token or the server's --metrics-token"
                .into(),
        )
    })?;
    let scraper = s
        .config
        .metrics_token
        .as_deref()
        .is_some_and(|m| crate::auth::same_secret(m, token));
    if !scraper {
        s.authenticate(token).await?.require_admin()?;
    }
    let mut res = crate::metrics::handle().render().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    Ok(res)
}
