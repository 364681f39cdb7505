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
    #[error("{}", status_words(command, *sw))]
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
    #[error(
        "this badge is not formatted and its chip did not say how large it is: use NTAG213/215/216 badges"
    )]
    UnknownCapacity,
    /// The capability container forbids writing.
    #[error("this badge is locked (write-protected): it cannot be enrolled, use another one")]
    WriteProtected,
    /// Page 3 holds something that is not an NDEF capability container; it is one-time programmable.
    #[error(
        "this badge was formatted for something other than NFC links (capability container {0:02X?}) and that \
         cannot be undone: use another badge"
    )]
    ForeignCapabilityContainer([u8; 4]),
    /// Not an NFC Forum Type 2 tag (e.g. MIFARE Classic).
    #[error("a {0:?} card cannot hold a badge link: use NTAG213/215/216 badges")]
    NotType2(crate::TagType),
    /// Reading back after a write did not give the URI written.
    #[error(
        "the badge did not keep what was written (read back {read:?}): keep it still on the reader and try again"
    )]
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

/// A status word in words; the code stays at the end for support.
fn status_words(command: &str, sw: u16) -> String {
    let what = match sw {
        0x6982 => "the badge is password-protected",
        0x6A81 | 0x6D00 | 0x6E00 => "this reader or badge does not support the command",
        0x6A82 | 0x6B00 => "the badge is smaller than expected (no such page)",
        0x6300 => "the badge did not answer: keep it still on the reader and try again",
        0x6581 => "the badge's memory failed",
        _ => "the reader refused the command",
    };
    format!("{what} ({command}, status {sw:04X})")
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

    /// True when the error means the card left the reader, so retrying on the same card is pointless. A card reset
    /// by another program ("the smart card has been reset") is still there: connecting again reads it.
    pub fn is_card_gone(&self) -> bool {
        matches!(
            self,
            Self::Pcsc {
                source: pcsc::Error::RemovedCard | pcsc::Error::NoSmartcard,
                ..
            }
        )
    }
}
