//! What talking to a server can fail with.

use livewall_protocol::{CloseCode, ErrorCode, HoldKind};

/// A client error.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an error body.
    #[error("server answered {status}: {message}")]
    Server {
        status: u16,
        code: Option<ErrorCode>,
        message: String,
    },
    /// The server could not be reached or the connection broke.
    #[error("cannot reach the server: {0}")]
    Network(String),
    /// The WebSocket failed.
    #[error("live connection failed: {0}")]
    WebSocket(#[from] Box<tokio_tungstenite::tungstenite::Error>),
    /// The server closed the live connection with this code (see `livewall_protocol::CloseCode`).
    #[error("the server closed the live connection ({code}: {reason})")]
    Closed { code: u16, reason: String },
    /// The local cache or outbox failed.
    #[error("local database: {0}")]
    Db(#[from] rusqlite::Error),
    /// The local database's schema could not be brought up to date.
    #[error("local database migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// An answer or a stored value was not the JSON expected.
    #[error("unexpected data: {0}")]
    Json(#[from] serde_json::Error),
    /// A URL given to the client is not usable.
    #[error("bad server URL {0:?}")]
    Url(String),
    /// A blocking task failed.
    #[error("background task failed: {0}")]
    Task(String),
}

impl ClientError {
    /// What this failure of a tap's delivery means for the tap: `None` when the server refused *the tap itself*
    /// (unknown badge, the same person twice, a body it cannot take), so it is done and dropped with the reason;
    /// otherwise why it must stay queued. Refused credentials, a missing event, a busy server, an answer that is not
    /// ours (a captive portal's page): none of these is about the tap, and none may lose it.
    pub fn hold(&self) -> Option<HoldKind> {
        match self {
            Self::Server { status, code, .. } => match (status, code) {
                (_, Some(ErrorCode::UnknownAttendee | ErrorCode::Validation)) => None,
                (400 | 409 | 413, Some(_)) => None,
                (401 | 403, _) => Some(HoldKind::TokenRefused),
                (404, Some(ErrorCode::NotFound)) => Some(HoldKind::EventNotFound),
                (s, _) if *s >= 500 || *s == 408 || *s == 429 => Some(HoldKind::ServerBusy),
                _ => Some(HoldKind::Other),
            },
            Self::Closed { code, .. } if *code == CloseCode::Revoked.code() => {
                Some(HoldKind::TokenRefused)
            }
            Self::Network(_) | Self::WebSocket(_) | Self::Closed { .. } => {
                Some(HoldKind::Unreachable)
            }
            Self::Json(_) | Self::Url(_) | Self::Db(_) | Self::Migration(_) | Self::Task(_) => {
                Some(HoldKind::Other)
            }
        }
    }
}

impl ClientError {
    /// False when the server closed the live connection with a code that says "do not come back" (revoked token,
    /// ended login, wall no longer public, event deleted): reconnecting would only be refused again.
    pub fn should_reconnect(&self) -> bool {
        match self {
            Self::Closed { code, .. } => livewall_protocol::close::should_reconnect(*code),
            _ => true,
        }
    }
}

impl From<reqwest::Error> for ClientError {
    fn from(e: reqwest::Error) -> Self {
        Self::Network(e.to_string())
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = ClientError> = std::result::Result<T, E>;
