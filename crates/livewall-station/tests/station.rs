//! The station logic with a fake reader (NFC events made here) and a fake clock, against the real server on
//! 127.0.0.1: unknown badges, phones, a card reset by another program, duplicates.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use livewall_client::Client;
use livewall_client::outbox::Outbox;
use livewall_nfc::pairing::FakeClock;
use livewall_nfc::{BadgeResolver, Feedback, NfcEvent, TagEvent, TagType};
use livewall_protocol::{BadgeRef, StationEvent, TapOutcome};
use livewall_station::{Courier, Engine, Input, Lights, Screen, StationConfig};
use livewall_testkit::{TestServer, server_bin};
use serde_json::json;

const READER: &str = "Virtual PCD 00 00";

#[derive(Default)]
struct Recorder {
    shown: Mutex<Vec<StationEvent>>,
    lit: Mutex<Vec<Feedback>>,
}

impl Screen for Recorder {
    fn show(&self, event: &StationEvent) {
        self.shown.lock().unwrap().push(event.clone());
    }
}

impl Lights for Recorder {
    fn signal(&self, _reader: &str, feedback: Feedback) {
        self.lit.lock().unwrap().push(feedback);
    }
}

impl Recorder {
    /// What was shown since the last call, without the reader status lines.
    fn take(&self) -> Vec<StationEvent> {
        std::mem::take(&mut *self.shown.lock().unwrap())
            .into_iter()
            .filter(|e| !matches!(e, StationEvent::Reader { .. }))
            .collect()
    }
}

struct Booth {
    _server: TestServer,
    base: String,
    people: Vec<String>,
    clock: FakeClock,
    engine: Engine<FakeClock>,
    courier: Courier,
    seen: Arc<Recorder>,
    _dir: tempfile::TempDir,
}

