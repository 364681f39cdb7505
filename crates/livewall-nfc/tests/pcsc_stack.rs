//! The PC/SC backend on a real PC/SC stack: a private pcscd, vpcd virtual readers and our virtual badges.
//!
//! Every test waits for the backend's events rather than sleeping: a badge stays on the reader until its
//! `TagPresent` arrived and for at least 0.6 s (pcscd polls vpcd every 400 ms), and the next badge goes on only after
//! the `TagRemoved` of the previous one.
//!
//! Run with `cargo test -p livewall-nfc --test pcsc_stack` as root, with `pcscd` and `vsmartcard-vpcd` installed.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Failed, Trial};
use livewall_nfc::pairing::{IgnoredReason, SystemClock};
use livewall_nfc::{
    BadgeRef, BadgeResolver, EventStream, Feedback, FeedbackOutcome, NfcEvent, Pairing,
    PairingConfig, PairingEvent, PcscBackend, PcscConfig, TagEvent, TagType,
};
use livewall_virtual_badge::{
    BadgeKind, PcscStack, VirtualBadge, VirtualReader, ndef_tlv, run_isolated,
};

const SERVER: &str = "https://wall.example.org";
const HOLD: Duration = Duration::from_millis(600);
const EVENT_TIMEOUT: Duration = Duration::from_secs(5);

type Shared = Arc<Mutex<PcscStack>>;
type TestFn = fn(&Shared) -> Result<(), Failed>;

fn main() -> ExitCode {
    run_isolated(|| {
        let mut args = Arguments::from_args();
        // One pcscd and its two readers are shared: tests take turns.
        args.test_threads = Some(1);
        let stack = match PcscStack::start() {
            Ok(s) => Arc::new(Mutex::new(s)),
            Err(e) => {
                // Fail, never skip: a missing pcscd/vpcd must not look like a green run.
                eprintln!("cannot start the private PC/SC stack: {e}");
                return ExitCode::FAILURE;
            }
        };
        let tests: [(&str, TestFn); 14] = [
            ("one_tap", one_tap),
            ("pair_of_different_badges", pair_of_different_badges),
            ("same_badge_twice_cancels", same_badge_twice_cancels),
            ("ndef_after_lock_control_tlv", ndef_after_lock_control_tlv),
            ("blank_tags_give_uid_only", blank_tags_give_uid_only),
            ("four_and_seven_byte_uids", four_and_seven_byte_uids),
            ("url_spanning_many_pages", url_spanning_many_pages),
            ("malformed_ndef_keeps_uid", malformed_ndef_keeps_uid),
            ("held_badge_is_reported_once", held_badge_is_reported_once),
            ("write_url_onto_blank_badge", write_url_onto_blank_badge),
            (
                "pcscd_restart_is_survived_and_reported",
                pcscd_restart_is_survived_and_reported,
            ),
            (
                "card_reset_by_another_program_is_read_again",
                card_reset_by_another_program_is_read_again,
            ),
            ("cli_watch_prints_json_lines", cli_watch_prints_json_lines),
            (
                "fifty_taps_each_reported_once",
                fifty_taps_each_reported_once,
            ),
        ];
        let trials = tests
            .into_iter()
            .map(|(name, test)| {
                let stack = stack.clone();
                Trial::test(name, move || test(&stack))
            })
            .collect();
        libtest_mimic::run(&args, trials).exit_code()
    })
}

fn lock(stack: &Shared) -> MutexGuard<'_, PcscStack> {
    stack.lock().unwrap_or_else(PoisonError::into_inner)
}

fn uid7(n: u8) -> [u8; 7] {
    [0x04, 0xA0, n, 0x11, 0x22, 0x33, n.wrapping_mul(7)]
}

/// A running backend plus every event it produced, so tests can check nothing unexpected happened.
struct Watch {
    stream: EventStream,
    seen: Vec<NfcEvent>,
    reader: VirtualReader,
}

