//! The one stream of events every backend produces.

use std::sync::mpsc::Receiver;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::badge::{BadgeRef, BadgeResolver, hex_upper};
use crate::tag::{TagData, TagType};

/// Something a reader backend observed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum NfcEvent {
    /// The backend reached its reader service (pcscd, libnfc device); `recovered` after an outage.
    ServiceUp {
        /// `pcsc` or `libnfc`.
        backend: &'static str,
        /// True when this ends a [`NfcEvent::ServiceDown`].
        recovered: bool,
    },
    /// The reader service is gone (e.g. "pcscd not running"); the backend keeps retrying.
    ServiceDown {
        /// `pcsc` or `libnfc`.
        backend: &'static str,
        /// What is wrong, for the person at the booth.
        message: String,
    },
    /// A reader appeared.
    ReaderAttached {
        /// Reader name.
        reader: String,
        /// False when the reader is seen but not watched (e.g. the SAM slot of a dual reader).
        watched: bool,
    },
    /// A reader disappeared.
    ReaderDetached {
        /// Reader name.
        reader: String,
    },
    /// A tag was placed and read.
    TagPresent(TagEvent),
    /// The tag left the reader.
    TagRemoved {
        /// Reader name.
        reader: String,
        /// UID of the tag that left, when it had been read.
        uid: Option<String>,
    },
    /// Something failed; the backend goes on.
    Error {
        /// Reader concerned, if any.
        reader: Option<String>,
        /// What failed.
        message: String,
    },
}

/// A tag read on one tap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TagEvent {
    /// Reader name.
    pub reader: String,
    /// UID, uppercase hex without separators.
    pub uid: String,
    /// ATR as the reader reported it (PC/SC), uppercase hex.
    pub atr: Option<String>,
    /// Tag type.
    pub tag_type: TagType,
    /// GET_VERSION answer, uppercase hex.
    pub version: Option<String>,
    /// The first URI record's URI.
    pub uri: Option<String>,
    /// Why the NDEF data could not be read, for a malformed tag (the UID is still good).
    pub ndef_error: Option<String>,
    /// Pages read to get the NDEF message.
    pub pages_read: usize,
    /// Microseconds from the reader reporting the card to this event being ready.
    pub read_us: u64,
    /// When the reader reported the card.
    #[serde(skip)]
    pub detected_at: Instant,
}

impl TagEvent {
    pub(crate) fn new(
        reader: String,
        atr: Option<&[u8]>,
        data: TagData,
        detected_at: Instant,
    ) -> Self {
        let (uri, ndef_error, pages_read) = match data.content {
            Ok(c) => (c.uri, None, c.pages_read),
            Err(e) => (None, Some(e), 0),
        };
        Self {
            reader,
            uid: hex_upper(&data.uid),
            atr: atr.map(hex_upper),
            tag_type: data.tag_type,
            version: data.version.as_ref().map(|v| hex_upper(v)),
            uri,
            ndef_error,
            pages_read,
            read_us: u64::try_from(detected_at.elapsed().as_micros()).unwrap_or(u64::MAX),
            detected_at,
        }
    }

    /// The person this badge stands for, per `resolver`.
    pub fn badge(&self, resolver: &BadgeResolver) -> BadgeRef {
        resolver.resolve(&self.uid, self.uri.as_deref())
    }
}

/// Events from a running backend. Dropping it stops the backend and waits for its thread.
pub struct EventStream {
    rx: Receiver<NfcEvent>,
    stopper: Option<Stopper>,
    thread: Option<JoinHandle<()>>,
}

/// Tells a backend thread to stop and wakes it up.
pub(crate) type Stopper = Box<dyn FnOnce() + Send>;

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("running", &self.thread.is_some())
            .finish_non_exhaustive()
    }
}

impl EventStream {
    pub(crate) fn new(rx: Receiver<NfcEvent>, stopper: Stopper, thread: JoinHandle<()>) -> Self {
        Self {
            rx,
            stopper: Some(stopper),
            thread: Some(thread),
        }
    }

    /// Waits for the next event; `None` once the backend has stopped.
    pub fn recv(&self) -> Option<NfcEvent> {
        self.rx.recv().ok()
    }

    /// Waits at most `timeout`; `None` on time-out or when the backend has stopped.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<NfcEvent> {
        self.rx.recv_timeout(timeout).ok()
    }

    /// The next event if one is ready.
    pub fn try_recv(&self) -> Option<NfcEvent> {
        self.rx.try_recv().ok()
    }

    /// True when the backend thread has ended (it only does when stopped, or if it panicked).
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Stops the backend and waits for its thread to end.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stopper.take() {
            stop();
        }
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("NFC backend thread panicked");
        }
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.shutdown();
    }
}
