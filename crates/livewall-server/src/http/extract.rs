//! Request extractors whose rejections are the app's own JSON errors, and the bearer-token extractors.

use crate::auth::Principal;
use crate::error::Error;
use crate::state::AppState;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;

/// `axum::Json` with errors as `{"error":{...}}`: 400 naming the problem, 413 when too large.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

impl From<JsonRejection> for Error {
    fn from(r: JsonRejection) -> Self {
        match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => {
                Error::PayloadTooLarge("the request body is larger than this server accepts".into())
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::BadRequest(
                "send the body as JSON with the header Content-Type: application/json".into(),
            ),
            _ => Error::BadRequest(format!(
                "the JSON body could not be read: {}",
                r.body_text()
            )),
        }
    }
}

/// `axum::extract::Query` with JSON errors.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Error))]
pub struct Query<T>(pub T);

impl From<QueryRejection> for Error {
    fn from(r: QueryRejection) -> Self {
        Error::BadRequest(format!(
            "the query string could not be read: {}",
            r.body_text()
        ))
    }
}

/// `axum::extract::Path` with JSON errors.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Error))]
pub struct Path<T>(pub T);

impl From<PathRejection> for Error {
    fn from(r: PathRejection) -> Self {
        Error::BadRequest(format!("the URL could not be read: {}", r.body_text()))
    }
}

/// The bearer token of a request, if it has one: `Authorization: Bearer ...`.
pub fn bearer(headers: &axum::http::HeaderMap) -> Result<Option<&str>, Error> {
    let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| Error::Unauthorized("the Authorization header is not readable text".into()))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| {
            Error::Unauthorized("the Authorization header must be 'Bearer <token>'".into())
        })?;
    Ok(Some(token.trim()))
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match bearer(&parts.headers)? {
            Some(token) => state.auth.verify(token),
            None => Err(Error::Unauthorized(
                "this needs a bearer token: send Authorization: Bearer <token>".into(),
            )),
        }
    }
}

/// A caller that may be anonymous (public walls). A token that is present but bad is still refused with 401.
#[derive(Debug, Clone)]
pub struct MaybePrincipal(pub Option<Principal>);

impl FromRequestParts<AppState> for MaybePrincipal {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match bearer(&parts.headers)? {
            Some(token) => Ok(Self(Some(state.auth.verify(token)?))),
            None => Ok(Self(None)),
        }
    }
}

impl MaybePrincipal {
    /// May this caller read the event's wall? Anyone may when the organiser made the wall public.
    pub fn require_read(&self, event_id: &str, public: bool) -> Result<(), Error> {
        match &self.0 {
            Some(p) => p.require_event(event_id),
            None if public => Ok(()),
            None => Err(Error::Unauthorized(
                "this wall is not public: send Authorization: Bearer <token>".into(),
            )),
        }
    }
}