impl Watch {
    /// Starts the backend on the shared stack and waits until it sees reader 0.
    fn start(stack: &Shared) -> Result<Self, Failed> {
        // A test that failed while pcscd was stopped must not take the following ones down with it.
        lock(stack).start_pcscd()?;
        let reader = lock(stack).reader(0);
        let stream = PcscBackend::new(PcscConfig::default()).watch()?;
        let mut watch = Self {
            stream,
            seen: Vec::new(),
            reader,
        };
        let name = watch.reader.name().to_owned();
        watch.wait(
            "reader 0 attached",
            |e| matches!(e, NfcEvent::ReaderAttached { reader, watched: true } if *reader == name),
        )?;
        Ok(watch)
    }

    fn wait(&mut self, what: &str, pred: impl Fn(&NfcEvent) -> bool) -> Result<NfcEvent, Failed> {
        let deadline = Instant::now() + EVENT_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(event) = self.stream.recv_timeout(left) else {
                return Err(format!(
                    "no {what} within {EVENT_TIMEOUT:?}; events so far: {:#?}",
                    self.seen
                )
                .into());
            };
            self.seen.push(event.clone());
            if let NfcEvent::Error { message, .. } = &event {
                return Err(format!("backend error while waiting for {what}: {message}").into());
            }
            if pred(&event) {
                return Ok(event);
            }
        }
    }

    fn wait_present(&mut self) -> Result<TagEvent, Failed> {
        match self.wait("tag present", |e| matches!(e, NfcEvent::TagPresent(_)))? {
            NfcEvent::TagPresent(tag) => Ok(tag),
            other => Err(format!("unexpected {other:?}").into()),
        }
    }

    fn wait_removed(&mut self, uid: &str) -> Result<(), Failed> {
        self.wait(
            "tag removed",
            |e| matches!(e, NfcEvent::TagRemoved { uid: Some(u), .. } if u == uid),
        )
        .map(drop)
    }

    /// Places `badge`, waits for it to be read, keeps it on for at least [`HOLD`], runs `while_on`, removes it and
    /// waits for the removal.
    fn tap_with(
        &mut self,
        badge: &VirtualBadge,
        while_on: impl FnOnce(&TagEvent) -> Result<(), Failed>,
    ) -> Result<TagEvent, Failed> {
        let placed_at = Instant::now();
        let placed = self.reader.place(badge)?;
        let tag = self.wait_present()?;
        while_on(&tag)?;
        std::thread::sleep(HOLD.saturating_sub(placed_at.elapsed()));
        placed.remove()?;
        self.wait_removed(&tag.uid)?;
        Ok(tag)
    }

    fn tap(&mut self, badge: &VirtualBadge) -> Result<TagEvent, Failed> {
        self.tap_with(badge, |_| Ok(()))
    }

    /// Checks no further event arrives within `quiet`.
    fn assert_quiet(&mut self, quiet: Duration) -> Result<(), Failed> {
        match self.stream.recv_timeout(quiet) {
            None => Ok(()),
            Some(e) => Err(format!("unexpected event {e:?}").into()),
        }
    }
}

fn check(cond: bool, msg: impl FnOnce() -> String) -> Result<(), Failed> {
    if cond { Ok(()) } else { Err(msg().into()) }
}

fn one_tap(stack: &Shared) -> Result<(), Failed> {
    let mut w = Watch::start(stack)?;
    let badge =
        VirtualBadge::with_uri(BadgeKind::Ntag213, &uid7(1), &format!("{SERVER}/p/alice01"));
    let tag = w.tap(&badge)?;
    check(tag.uid == badge.uid_hex(), || {
        format!("uid {} != {}", tag.uid, badge.uid_hex())
    })?;
    check(tag.reader == w.reader.name(), || {
        format!("reader {}", tag.reader)
    })?;
    check(tag.tag_type == TagType::Ntag213, || {
        format!("type {:?}", tag.tag_type)
    })?;
    check(
        tag.uri.as_deref() == Some("https://wall.example.org/p/alice01"),
        || format!("uri {:?}", tag.uri),
    )?;
    check(
        tag.atr.as_deref() == Some("3B8F8001804F0CA0000003060300030000000068"),
        || format!("atr {:?}", tag.atr),
    )?;
    check(tag.version.as_deref() == Some("0004040201000F03"), || {
        format!("version {:?}", tag.version)
    })?;
    check(tag.pages_read == 12, || {
        format!("read {} pages for a 12-page message", tag.pages_read)
    })?;
    check(
        tag.badge(&BadgeResolver::new(SERVER)) == BadgeRef::ProfileId("alice01".into()),
        || "badge should resolve to its profile".into(),
    )?;
    w.assert_quiet(Duration::from_millis(500))
}

