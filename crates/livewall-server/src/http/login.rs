//! `POST /api/login`: an organiser's username and password for an admin token.

use super::extract::Json;
use crate::auth;
use crate::db;
use crate::error::{Error, Result};
use crate::ids::now_ms;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::routing::post;
use livewall_protocol::{LoginRequest, LoginResponse};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/api/login", post(login))
}

/// Logs an organiser in.
#[utoipa::path(post, path = "/api/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn login(
    State(s): State<AppState>,
    Json(req): Json<LoginRequest>,
) -> Result<Json<LoginResponse>> {
    let username = req.username.clone();
    let admin = s.db.read(move |tx| db::admins::find(tx, &username)).await?;
    // Verify against a dummy hash when the user is unknown, so timing does not reveal which names exist.
    let hash = admin.as_ref().map(|a| a.password_hash.clone());
    let password = req.password;
    let ok = tokio::task::spawn_blocking(move || match hash {
        Some(h) => auth::verify_password(&password, &h),
        None => {
            auth::verify_password(&password, auth::dummy_hash());
            false
        }
    })
    .await
    .map_err(|e| Error::Internal(format!("password check failed: {e}")))?;
    let Some(admin) = admin.filter(|_| ok) else {
        tracing::warn!(username = %req.username, "failed login");
        return Err(Error::Unauthorized("wrong username or password".into()));
    };
    let (token, expires_at) = s.auth.admin_token(&admin.id, &admin.username, now_ms())?;
    tracing::info!(username = %admin.username, "admin logged in");
    Ok(Json(LoginResponse {
        token,
        expires_at,
        username: admin.username,
    }))
}
