//! The server's one error type. Each variant maps to an HTTP status and to the JSON body
//! `{"error":{"code","message"}}`; internal details are logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use livewall_protocol::{ErrorBody, ErrorCode, ErrorDetail, FieldError};

/// Everything a request or a store operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// No attendee with that badge, e-mail or profile id in the event.
    #[error("{0}")]
    UnknownAttendee(String),
    #[error("{0}")]
    Conflict(String),
    /// Both sides of a meeting are the same person (a 422): the one rule, which each transport words its own way.
    #[error("{0}")]
    SamePerson(String),
    #[error("{message}")]
    Validation {
        message: String,
        details: Vec<FieldError>,
    },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    RateLimited(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A 422 with a single message.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::Validation {
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// The wire code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::Unauthorized(_) => ErrorCode::Unauthorized,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::UnknownAttendee(_) => ErrorCode::UnknownAttendee,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::Validation { .. } | Self::SamePerson(_) => ErrorCode::Validation,
            Self::PayloadTooLarge(_) => ErrorCode::PayloadTooLarge,
            Self::RateLimited(_) => ErrorCode::RateLimited,
            Self::Unavailable(_) => ErrorCode::Unavailable,
            Self::Db(e) if is_storage_failure(e) => ErrorCode::StorageFull,
            Self::Db(_) | Self::Migration(_) | Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        status_of(self.code())
    }

    /// The JSON body of this error; 5xx details stay in the log.
    pub fn body(&self) -> ErrorBody {
        let (message, details) = match self {
            Self::Db(e) if is_storage_failure(e) => (
                "the server's disk is full, so nothing can be stored right now; nothing was saved. \
                 Retry once space is freed"
                    .to_owned(),
                Vec::new(),
            ),
            Self::Db(_) | Self::Migration(_) | Self::Internal(_) => (
                "internal server error; see the server log".to_owned(),
                Vec::new(),
            ),
            Self::Validation { message, details } => (message.clone(), details.clone()),
            other => (other.to_string(), Vec::new()),
        };
        ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message,
                details,
            },
        }
    }
}

/// The HTTP status for a wire error code.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
        ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound | ErrorCode::UnknownAttendee => StatusCode::NOT_FOUND,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::Validation => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
    }
}

/// True when SQLite failed for lack of disk space (or the disk failing under it).
pub fn is_storage_failure(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == rusqlite::ErrorCode::DiskFull || f.code == rusqlite::ErrorCode::SystemIoFailure)
}

impl Error {
    /// The response for the original Live Wall's clients, which read a top-level `message`: the usual body with
    /// `"message"` beside `"error"`.
    pub fn into_original_response(self) -> Response {
        self.respond(true)
    }

    fn respond(self, with_message: bool) -> Response {
        match &self {
            Self::Db(e) if is_storage_failure(e) => {
                metrics::counter!("livewall_db_errors_total").increment(1);
                tracing::error!(error = %e, "the disk is full: a write was refused");
            }
            Self::Db(e) => {
                metrics::counter!("livewall_db_errors_total").increment(1);
                tracing::error!(error = %e, "database error");
            }
            Self::Migration(e) => tracing::error!(error = %e, "migration error"),
            Self::Internal(e) => tracing::error!(error = %e, "internal error"),
            _ => {}
        }
        let body = self.body();
        let mut res = if with_message {
            let json = serde_json::json!({"message": body.error.message, "error": body.error});
            (self.status(), axum::Json(json)).into_response()
        } else {
            (self.status(), axum::Json(body)).into_response()
        };
        if matches!(self, Self::Unauthorized(_)) {
            res.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        self.respond(false)
    }
}