/// Drives the pairing machine from backend events, as the station does.
struct Station {
    pairing: Pairing<SystemClock>,
    resolver: BadgeResolver,
    on_reader: HashMap<String, BadgeRef>,
}

impl Station {
    fn new() -> Self {
        Self {
            pairing: Pairing::new(SystemClock, PairingConfig::default()),
            resolver: BadgeResolver::new(SERVER),
            on_reader: HashMap::new(),
        }
    }

    fn placed(&mut self, tag: &TagEvent) -> Vec<PairingEvent> {
        let badge = tag.badge(&self.resolver);
        self.on_reader.insert(tag.uid.clone(), badge.clone());
        self.pairing.badge_placed(badge)
    }

    fn removed(&mut self, uid: &str) -> Vec<PairingEvent> {
        match self.on_reader.remove(uid) {
            Some(badge) => self.pairing.badge_removed(&badge),
            None => Vec::new(),
        }
    }
}

fn pair_of_different_badges(stack: &Shared) -> Result<(), Failed> {
    let mut w = Watch::start(stack)?;
    let backend = PcscBackend::default();
    let mut station = Station::new();
    let alice = VirtualBadge::with_uri(BadgeKind::Ntag213, &uid7(2), &format!("{SERVER}/p/alice"))
        .with_led_support();
    let bob = VirtualBadge::new(BadgeKind::Ntag215, &uid7(3)).with_led_support();
    let mut outcomes = Vec::new();
    let tag = w.tap_with(&alice, |tag| {
        outcomes = station.placed(tag);
        check(
            matches!(
                outcomes.as_slice(),
                [PairingEvent::WaitingForPartner { .. }]
            ),
            || format!("{outcomes:?}"),
        )?;
        let shown = backend.feedback(&tag.reader, Feedback::FirstBadge)?;
        check(shown == FeedbackOutcome::Shown, || format!("{shown:?}"))
    })?;
    station.removed(&tag.uid);
    let tag = w.tap_with(&bob, |tag| {
        outcomes = station.placed(tag);
        let shown = backend.feedback(&tag.reader, Feedback::Connected)?;
        check(shown == FeedbackOutcome::Shown, || format!("{shown:?}"))
    })?;
    station.removed(&tag.uid);
    let expected = vec![PairingEvent::Paired {
        first: BadgeRef::ProfileId("alice".into()),
        second: BadgeRef::Uid(bob.uid_hex()),
    }];
    check(outcomes == expected, || format!("{outcomes:?}"))?;
    let led = |b: &VirtualBadge, fb: Feedback| b.commands().contains(&fb.acr122u_apdu().to_vec());
    check(led(&alice, Feedback::FirstBadge), || {
        "first-badge LED pattern not sent".into()
    })?;
    check(led(&bob, Feedback::Connected), || {
        "connected LED pattern not sent".into()
    })
}

fn same_badge_twice_cancels(stack: &Shared) -> Result<(), Failed> {
    let mut w = Watch::start(stack)?;
    let backend = PcscBackend::default();
    let mut station = Station::new();
    let carol = VirtualBadge::with_uri(BadgeKind::Ntag213, &uid7(4), &format!("{SERVER}/p/carol"));
    let mut all = Vec::new();
    for _ in 0..2 {
        let tag = w.tap_with(&carol, |tag| {
            all.extend(station.placed(tag));
            // A reader without LEDs: feedback is skipped, not an error.
            let outcome = backend.feedback(&tag.reader, Feedback::Error)?;
            check(outcome == FeedbackOutcome::Unsupported, || {
                format!("{outcome:?}")
            })
        })?;
        all.extend(station.removed(&tag.uid));
    }
    let carol_ref = BadgeRef::ProfileId("carol".into());
    check(
        all == vec![
            PairingEvent::WaitingForPartner {
                first: carol_ref.clone(),
                timeout_ms: 15_000,
            },
            PairingEvent::Cancelled {
                first: carol_ref.clone(),
            },
        ],
        || format!("{all:?}"),
    )?;
    // Tapped a third time right away: debounced, nobody waits.
    let tag = w.tap_with(&carol, |tag| {
        all = station.placed(tag);
        Ok(())
    })?;
    station.removed(&tag.uid);
    check(
        all == vec![PairingEvent::Ignored {
            badge: carol_ref,
            reason: IgnoredReason::Debounced,
        }],
        || format!("{all:?}"),
    )
}

