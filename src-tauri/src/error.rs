//! The one error type every command returns. The webview receives it as `{ code, message }`: the admin screens and
//! the station branch on `code` (a stable snake_case word) and show `message` to people.

use serde::Serialize;

/// Why a command failed, as a stable code the UI can branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No contactless reader is attached (or pcscd sees none).
    NoReader,
    /// The PC/SC service (pcscd) is not running.
    ReaderService,
    /// Nothing happened before the caller's deadline.
    Timeout,
    /// Writing the badge failed (write-protected, removed too early, too small...).
    WriteFailed,
    /// The badge was written but reading it back gave something else.
    VerifyFailed,
    /// An argument was not acceptable.
    InvalidInput,
    /// The device is not configured for this (no server, no event).
    NotConfigured,
    /// The PIN given to leave the kiosk is wrong.
    WrongPin,
    /// The server refused or could not be reached.
    Server,
    /// A local file (settings, cache, outbox) failed.
    Storage,
    /// No QR code could be found or read in the image.
    NoQrCode,
    /// The badge already holds another link (it may be someone else's): not written without "replace".
    BadgeInUse,
    /// Another badge than the one checked is on the reader now.
    WrongBadge,
    /// The embedded server could not start (port taken, database unreadable).
    EmbeddedServer,
}

/// A command failure: a code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    /// What kind of failure.
    pub code: ErrorCode,
    /// What to tell the person at the screen.
    pub message: String,
}

impl CommandError {
    /// An error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl From<livewall_client::ClientError> for CommandError {
    fn from(e: livewall_client::ClientError) -> Self {
        use livewall_client::ClientError as C;
        let code = match e {
            C::Db(_) | C::Migration(_) | C::Task(_) => ErrorCode::Storage,
            C::Url(_) => ErrorCode::NotConfigured,
            C::Server { .. } | C::Network(_) | C::WebSocket(_) | C::Closed { .. } | C::Json(_) => {
                ErrorCode::Server
            }
        };
        Self::new(code, e.to_string())
    }
}

impl From<livewall_nfc::NfcError> for CommandError {
    fn from(e: livewall_nfc::NfcError) -> Self {
        use livewall_nfc::NfcError as N;
        let code = match &e {
            N::ServiceUnavailable(_) => ErrorCode::ReaderService,
            N::ReaderNotFound(_) => ErrorCode::NoReader,
            N::VerifyFailed { .. } => ErrorCode::VerifyFailed,
            _ => ErrorCode::WriteFailed,
        };
        Self::new(code, e.to_string())
    }
}

/// What commands return.
pub type CommandResult<T> = Result<T, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let e = CommandError::new(ErrorCode::NoReader, "plug in the reader");
        let json = serde_json::to_value(&e).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"code": "no_reader", "message": "plug in the reader"})
        );
    }
}
