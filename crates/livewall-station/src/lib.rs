//! The tap-to-connect station, free of any window toolkit: NFC events (a PC/SC reader, or a keyboard-wedge reader's
//! typed UID) go in; [`StationEvent`]s for the screen and [`Feedback`] for the reader's LEDs come out, through the
//! two small traits [`Screen`] and [`Lights`]. The desktop app implements them with Tauri events and the PC/SC
//! backend; the tests implement them with recorders and drive the station with a fake reader and a fake clock.
//!
//! - [`engine::Engine`] owns the pairing machine: one task, so taps from every reader are ordered in one place. It
//!   looks the first badge up (and forgets it when the server does not know it), turns phones and unreadable taps
//!   into notices instead of pairings, and writes each pair into the durable outbox before anything is sent.
//! - [`courier::Courier`] delivers the outbox: a tap is done only when the server stored it or refused the tap
//!   itself; a refused token or a missing event keeps every tap and says so on screen.
//!
//! The engine touches the outbox and the server only through `livewall-client` (`Outbox`, `Client`) and the screen
//! and LEDs only through the two traits; badge UIDs follow `livewall_protocol::TagUid` ([`typed_uid`], [`is_phone`]).

pub mod courier;
pub mod engine;

use livewall_nfc::Feedback;
use livewall_protocol::{BadgeRef, PartyKey, PartyRef, StationEvent, TagUid};

pub use courier::Courier;
pub use engine::{Engine, Input, StationConfig};

/// Where the station's events are shown (the station window).
pub trait Screen: Send + Sync + 'static {
    /// Shows one event.
    fn show(&self, event: &StationEvent);
}

/// The reader's LEDs and buzzer.
pub trait Lights: Send + Sync + 'static {
    /// Signals `feedback` on `reader`; readers without LEDs ignore it.
    fn signal(&self, reader: &str, feedback: Feedback);
}

/// The server-side key of a badge.
pub fn party(badge: &BadgeRef) -> PartyRef {
    match badge {
        BadgeRef::Uid(u) => PartyRef::By(PartyKey::TagUid(u.clone())),
        BadgeRef::ProfileId(p) => PartyRef::By(PartyKey::ProfileId(p.clone())),
    }
}

/// A keyboard-wedge reader's line as a UID, by the one UID rule ([`TagUid`]): hex digits in any case, separators
/// allowed, 4, 7 or 10 bytes.
pub fn typed_uid(line: &str) -> Option<String> {
    TagUid::parse(line).ok().map(String::from)
}

/// True for the id a phone shows when held to a reader (see [`TagUid::is_random`]): it can never name a person.
pub fn is_phone(uid_hex: &str) -> bool {
    TagUid::parse(uid_hex).is_ok_and(|u| u.is_random())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyboard_wedge_lines() {
        assert_eq!(typed_uid("04a1b2c3d4e580"), Some("04A1B2C3D4E580".into()));
        assert_eq!(typed_uid("04:A1:B2:C3"), Some("04A1B2C3".into()));
        assert_eq!(typed_uid("04A1B2C"), None, "odd number of digits");
        assert_eq!(typed_uid("hello world"), None);
        assert_eq!(typed_uid("04A1"), None, "too short for a UID");
    }

    #[test]
    fn badges_name_their_server_key() {
        assert_eq!(
            party(&BadgeRef::Uid("04AA".into())),
            PartyRef::By(PartyKey::TagUid("04AA".into()))
        );
        assert_eq!(
            party(&BadgeRef::ProfileId("p1".into())),
            PartyRef::By(PartyKey::ProfileId("p1".into()))
        );
    }

    #[test]
    fn phones_show_random_four_byte_ids() {
        assert!(is_phone("08A1B2C3"));
        assert!(!is_phone("04A1B2C3"), "a fixed 4-byte UID is a card");
        assert!(!is_phone("08A1B2C3D4E5F6"), "7-byte UIDs are never random");
    }
}