fn ndef_after_lock_control_tlv(stack: &Shared) -> Result<(), Failed> {
    let mut w = Watch::start(stack)?;
    let badge = VirtualBadge::new(BadgeKind::Ntag216, &uid7(5));
    let mut data = vec![0x01, 0x03, 0xA0, 0x10, 0x44, 0x00];
    // A text record first, then the URI record (prefix code 02 "https://www.").
    let mut message = vec![0x91, 0x01, 0x05, b'T', 0x02, b'e', b'n', b'h', b'i'];
    message.extend_from_slice(&[0x51, 0x01, 0x0D, b'U', 0x02]);
    message.extend_from_slice(b"example.com");
    message.push(b'/');
    data.extend(ndef_tlv(&message));
    badge.set_data_area(&data);
    let tag = w.tap(&badge)?;
    check(
        tag.uri.as_deref() == Some("https://www.example.com/"),
        || format!("{tag:?}"),
    )?;
    check(tag.tag_type == TagType::Ntag216, || {
        format!("{:?}", tag.tag_type)
    })
}

fn blank_tags_give_uid_only(stack: &Shared) -> Result<(), Failed> {
    let mut w = Watch::start(stack)?;
    let ntag = VirtualBadge::unformatted(BadgeKind::Ntag213, &uid7(6));
    let tag = w.tap(&ntag)?;
    check(tag.uri.is_none() && tag.ndef_error.is_none(), || {
        format!("{tag:?}")
    })?;
    check(
        tag.uid == ntag.uid_hex() && tag.tag_type == TagType::Ntag213,
        || format!("{tag:?}"),
    )?;
    check(
        tag.badge(&BadgeResolver::new(SERVER)) == BadgeRef::Uid(ntag.uid_hex()),
        || "resolves by UID".into(),
    )?;
    let ultralight = VirtualBadge::unformatted(BadgeKind::Ultralight, &uid7(7));
    let tag = w.tap(&ultralight)?;
    check(
        tag.tag_type == TagType::Ultralight && tag.version.is_none(),
        || format!("{tag:?}"),
    )?;
    check(tag.uri.is_none() && tag.uid == ultralight.uid_hex(), || {
        format!("{tag:?}")
    })
}

fn four_and_seven_byte_uids(stack: &Shared) -> Result<(), Failed> {
    let mut w = Watch::start(stack)?;
    let short = VirtualBadge::with_uri(
        BadgeKind::Ultralight,
        &[0xDE, 0xAD, 0xBE, 0xEF],
        &format!("{SERVER}/p/u4"),
    );
    let tag = w.tap(&short)?;
    check(tag.uid == "DEADBEEF", || format!("{tag:?}"))?;
    check(
        tag.uri.as_deref() == Some("https://wall.example.org/p/u4"),
        || format!("{tag:?}"),
    )?;
    let long = VirtualBadge::new(
        BadgeKind::Ntag215,
        &[0x04, 0x5F, 0x00, 0x9A, 0xB2, 0x3C, 0x80],
    );
    let tag = w.tap(&long)?;
    check(
        tag.uid == "045F009AB23C80" && tag.tag_type == TagType::Ntag215,
        || format!("{tag:?}"),
    )
}

