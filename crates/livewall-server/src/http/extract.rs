//! Request extractors whose rejections are the app's own JSON errors (the credential extractors are in
//! [`crate::request`], shared with the live socket).

use crate::error::Error;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;

/// `axum::Json` with errors as `{"error":{...}}`: 400 naming the problem, 413 when too large.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub(super) struct Json<T>(pub T);

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
pub(super) struct Query<T>(pub T);

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
pub(super) struct Path<T>(pub T);

impl From<PathRejection> for Error {
    fn from(r: PathRejection) -> Self {
        Error::BadRequest(format!("the URL could not be read: {}", r.body_text()))
    }
}