async fn booth() -> Booth {
    let server = TestServer::start(server_bin()).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    let people = admin.add_people("ev", 4).await;
    let (_, token) = admin.device("ev", "station").await;
    let client = Client::new(&server.base, Some(token)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(&dir.path().join("outbox.db")).unwrap();
    let seen = Arc::new(Recorder::default());
    let clock = FakeClock::default();
    let config = StationConfig::new("ev", BadgeResolver::new(&server.base));
    let engine = Engine::new(
        config,
        client.clone(),
        outbox.clone(),
        seen.clone(),
        seen.clone(),
        clock.clone(),
    );
    let courier = Courier::new(
        client,
        outbox,
        seen.clone(),
        seen.clone(),
        engine.last_reader(),
    );
    Booth {
        base: server.base.clone(),
        _server: server,
        people,
        clock,
        engine,
        courier,
        seen,
        _dir: dir,
    }
}

fn tag(uid: &str, uri: Option<String>) -> NfcEvent {
    NfcEvent::TagPresent(TagEvent {
        reader: READER.into(),
        uid: uid.into(),
        atr: None,
        tag_type: TagType::Ntag213,
        version: None,
        uri,
        ndef_error: None,
        pages_read: 2,
        read_us: 500,
        detected_at: Instant::now(),
    })
}

fn removed(uid: &str) -> NfcEvent {
    NfcEvent::TagRemoved {
        reader: READER.into(),
        uid: Some(uid.into()),
    }
}

impl Booth {
    fn badge_of(&self, person: usize) -> (String, Option<String>) {
        (
            format!("04A0{person:02}11223344"),
            Some(format!("{}/p/{}", self.base, self.people[person])),
        )
    }

    /// Places and lifts a badge, as a person does, and lets the time of a real tap pass.
    async fn tap(&mut self, uid: &str, uri: Option<String>) {
        self.engine.handle(Input::Nfc(tag(uid, uri))).await;
        self.clock.advance(Duration::from_millis(700));
        self.engine.handle(Input::Nfc(removed(uid))).await;
        self.clock.advance(Duration::from_millis(400));
        self.engine.tick().await;
    }

    async fn tap_person(&mut self, person: usize) {
        let (uid, uri) = self.badge_of(person);
        self.tap(&uid, uri).await;
    }

    /// Lets the first badge's lookup come back.
    async fn lookup_answered(&mut self) {
        assert!(
            self.engine.next(Duration::from_secs(5)).await,
            "the lookup never answered"
        );
    }
}

#[tokio::test]
async fn an_unknown_badge_is_forgotten_so_the_next_person_starts_afresh() {
    let mut b = booth().await;
    b.tap("04DEADBEEF0001", None).await;
    b.lookup_answered().await;
    let shown = b.seen.take();
    assert!(matches!(shown[0], StationEvent::First { .. }), "{shown:?}");
    assert!(
        matches!(&shown[1], StationEvent::Unknown { badge } if *badge == BadgeRef::Uid("04DEADBEEF0001".into())),
        "{shown:?}"
    );
    assert_eq!(b.engine.waiting(), None, "the unknown badge still waits");
    assert_eq!(b.seen.lit.lock().unwrap().last(), Some(&Feedback::Error));

    // The next person's tap is a first tap, not a pairing with the unknown badge.
    b.tap_person(0).await;
    b.lookup_answered().await;
    let shown = b.seen.take();
    assert!(matches!(shown[0], StationEvent::First { .. }), "{shown:?}");
    assert!(
        matches!(&shown[1], StationEvent::FirstPerson { person, .. } if person.name == "Person 0"),
        "{shown:?}"
    );
    b.tap_person(1).await;
    b.courier.round().await;
    let shown = b.seen.take();
    assert!(matches!(shown[0], StationEvent::Paired { .. }), "{shown:?}");
    assert!(
        matches!(
            &shown[1],
            StationEvent::Result {
                outcome: TapOutcome::Connected,
                ..
            }
        ),
        "{shown:?}"
    );
}

#[tokio::test]
async fn a_phone_gets_a_notice_and_leaves_the_waiting_badge_alone() {
    let mut b = booth().await;
    b.tap_person(0).await;
    b.lookup_answered().await;
    b.seen.take();
    // A phone shows a new random id on every tap.
    b.tap("08A1B2C3", None).await;
    b.tap("08F0E1D2", None).await;
    let shown = b.seen.take();
    assert_eq!(
        shown,
        [
            StationEvent::Phone {
                uid: "08A1B2C3".into()
            },
            StationEvent::Phone {
                uid: "08F0E1D2".into()
            }
        ]
    );
    assert!(
        b.engine.waiting().is_some(),
        "the first badge stopped waiting"
    );
    b.tap_person(1).await;
    b.courier.round().await;
    let shown = b.seen.take();
    assert!(matches!(shown[0], StationEvent::Paired { .. }), "{shown:?}");
    assert!(
        matches!(
            &shown[1],
            StationEvent::Result {
                outcome: TapOutcome::Connected,
                ..
            }
        ),
        "{shown:?}"
    );
}

#[tokio::test]
async fn a_reset_card_is_neither_a_second_tap_nor_a_lost_one() {
    let mut b = booth().await;
    let (uid, uri) = b.badge_of(0);
    b.engine.handle(Input::Nfc(tag(&uid, uri.clone()))).await;
    b.lookup_answered().await;
    b.seen.take();
    // Another program resets the card: the reader reports it gone and back within one poll.
    b.clock.advance(Duration::from_millis(200));
    b.engine.handle(Input::Nfc(removed(&uid))).await;
    b.clock.advance(Duration::from_millis(80));
    b.engine.handle(Input::Nfc(tag(&uid, uri.clone()))).await;
    b.clock.advance(Duration::from_secs(1));
    b.engine.tick().await;
    assert_eq!(
        b.seen.take(),
        [],
        "a re-read cancelled or restarted the pairing"
    );
    assert!(b.engine.waiting().is_some());
    // A read that failed even after the backend's retries: said in words, the pairing kept.
    b.engine
        .handle(Input::Nfc(NfcEvent::Error {
            reader: Some(READER.into()),
            message: "could not read tag: the smart card has been reset".into(),
        }))
        .await;
    let shown = b.seen.take();
    assert!(
        matches!(&shown[..], [StationEvent::ReadFailed { message, .. }] if message.contains("reset")),
        "{shown:?}"
    );
    b.engine.handle(Input::Nfc(removed(&uid))).await;
    b.clock.advance(Duration::from_millis(500));
    b.engine.tick().await;
    b.tap_person(1).await;
    let shown = b.seen.take();
    assert!(
        matches!(shown[..], [StationEvent::Paired { .. }]),
        "{shown:?}"
    );
}

#[tokio::test]
async fn duplicates_and_a_badge_tapped_twice() {
    let mut b = booth().await;
    b.tap_person(2).await;
    b.lookup_answered().await;
    b.tap_person(3).await;
    b.courier.round().await;
    b.clock.advance(Duration::from_secs(3));
    b.seen.take();
    // The same pair again: stored once, told so.
    b.tap_person(3).await;
    b.lookup_answered().await;
    b.tap_person(2).await;
    b.courier.round().await;
    let shown = b.seen.take();
    assert!(
        shown.iter().any(|e| matches!(
            e,
            StationEvent::Result {
                outcome: TapOutcome::AlreadyConnected,
                ..
            }
        )),
        "{shown:?}"
    );
    assert_eq!(
        b.seen.lit.lock().unwrap().last(),
        Some(&Feedback::AlreadyConnected)
    );
    b.clock.advance(Duration::from_secs(3));
    // The first badge tapped again cancels.
    b.tap_person(0).await;
    b.lookup_answered().await;
    b.clock.advance(Duration::from_secs(1));
    b.tap_person(0).await;
    let shown = b.seen.take();
    assert!(shown.contains(&StationEvent::Cancelled), "{shown:?}");
    assert_eq!(b.engine.waiting(), None);
    // Nobody tapping in time.
    b.clock.advance(Duration::from_secs(3));
    b.tap_person(1).await;
    b.lookup_answered().await;
    b.clock.advance(Duration::from_secs(16));
    b.engine.tick().await;
    assert!(b.seen.take().contains(&StationEvent::TimedOut));
}

#[tokio::test]
async fn a_refused_token_keeps_the_tap_and_says_why() {
    let mut b = booth().await;
    let admin = b._server.admin().await;
    let (_, list) = admin.call("GET", "/api/events/ev/devices", None).await;
    let id = list[0]["id"].as_str().unwrap().to_owned();
    admin
        .call("POST", &format!("/api/events/ev/devices/{id}/revoke"), None)
        .await;
    b.tap_person(0).await;
    b.lookup_answered().await;
    b.tap_person(1).await;
    b.courier.round().await;
    let shown = b.seen.take();
    let queue = shown.iter().rev().find_map(|e| match e {
        StationEvent::Queue { waiting, hold } => Some((*waiting, hold.clone())),
        _ => None,
    });
    let (waiting, hold) = queue.unwrap();
    assert_eq!(waiting, 1, "{shown:?}");
    assert_eq!(
        hold.map(|h| h.kind),
        Some(livewall_protocol::HoldKind::TokenRefused)
    );
    assert!(
        !shown
            .iter()
            .any(|e| matches!(e, StationEvent::Result { .. })),
        "a refused token was shown as a result: {shown:?}"
    );
}