fn url_spanning_many_pages(stack: &Shared) -> Result<(), Failed> {
    let mut w = Watch::start(stack)?;
    let url = format!("{SERVER}/p/{}", "x".repeat(700));
    let badge = VirtualBadge::with_uri(BadgeKind::Ntag216, &uid7(8), &url);
    let tag = w.tap(&badge)?;
    check(tag.uri.as_deref() == Some(url.as_str()), || {
        format!("uri {:?}", tag.uri)
    })?;
    // 4 + 3 + 700 + 24 bytes from page 4: about 183 pages, read four at a time, never the whole 231-page chip.
    check((180..=192).contains(&tag.pages_read), || {
        format!("{} pages read", tag.pages_read)
    })?;
    check(
        tag.badge(&BadgeResolver::new(SERVER)) == BadgeRef::ProfileId("x".repeat(700)),
        || "profile".into(),
    )
}

fn malformed_ndef_keeps_uid(stack: &Shared) -> Result<(), Failed> {
    let mut w = Watch::start(stack)?;
    let badge = VirtualBadge::new(BadgeKind::Ntag213, &uid7(9));
    badge.set_data_area(&[0x03, 0xFF, 0xFF, 0xF0, 0xD1]);
    let tag = w.tap(&badge)?;
    check(tag.uid == badge.uid_hex() && tag.uri.is_none(), || {
        format!("{tag:?}")
    })?;
    check(
        tag.ndef_error
            .as_deref()
            .is_some_and(|e| e.contains("truncated")),
        || format!("{tag:?}"),
    )
}

fn held_badge_is_reported_once(stack: &Shared) -> Result<(), Failed> {
    let mut w = Watch::start(stack)?;
    let badge = VirtualBadge::with_uri(BadgeKind::Ntag213, &uid7(10), &format!("{SERVER}/p/held"));
    let placed = w.reader.place(&badge)?;
    let tag = w.wait_present()?;
    // Five vpcd polling rounds with the badge lying still: no repeat.
    w.assert_quiet(Duration::from_secs(2))?;
    placed.remove()?;
    w.wait_removed(&tag.uid)
}

fn write_url_onto_blank_badge(stack: &Shared) -> Result<(), Failed> {
    let mut w = Watch::start(stack)?;
    let backend = PcscBackend::default();
    let badge = VirtualBadge::unformatted(BadgeKind::Ntag213, &uid7(11));
    let url = format!("{SERVER}/p/newcomer-42");
    let mut report = None;
    let tag = w.tap_with(&badge, |tag| {
        check(tag.uri.is_none(), || format!("{tag:?}"))?;
        report = Some(backend.write_uri(&tag.reader, &url)?);
        Ok(())
    })?;
    let report = report.ok_or("no write report")?;
    check(report.formatted, || format!("{report:?}"))?;
    check(badge.memory()[12..16] == [0xE1, 0x10, 0x12, 0x00], || {
        "capability container not written".into()
    })?;
    let read_back = w.tap(&badge)?;
    check(read_back.uid == tag.uid, || format!("{read_back:?}"))?;
    check(read_back.uri.as_deref() == Some(url.as_str()), || {
        format!("{read_back:?}")
    })?;
    // Writing needs a badge on the reader.
    check(backend.write_uri(w.reader.name(), &url).is_err(), || {
        "write with no badge succeeded".into()
    })?;
    // A blank NTAG215 gets the container of its own size, taken from GET_VERSION.
    let big = VirtualBadge::unformatted(BadgeKind::Ntag215, &uid7(13));
    w.tap_with(&big, |tag| {
        backend
            .write_uri(&tag.reader, &url)
            .map(drop)
            .map_err(Into::into)
    })?;
    check(big.memory()[12..16] == [0xE1, 0x10, 0x3E, 0x00], || {
        format!("NTAG215 container {:02X?}", &big.memory()[12..16])
    })?;
    // Page 3 is one-time programmable: a container that is not NDEF is refused in words, never written over.
    let foreign = VirtualBadge::unformatted(BadgeKind::Ntag213, &uid7(14));
    foreign.set_page(3, [0x00, 0x00, 0x00, 0x01]);
    let mut refusal = None;
    w.tap_with(&foreign, |tag| {
        refusal = backend.write_uri(&tag.reader, &url).err();
        Ok(())
    })?;
    let refusal = refusal
        .ok_or("a foreign container was written over")?
        .to_string();
    check(refusal.contains("cannot be undone"), || refusal.clone())?;
    check(foreign.memory()[12..16] == [0, 0, 0, 1], || {
        format!("page 3 changed: {:02X?}", &foreign.memory()[12..16])
    })?;
    // A container claiming more than the chip has: the chip's size wins, so a long link is refused, not spilled.
    let liar = VirtualBadge::new(BadgeKind::Ntag213, &uid7(15));
    liar.set_page(3, [0xE1, 0x10, 0x6D, 0x00]);
    let long = format!("{SERVER}/p/{}", "x".repeat(300));
    let mut too_long = None;
    w.tap_with(&liar, |tag| {
        too_long = backend.write_uri(&tag.reader, &long).err();
        Ok(())
    })?;
    check(too_long.is_some(), || {
        "a 300-byte link was written onto a 144-byte badge".into()
    })
}

