//! NFC badge reading for livewall stations.
//!
//! A station turns two badge taps into one connection between two people. This crate is the part that talks to
//! the reader: it turns readers being plugged in, badges being placed and removed, and reader failures into one
//! stream of [`NfcEvent`]s, whatever the reader ([`pcsc_backend`] by default, `libnfc_backend` behind the
//! `libnfc` feature). It also parses and writes the badges' NDEF profile URLs ([`ndef`], [`tag`]), resolves a badge
//! to a [`BadgeRef`] for the server ([`badge`]), pairs taps ([`pairing`]) and drives reader LEDs ([`feedback`]).
//!
//! The desktop station consumes [`EventStream`] on a blocking thread and feeds [`pairing::Pairing`]; the admin app
//! uses [`PcscBackend::write_uri`]. `livewall-nfc watch` prints the same events as JSON lines to debug a reader.
//!
//! Only the backends (`pcsc_backend`, `libnfc_backend`) touch a reader; `ndef`, `tag`, `raw_frames`, `badge` and
//! `pairing` are pure logic over bytes and time, tested without hardware.
#![deny(missing_docs)]

pub mod badge;
pub mod error;
pub mod event;
pub mod feedback;
#[cfg(feature = "libnfc")]
pub mod libnfc_backend;
pub mod ndef;
pub mod pairing;
pub mod pcsc_backend;
pub mod raw_frames;
pub mod tag;

pub use badge::{BadgeRef, BadgeResolver};
pub use error::NfcError;
pub use event::{EventStream, NfcEvent, TagEvent};
pub use feedback::{Feedback, FeedbackOutcome};
pub use pairing::{Pairing, PairingConfig, PairingEvent};
pub use pcsc_backend::{PcscBackend, PcscConfig};
pub use tag::TagType;

/// Which reader backend to run.
#[derive(Debug, Clone)]
pub enum BackendConfig {
    /// A PC/SC reader through pcscd.
    Pcsc(PcscConfig),
    /// A libnfc device by connection string.
    #[cfg(feature = "libnfc")]
    Libnfc(libnfc_backend::LibnfcConfig),
}

/// Starts the configured backend; events arrive on the returned stream until it is dropped.
pub fn watch(config: BackendConfig) -> Result<EventStream, NfcError> {
    match config {
        BackendConfig::Pcsc(c) => PcscBackend::new(c).watch(),
        #[cfg(feature = "libnfc")]
        BackendConfig::Libnfc(c) => libnfc_backend::watch(c),
    }
}
