//! Tap latency on the real PC/SC stack (private pcscd + vpcd + virtual NTAG213 badges):
//!
//! - reader reported the card -> `TagPresent` with UID and URI ready (the backend's own work),
//! - reader reported the card -> the consumer received the event,
//! - reader reported the second card -> the pairing machine emitted the pair,
//! - badge placed -> event received, which adds vpcd's 400 ms polling (reported separately: real readers with an
//!   interrupt endpoint do not have it).
//!
//! `cargo bench -p livewall-nfc --bench tap_latency [-- TAPS]` (as root, pcscd and vsmartcard-vpcd installed).

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use livewall_nfc::pairing::SystemClock;
use livewall_nfc::{
    BadgeResolver, NfcEvent, Pairing, PairingConfig, PairingEvent, PcscBackend, PcscConfig,
};
use livewall_virtual_badge::{BadgeKind, PcscStack, VirtualBadge, run_isolated};

const SERVER: &str = "https://wall.example.org";

fn main() -> ExitCode {
    run_isolated(|| match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "tap_latency: {e}");
            ExitCode::FAILURE
        }
    })
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes `--bench`; the first number is the tap count.
    let taps: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(40);
    let stack = PcscStack::start()?;
    let reader = stack.reader(0);
    let stream = PcscBackend::new(PcscConfig::default()).watch()?;
    wait(
        &stream,
        |e| matches!(e, NfcEvent::ReaderAttached { reader: r, .. } if r == reader.name()),
    )?;

    let resolver = BadgeResolver::new(SERVER);
    let mut pairing = Pairing::new(SystemClock, PairingConfig::default());
    let (mut backend_us, mut delivered_us, mut placed_us, mut pair_us) =
        (vec![], vec![], vec![], vec![]);
    for i in 0..taps {
        let n = u8::try_from(i % 250).unwrap_or(0);
        let badge = VirtualBadge::with_uri(
            BadgeKind::Ntag213,
            &[0x04, 0xB0, n, 1, 2, 3, 4],
            &format!("{SERVER}/p/b{i}"),
        );
        let placed_at = Instant::now();
        let placed = reader.place(&badge)?;
        let NfcEvent::TagPresent(tag) = wait(&stream, |e| matches!(e, NfcEvent::TagPresent(_)))?
        else {
            return Err("expected a tag".into());
        };
        let received = Instant::now();
        if tag.uri.is_none() {
            return Err(format!("tap {i}: no URI in {tag:?}").into());
        }
        let decisions = pairing.badge_placed(tag.badge(&resolver));
        let decided = Instant::now();
        backend_us.push(tag.read_us as f64);
        delivered_us.push(micros(received - tag.detected_at));
        placed_us.push(micros(received - placed_at));
        if decisions
            .iter()
            .any(|d| matches!(d, PairingEvent::Paired { .. }))
        {
            pair_us.push(micros(decided - tag.detected_at));
        }
        std::thread::sleep(Duration::from_millis(600).saturating_sub(placed_at.elapsed()));
        placed.remove()?;
        wait(&stream, |e| matches!(e, NfcEvent::TagRemoved { .. }))?;
        pairing.badge_removed(&tag.badge(&resolver));
    }

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "taps: {taps} (NTAG213, 12-page URL record), pairs: {}",
        pair_us.len()
    )?;
    writeln!(
        out,
        "{:<44} {:>9} {:>9} {:>9} {:>9}",
        "measure (microseconds)", "min", "median", "p95", "max"
    )?;
    for (name, values) in [
        (
            "card reported -> TagPresent ready (backend)",
            &mut backend_us,
        ),
        ("card reported -> event received", &mut delivered_us),
        ("card reported -> pair emitted", &mut pair_us),
        ("badge placed -> event received (vpcd poll)", &mut placed_us),
    ] {
        let s = stats(values);
        writeln!(
            out,
            "{name:<44} {:>9.0} {:>9.0} {:>9.0} {:>9.0}",
            s[0], s[1], s[2], s[3]
        )?;
    }
    Ok(())
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// min, median, p95, max.
fn stats(values: &mut [f64]) -> [f64; 4] {
    if values.is_empty() {
        return [f64::NAN; 4];
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    [at(0.0), at(0.5), at(0.95), at(1.0)]
}

fn wait(
    stream: &livewall_nfc::EventStream,
    pred: impl Fn(&NfcEvent) -> bool,
) -> Result<NfcEvent, Box<dyn std::error::Error>> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match stream.recv_timeout(left) {
            Some(NfcEvent::Error { message, .. }) => return Err(message.into()),
            Some(e) if pred(&e) => return Ok(e),
            Some(_) => {}
            None => return Err("timed out waiting for an event".into()),
        }
    }
}
