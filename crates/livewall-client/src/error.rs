//! What talking to a server can fail with.

use livewall_protocol::ErrorCode;

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
    /// True for failures worth retrying later (network, 5xx, 408, 429); false when the server refused for good.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Network(_) | Self::WebSocket(_) => true,
            Self::Server { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            Self::Db(_) | Self::Migration(_) | Self::Json(_) | Self::Url(_) | Self::Task(_) => {
                false
            }
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
