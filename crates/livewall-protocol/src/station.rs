//! What a tap-to-connect station tells its screen: the station logic (`livewall-station`) emits these, the desktop
//! app forwards them unchanged, and the station view (`ui/src/station`) only displays them.

use crate::Person;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which person a badge stands for, as a station sends it to the server: its UID, or the profile its NDEF URL
/// points to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
#[ts(export)]
pub enum BadgeRef {
    /// Tag UID, uppercase hex without separators (e.g. `04A2B3C4D5E680`).
    Uid(String),
    /// Opaque profile id from a `{server}/p/{profileId}` URL.
    ProfileId(String),
}

impl BadgeRef {
    /// The value the server looks the badge up by (UID or profile id).
    pub fn key(&self) -> &str {
        match self {
            Self::Uid(v) | Self::ProfileId(v) => v,
        }
    }
}

/// The reader situation, for the status line and the "no reader found" help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ReaderStatus {
    /// Just started, looking for readers.
    Searching,
    /// At least one reader is watched.
    Ready,
    /// pcscd runs but no contactless reader is plugged in.
    NoReader,
    /// pcscd is not running.
    ServiceDown,
}

/// The server's answer to one tap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TapOutcome {
    /// A new connection.
    Connected,
    /// The two had already met.
    AlreadyConnected,
    /// The server refused the tap itself for good (unknown badge, the same person twice).
    Refused,
}

/// Why queued taps are not being delivered. Each kind keeps the taps; only the fix differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum HoldKind {
    /// The server cannot be reached (network, DNS, timeout).
    Unreachable,
    /// The server is busy, starting, failing or out of disk: it will be retried.
    ServerBusy,
    /// The server refused this station's token (revoked, garbage, or minted for another event).
    TokenRefused,
    /// The server does not have the station's event.
    EventNotFound,
    /// Any other answer that is not about the tap itself.
    Other,
}

/// Why the queue stopped, in words for the person at the booth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct QueueHold {
    /// The kind of problem.
    pub kind: HoldKind,
    /// What the server or the network said.
    pub message: String,
}

/// What the station window shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
#[ts(export)]
pub enum StationEvent {
    /// The reader situation changed.
    Reader {
        /// The situation.
        status: ReaderStatus,
        /// Watched readers.
        readers: Vec<String>,
        /// Details (e.g. why pcscd is unreachable).
        message: Option<String>,
    },
    /// First badge read: "now tap your partner's badge".
    First {
        /// The badge.
        badge: BadgeRef,
        /// How long the partner has, in milliseconds.
        #[ts(type = "number")]
        timeout_ms: u64,
    },
    /// The first badge's person, once looked up.
    FirstPerson {
        /// The badge.
        badge: BadgeRef,
        /// Who it is.
        person: Person,
    },
    /// The server does not know this badge; the station has forgotten it, so the next tap starts afresh.
    Unknown {
        /// The badge.
        badge: BadgeRef,
    },
    /// A phone was held to the reader (it shows a new random id on every tap): nothing was recorded.
    Phone {
        /// The random id it showed.
        uid: String,
    },
    /// A badge was seen but could not be read, even after retries; nothing was recorded.
    ReadFailed {
        /// The reader.
        reader: Option<String>,
        /// What failed, in words.
        message: String,
    },
    /// Two badges: the tap is safely queued and being sent.
    Paired {
        /// Idempotency key of the queued tap, to match the [`StationEvent::Result`].
        key: String,
        /// First badge.
        first: BadgeRef,
        /// Second badge.
        second: BadgeRef,
    },
    /// What the server said about a queued tap.
    Result {
        /// The tap's key.
        key: String,
        /// `connected`, `already_connected` or `refused`.
        outcome: TapOutcome,
        /// The two people, when the server named them.
        people: Option<(Person, Person)>,
        /// Why the server refused, when it did.
        message: Option<String>,
    },
    /// The first badge was tapped again.
    Cancelled,
    /// Nobody tapped in time.
    TimedOut,
    /// Taps waiting to be sent.
    Queue {
        /// How many.
        waiting: usize,
        /// Why they wait, when delivery stopped.
        hold: Option<QueueHold>,
    },
    /// Something failed locally (the outbox cannot be written...).
    Failure {
        /// What.
        message: String,
    },
}

/// What the station window gets when it starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StationStart {
    /// The event.
    pub event_id: String,
    /// The current reader situation.
    pub reader: StationEvent,
    /// The queue: how many taps wait and why.
    pub queue: StationEvent,
    /// The event's language, when the organiser chose one and the server could be asked (else the screen
    /// follows the system's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<String>")]
    pub language: Option<String>,
}
