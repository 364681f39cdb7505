//! The crate's error type.

use thiserror::Error;

use crate::ndef::NdefError;

/// Everything that can go wrong talking to a reader or a tag.
#[derive(Debug, Error)]
pub enum NfcError {
    /// The PC/SC daemon is not reachable.
    #[error("pcscd not running (PC/SC service unavailable): {0}")]
    ServiceUnavailable(#[source] pcsc::Error),
    /// A PC/SC call failed.
    #[error("PC/SC {op} failed: {source}")]
    Pcsc {
        /// The call, e.g. `connect`.
        op: &'static str,
        /// The PC/SC error.
        #[source]
        source: pcsc::Error,
    },
    /// The reader or tag answered a command with an error status word.
    #[error("{command} answered status {sw:04X}")]
    Status {
        /// The command.
        command: &'static str,
        /// The status word.
        sw: u16,
    },
    /// An answer shorter than the command requires.
    #[error("{command} answered {len} bytes, expected {expected}")]
    ShortResponse {
        /// The command.
        command: &'static str,
        /// Bytes received.
        len: usize,
        /// Bytes expected.
        expected: usize,
    },
    /// The tag's NDEF data is malformed or does not fit.
    #[error(transparent)]
    Ndef(#[from] NdefError),
    /// Writing needs a capability container, or a tag type whose size we know to create one.
    #[error("tag has no capability container and its size is unknown")]
    UnknownCapacity,
    /// The capability container forbids writing.
    #[error("tag is write-protected")]
    WriteProtected,
    /// Reading back after a write did not give the URI written.
    #[error("verification failed: wrote {wrote:?}, read back {read:?}")]
    VerifyFailed {
        /// URI written.
        wrote: String,
        /// URI read back.
        read: Option<String>,
    },
    /// No reader with that name.
    #[error("reader {0:?} not found")]
    ReaderNotFound(String),
    /// The libnfc backend failed.
    #[error("libnfc {op} failed: {message}")]
    Libnfc {
        /// The call.
        op: &'static str,
        /// libnfc's description.
        message: String,
    },
    /// The backend thread could not be started.
    #[error("cannot start backend thread: {0}")]
    Spawn(#[source] std::io::Error),
}

impl NfcError {
    pub(crate) fn pcsc(op: &'static str, source: pcsc::Error) -> Self {
        match source {
            pcsc::Error::NoService | pcsc::Error::ServiceStopped | pcsc::Error::CommError => {
                Self::ServiceUnavailable(source)
            }
            _ => Self::Pcsc { op, source },
        }
    }

    /// True when the error means the card left the reader, so retrying on the same card is pointless.
    pub fn is_card_gone(&self) -> bool {
        matches!(
            self,
            Self::Pcsc {
                source: pcsc::Error::RemovedCard
                    | pcsc::Error::NoSmartcard
                    | pcsc::Error::ResetCard,
                ..
            }
        )
    }
}