fn pcscd_restart_is_survived_and_reported(stack: &Shared) -> Result<(), Failed> {
    let mut w = Watch::start(stack)?;
    let name = w.reader.name().to_owned();
    lock(stack).stop_pcscd()?;
    let down = w.wait("service down", |e| {
        matches!(e, NfcEvent::ServiceDown { .. })
    })?;
    check(
        matches!(&down, NfcEvent::ServiceDown { message, .. } if message.contains("pcscd not running")),
        || format!("{down:?}"),
    )?;
    check(
        w.seen
            .iter()
            .any(|e| matches!(e, NfcEvent::ReaderDetached { reader } if *reader == name)),
        || format!("reader not reported detached: {:#?}", w.seen),
    )?;
    lock(stack).start_pcscd()?;
    w.wait("service recovered", |e| {
        matches!(
            e,
            NfcEvent::ServiceUp {
                recovered: true,
                ..
            }
        )
    })?;
    w.wait(
        "reader back",
        |e| matches!(e, NfcEvent::ReaderAttached { reader, .. } if *reader == name),
    )?;
    let badge = VirtualBadge::with_uri(
        BadgeKind::Ntag213,
        &uid7(12),
        &format!("{SERVER}/p/after-restart"),
    );
    let tag = w.tap(&badge)?;
    check(
        tag.uri.as_deref() == Some("https://wall.example.org/p/after-restart"),
        || format!("{tag:?}"),
    )?;
    // A badge lying on the reader while pcscd goes away is reported removed, then read again after the restart.
    let placed = w.reader.place(&badge)?;
    w.wait_present()?;
    lock(stack).stop_pcscd()?;
    w.wait("removal on service loss", |e| {
        matches!(e, NfcEvent::TagRemoved { .. })
    })?;
    drop(placed);
    lock(stack).start_pcscd()?;
    w.wait("service recovered", |e| {
        matches!(
            e,
            NfcEvent::ServiceUp {
                recovered: true,
                ..
            }
        )
    })?;
    Ok(())
}

/// Another program (a second window, a station on the same machine) resets the card in the middle of our read:
/// the badge is still read, once, with no error.
fn card_reset_by_another_program_is_read_again(stack: &Shared) -> Result<(), Failed> {
    let mut w = Watch::start(stack)?;
    let badge = VirtualBadge::with_uri(
        BadgeKind::Ntag213,
        &uid7(21),
        &format!("{SERVER}/p/reset-survivor"),
    )
    .with_reply_delay(Duration::from_millis(150));
    let placed = w.reader.place(&badge)?;
    // Wait until our backend has begun reading (the badge saw a command), then reset the card from elsewhere.
    let deadline = Instant::now() + EVENT_TIMEOUT;
    while badge.commands().is_empty() {
        check(Instant::now() < deadline, || {
            "the backend never read the badge".into()
        })?;
        std::thread::sleep(Duration::from_millis(5));
    }
    let other = pcsc::Context::establish(pcsc::Scope::User)?;
    let name = std::ffi::CString::new(w.reader.name())?;
    other
        .connect(&name, pcsc::ShareMode::Shared, pcsc::Protocols::ANY)?
        .disconnect(pcsc::Disposition::ResetCard)
        .map_err(|(_, e)| e)?;
    let tag = w.wait_present()?;
    check(
        tag.uri.as_deref() == Some("https://wall.example.org/p/reset-survivor"),
        || format!("{tag:?}"),
    )?;
    check(
        !w.seen.iter().any(|e| matches!(e, NfcEvent::Error { .. })),
        || format!("an error was reported: {:#?}", w.seen),
    )?;
    placed.remove()?;
    w.wait_removed(&tag.uid)?;
    Ok(())
}

fn cli_watch_prints_json_lines(stack: &Shared) -> Result<(), Failed> {
    lock(stack).start_pcscd()?;
    let reader = lock(stack).reader(0);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_livewall-nfc"))
        .args(["watch", "--pair", "--server", SERVER, "--duration", "4"])
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = std::sync::mpsc::channel();
    let pump = std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let next_with = |needle: &str| -> Result<serde_json::Value, Failed> {
        loop {
            let line = rx
                .recv_timeout(EVENT_TIMEOUT)
                .map_err(|_| format!("no line with {needle}"))?;
            if line.contains(needle) {
                return Ok(serde_json::from_str(&line)?);
            }
        }
    };
    next_with(r#""event":"reader_attached""#)?;
    let badge = VirtualBadge::with_uri(BadgeKind::Ntag213, &uid7(13), &format!("{SERVER}/p/cli"));
    let placed = reader.place(&badge)?;
    let present = next_with(r#""event":"tag_present""#)?;
    placed.remove()?;
    let waiting = next_with(r#""pairing":"waiting_for_partner""#)?;
    child.wait()?;
    let _ = pump.join();
    check(present["uid"] == badge.uid_hex().as_str(), || {
        format!("{present}")
    })?;
    check(present["uri"] == "https://wall.example.org/p/cli", || {
        format!("{present}")
    })?;
    check(
        present["tag_type"] == "ntag213" && present["atr"].is_string(),
        || format!("{present}"),
    )?;
    check(
        present["read_us"].is_u64() && present["t_ms"].is_f64(),
        || format!("{present}"),
    )?;
    check(
        present["badge"] == serde_json::json!({"kind": "profile_id", "value": "cli"}),
        || format!("{present}"),
    )?;
    check(waiting["first"]["value"] == "cli", || format!("{waiting}"))
}

fn fifty_taps_each_reported_once(stack: &Shared) -> Result<(), Failed> {
    let mut w = Watch::start(stack)?;
    let start = w.seen.len();
    let mut uids = Vec::new();
    for i in 0..50u8 {
        let badge = VirtualBadge::with_uri(
            BadgeKind::Ntag213,
            &uid7(100 + i),
            &format!("{SERVER}/p/guest{i}"),
        );
        let tag = w.tap(&badge)?;
        check(tag.uid == badge.uid_hex(), || format!("tap {i}: {tag:?}"))?;
        check(
            tag.uri.as_deref() == Some(format!("{SERVER}/p/guest{i}").as_str()),
            || format!("tap {i}: {tag:?}"),
        )?;
        uids.push(tag.uid);
    }
    w.assert_quiet(Duration::from_millis(600))?;
    // Reader 1 may be reported attached after reader 0: everything else must be one present + one removal per tap.
    let tag_events: Vec<&NfcEvent> = w.seen[start..]
        .iter()
        .filter(|e| !matches!(e, NfcEvent::ReaderAttached { .. }))
        .collect();
    let presents: Vec<&str> = tag_events
        .iter()
        .filter_map(|e| {
            if let NfcEvent::TagPresent(t) = e {
                Some(t.uid.as_str())
            } else {
                None
            }
        })
        .collect();
    let removals = tag_events
        .iter()
        .filter(|e| matches!(e, NfcEvent::TagRemoved { .. }))
        .count();
    check(
        presents == uids.iter().map(String::as_str).collect::<Vec<_>>(),
        || format!("{presents:?}"),
    )?;
    check(removals == 50 && tag_events.len() == 100, || {
        format!(
            "{removals} removals, {} events: {tag_events:#?}",
            tag_events.len()
        )
    })
}
