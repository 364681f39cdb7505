//! The PC/SC backend (the default): any CCID/PC/SC contactless reader driven by pcscd, e.g. ACR122U, ACR1252U.
//!
//! One thread blocks in `SCardGetStatusChange` on the watched readers plus the PnP pseudo-reader, so taps and reader
//! plug/unplug wake it without polling. When pcscd goes away it reports [`NfcEvent::ServiceDown`], keeps retrying,
//! and reports [`NfcEvent::ServiceUp`] with `recovered: true` once pcscd is back.

use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use pcsc::{Card, Context, Protocols, ReaderState, Scope, ShareMode, State};

use crate::error::NfcError;
use crate::event::{EventStream, NfcEvent, TagEvent};
use crate::feedback::{Feedback, FeedbackOutcome};
use crate::ndef::PageReader;
use crate::tag::{self, TagData, Type2Commands, WriteReport};

const BACKEND: &str = "pcsc";

/// How the PC/SC backend behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcscConfig {
    /// Only watch readers whose name contains this (case-insensitive); all contactless readers when `None`.
    pub reader_filter: Option<String>,
    /// Pause between attempts to reach pcscd while it is down.
    pub retry_interval: Duration,
    /// Attempts to read a tag before reporting an error (a tag moving in the field often fails once).
    pub read_attempts: u32,
    /// Upper bound of one blocking wait, so a stop request is noticed even if cancelling fails.
    pub wait_slice: Duration,
}

impl Default for PcscConfig {
    fn default() -> Self {
        Self {
            reader_filter: None,
            retry_interval: Duration::from_millis(500),
            read_attempts: 3,
            wait_slice: Duration::from_secs(2),
        }
    }
}

/// The PC/SC backend: watch taps, write badges, drive reader feedback.
#[derive(Debug, Clone, Default)]
pub struct PcscBackend {
    config: PcscConfig,
}

impl PcscBackend {
    /// A backend with `config`.
    pub fn new(config: PcscConfig) -> Self {
        Self { config }
    }

    /// Starts watching readers on a background thread.
    pub fn watch(&self) -> Result<EventStream, NfcError> {
        let (tx, rx) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let current: Arc<Mutex<Option<Context>>> = Arc::new(Mutex::new(None));
        let watcher = Watcher {
            config: self.config.clone(),
            tx,
            stop: stop.clone(),
            current: current.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("livewall-nfc-pcsc".into())
            .spawn(move || watcher.run())
            .map_err(NfcError::Spawn)?;
        let stopper = Box::new(move || {
            stop.store(true, Ordering::SeqCst);
            if let Some(ctx) = current
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .as_ref()
            {
                // Ends a blocking SCardGetStatusChange at once; failing only means we wait one `wait_slice`.
                let _ = ctx.cancel();
            }
        });
        Ok(EventStream::new(rx, stopper, thread))
    }

    /// Writes `uri` as the only NDEF record of the tag on `reader` (formatting a blank NTAG/Ultralight) and reads
    /// it back: the admin app's "write profile URL onto a badge".
    pub fn write_uri(&self, reader: &str, uri: &str) -> Result<WriteReport, NfcError> {
        let ctx = Context::establish(Scope::User).map_err(|e| NfcError::pcsc("establish", e))?;
        let name = find_reader(&ctx, reader)?;
        let mut tries = 0;
        let report = loop {
            let attempt = ctx
                .connect(&name, ShareMode::Exclusive, Protocols::ANY)
                .map_err(|e| NfcError::pcsc("connect", e))
                .and_then(|card| {
                    let atr = card.status2_owned().map(|s| s.atr().to_vec()).ok();
                    tag::write_uri(&mut PcscTag { card: &card }, atr.as_deref(), uri)
                });
            match attempt {
                // Reset, or held for a moment by another program (a station reading it): writing the same pages
                // again is harmless.
                Err(e) if (is_reset(&e) || is_busy(&e)) && tries < MAX_RESETS => {
                    tries += 1;
                    tracing::info!(tries, error = %e, "badge busy or reset, writing again");
                    std::thread::sleep(Duration::from_millis(100));
                }
                other => break other?,
            }
        };
        tracing::info!(
            reader,
            uri,
            pages = report.pages_written,
            formatted = report.formatted,
            "badge written"
        );
        Ok(report)
    }

    /// Signals `feedback` on `reader`'s LEDs/buzzer. Readers without the ACR122U command give
    /// [`FeedbackOutcome::Unsupported`], which callers can ignore.
    pub fn feedback(&self, reader: &str, feedback: Feedback) -> Result<FeedbackOutcome, NfcError> {
        let ctx = Context::establish(Scope::User).map_err(|e| NfcError::pcsc("establish", e))?;
        let name = find_reader(&ctx, reader)?;
        let apdu = feedback.acr122u_apdu();
        let mut buf = [0u8; 64];
        let answer = match ctx.connect(&name, ShareMode::Shared, Protocols::ANY) {
            Ok(card) => card.transmit(&apdu, &mut buf).map(<[u8]>::to_vec),
            // No card: ACR122U takes the same bytes as an escape command over a direct connection.
            Err(pcsc::Error::NoSmartcard | pcsc::Error::RemovedCard) => ctx
                .connect(&name, ShareMode::Direct, Protocols::UNDEFINED)
                .and_then(|card| {
                    card.control(pcsc::ctl_code(3500), &apdu, &mut buf)
                        .map(<[u8]>::to_vec)
                }),
            Err(e) => Err(e),
        };
        match answer {
            Ok(a) if a.len() >= 2 && a[a.len() - 2] == 0x90 => {
                tracing::debug!(reader, ?feedback, "feedback shown");
                Ok(FeedbackOutcome::Shown)
            }
            Ok(a) => {
                tracing::debug!(reader, ?feedback, answer = ?a, "reader has no LED/buzzer command");
                Ok(FeedbackOutcome::Unsupported)
            }
            Err(e @ (pcsc::Error::NoService | pcsc::Error::ServiceStopped)) => {
                Err(NfcError::pcsc("feedback", e))
            }
            Err(e) => {
                tracing::debug!(reader, ?feedback, error = %e, "feedback not supported");
                Ok(FeedbackOutcome::Unsupported)
            }
        }
    }
}

/// How often one read or write reconnects after the card was reset or was busy.
const MAX_RESETS: u32 = 5;

fn is_reset(e: &NfcError) -> bool {
    matches!(
        e,
        NfcError::Pcsc {
            source: pcsc::Error::ResetCard,
            ..
        }
    )
}

fn is_busy(e: &NfcError) -> bool {
    matches!(
        e,
        NfcError::Pcsc {
            source: pcsc::Error::SharingViolation,
            ..
        }
    )
}

/// Readers to watch among `names`. A device exposing several slots (ACR1252U: PICC + SAM) shows up as several
/// readers with one device name: keep its contactless one. Readers named alike without a PICC/SAM hint are all kept.
pub fn choose_readers<'a>(names: &'a [String], filter: Option<&str>) -> Vec<&'a str> {
    let filter = filter.map(str::to_lowercase);
    let matching: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| filter.as_ref().is_none_or(|f| n.to_lowercase().contains(f)))
        .collect();
    let device = |n: &str| n.split(" [").next().unwrap_or(n).to_owned();
    let is_picc = |n: &str| {
        let l = n.to_lowercase();
        l.contains("picc") || l.contains("contactless") || l.contains(" cl ")
    };
    let is_sam = |n: &str| n.to_lowercase().contains("sam");
    matching
        .iter()
        .copied()
        .filter(|n| {
            let siblings: Vec<&str> = matching
                .iter()
                .copied()
                .filter(|m| device(m) == device(n))
                .collect();
            if siblings.len() < 2 {
                return true;
            }
            if siblings.iter().any(|s| is_picc(s)) {
                is_picc(n)
            } else {
                !is_sam(n) || siblings.iter().all(|s| is_sam(s))
            }
        })
        .collect()
}

fn find_reader(ctx: &Context, wanted: &str) -> Result<CString, NfcError> {
    let names = match ctx.list_readers_owned() {
        Ok(n) => n,
        Err(pcsc::Error::NoReadersAvailable) => Vec::new(),
        Err(e) => return Err(NfcError::pcsc("list readers", e)),
    };
    names
        .into_iter()
        .find(|n| n.to_string_lossy() == wanted)
        .ok_or_else(|| NfcError::ReaderNotFound(wanted.to_owned()))
}

/// A card connection speaking the PC/SC part 3 pseudo-APDUs of contactless storage cards.
struct PcscTag<'a> {
    card: &'a Card,
}

impl PcscTag<'_> {
    /// Sends `apdu`, checks for `90 00` and returns the data before it.
    fn command(&self, command: &'static str, apdu: &[u8]) -> Result<Vec<u8>, NfcError> {
        let mut buf = [0u8; 258];
        let answer = self
            .card
            .transmit(apdu, &mut buf)
            .map_err(|e| NfcError::pcsc(command, e))?;
        match answer {
            [data @ .., 0x90, 0x00] => Ok(data.to_vec()),
            [.., sw1, sw2] => Err(NfcError::Status {
                command,
                sw: u16::from_be_bytes([*sw1, *sw2]),
            }),
            _ => Err(NfcError::ShortResponse {
                command,
                len: answer.len(),
                expected: 2,
            }),
        }
    }
}

impl PageReader for PcscTag<'_> {
    type Error = NfcError;

    fn read_four_pages(&mut self, first: u8) -> Result<[u8; 16], NfcError> {
        let data = self.command("READ BINARY", &[0xFF, 0xB0, 0x00, first, 0x10])?;
        <[u8; 16]>::try_from(data.as_slice()).map_err(|_| NfcError::ShortResponse {
            command: "READ BINARY",
            len: data.len(),
            expected: 16,
        })
    }
}

impl Type2Commands for PcscTag<'_> {
    fn uid(&mut self) -> Result<Vec<u8>, NfcError> {
        self.command("GET UID", &[0xFF, 0xCA, 0x00, 0x00, 0x00])
    }

    fn get_version(&mut self) -> Result<Option<[u8; 8]>, NfcError> {
        // Direct transmit of PN532 InCommunicateThru(60): `D5 43 00` + 8 version bytes when the tag answers.
        match self.command(
            "GET_VERSION",
            &[0xFF, 0x00, 0x00, 0x00, 0x03, 0xD4, 0x42, 0x60],
        ) {
            Ok(data) => match data.as_slice() {
                [0xD5, 0x43, 0x00, version @ ..] => Ok(<[u8; 8]>::try_from(version).ok()),
                _ => Ok(None),
            },
            Err(NfcError::Status { .. } | NfcError::ShortResponse { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn write_page(&mut self, page: u8, data: [u8; 4]) -> Result<(), NfcError> {
        let apdu = [
            0xFF, 0xD6, 0x00, page, 0x04, data[0], data[1], data[2], data[3],
        ];
        self.command("UPDATE BINARY", &apdu).map(drop)
    }
}

/// What the watcher knows about one watched reader.
#[derive(Debug, Default)]
struct Slot {
    /// UID of the tag on the reader, `Some(None)` when present but unread.
    present: Option<Option<String>>,
    /// Insertion/removal counter from the upper bits of the event state.
    count: u32,
}

struct Watcher {
    config: PcscConfig,
    tx: Sender<NfcEvent>,
    stop: Arc<AtomicBool>,
    current: Arc<Mutex<Option<Context>>>,
}

/// Why the inner loop ended.
enum Ended {
    Stopped,
    Lost(pcsc::Error),
}

impl Watcher {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn send(&self, event: NfcEvent) {
        // The receiver is gone only while the stream is being dropped, which also stops us.
        let _ = self.tx.send(event);
    }

    fn run(self) {
        let mut down = false;
        let mut first = true;
        while !self.stopped() {
            let ctx = match Context::establish(Scope::User) {
                Ok(ctx) => ctx,
                Err(e) => {
                    if !down {
                        let message = NfcError::pcsc("establish", e).to_string();
                        tracing::warn!(error = %message, "PC/SC service unavailable, retrying");
                        self.send(NfcEvent::ServiceDown {
                            backend: BACKEND,
                            message,
                        });
                        down = true;
                    }
                    self.pause(self.config.retry_interval);
                    continue;
                }
            };
            *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(ctx.clone());
            if self.stopped() {
                break;
            }
            tracing::info!(recovered = down, "PC/SC service up");
            self.send(NfcEvent::ServiceUp {
                backend: BACKEND,
                recovered: down && !first,
            });
            first = false;
            let mut readers = HashMap::new();
            let ended = self.watch(&ctx, &mut readers);
            // Whatever happened, the readers and tags we knew are gone from our view.
            for (reader, slot) in readers {
                if let Some(uid) = slot.present {
                    self.send(NfcEvent::TagRemoved {
                        reader: reader.clone(),
                        uid,
                    });
                }
                self.send(NfcEvent::ReaderDetached { reader });
            }
            *self.current.lock().unwrap_or_else(PoisonError::into_inner) = None;
            match ended {
                Ended::Stopped => break,
                Ended::Lost(e) => {
                    let message = NfcError::pcsc("wait", e).to_string();
                    tracing::warn!(error = %message, "lost PC/SC service, retrying");
                    self.send(NfcEvent::ServiceDown {
                        backend: BACKEND,
                        message,
                    });
                    down = true;
                    self.pause(self.config.retry_interval);
                }
            }
        }
    }

    /// Sleeps in small steps so a stop request is not delayed by a whole retry interval.
    fn pause(&self, total: Duration) {
        let until = Instant::now() + total;
        while !self.stopped() && Instant::now() < until {
            std::thread::sleep(
                Duration::from_millis(20).min(until.saturating_duration_since(Instant::now())),
            );
        }
    }

    fn watch(&self, ctx: &Context, readers: &mut HashMap<String, Slot>) -> Ended {
        let pnp = pcsc::PNP_NOTIFICATION();
        let mut states = vec![ReaderState::new(pnp, State::UNAWARE)];
        let mut known: Vec<String> = Vec::new();
        let mut unconfirmed: Option<pcsc::Error> = None;
        loop {
            if self.stopped() {
                return Ended::Stopped;
            }
            let names: Vec<String> = match ctx.list_readers_owned() {
                Ok(n) => n.iter().map(|c| c.to_string_lossy().into_owned()).collect(),
                Err(pcsc::Error::NoReadersAvailable) => Vec::new(),
                Err(e) => return Ended::Lost(e),
            };
            if let Some(e) = unconfirmed.take() {
                self.send(NfcEvent::Error {
                    reader: None,
                    message: format!("waiting for readers: {e}"),
                });
            }
            let watched: Vec<String> = choose_readers(&names, self.config.reader_filter.as_deref())
                .into_iter()
                .map(str::to_owned)
                .collect();
            for gone in known.iter().filter(|k| !names.contains(k)) {
                if let Some(Slot {
                    present: Some(uid), ..
                }) = readers.remove(gone)
                {
                    self.send(NfcEvent::TagRemoved {
                        reader: gone.clone(),
                        uid,
                    });
                }
                tracing::info!(reader = %gone, "reader detached");
                self.send(NfcEvent::ReaderDetached {
                    reader: gone.clone(),
                });
            }
            for new in names.iter().filter(|n| !known.contains(n)) {
                let is_watched = watched.contains(new);
                tracing::info!(reader = %new, watched = is_watched, "reader attached");
                self.send(NfcEvent::ReaderAttached {
                    reader: new.clone(),
                    watched: is_watched,
                });
            }
            known = names;
            states.retain(|rs| {
                rs.name() == pnp || watched.iter().any(|w| w.as_bytes() == rs.name().to_bytes())
            });
            for w in &watched {
                if !states.iter().any(|rs| rs.name().to_bytes() == w.as_bytes())
                    && let Ok(name) = CString::new(w.as_str())
                {
                    states.push(ReaderState::new(name, State::UNAWARE));
                    readers.entry(w.clone()).or_default();
                }
            }
            readers.retain(|name, _| watched.contains(name));
            for rs in &mut states {
                rs.sync_current_state();
            }
            match ctx.get_status_change(self.config.wait_slice, &mut states) {
                Ok(()) => {}
                Err(pcsc::Error::Timeout | pcsc::Error::Cancelled | pcsc::Error::UnknownReader) => {
                    continue;
                }
                Err(
                    e @ (pcsc::Error::NoService
                    | pcsc::Error::ServiceStopped
                    | pcsc::Error::CommError),
                ) => {
                    return Ended::Lost(e);
                }
                Err(e) => {
                    // Unexpected. A pcscd on its way down answers oddly (pcsc-lite 1.9 has been seen to say
                    // "security violation"), so report it only once the daemon has answered again: the next
                    // reader listing either fails, and the service is lost, or succeeds and the error is real.
                    unconfirmed = Some(e);
                    self.pause(self.config.retry_interval);
                    continue;
                }
            }
            let detected_at = Instant::now();
            for rs in &states {
                if rs.name() == pnp || !rs.event_state().contains(State::CHANGED) {
                    continue;
                }
                if let Err(e) = self.reader_changed(ctx, rs, readers, detected_at) {
                    return Ended::Lost(e);
                }
            }
        }
    }

    /// Reacts to one reader's state change; `Err` only when the service is gone.
    fn reader_changed(
        &self,
        ctx: &Context,
        rs: &ReaderState,
        readers: &mut HashMap<String, Slot>,
        detected_at: Instant,
    ) -> Result<(), pcsc::Error> {
        let name = rs.name().to_string_lossy().into_owned();
        let state = rs.event_state();
        if state.intersects(State::UNKNOWN | State::IGNORE) {
            return Ok(()); // Gone: the next reader listing reports it.
        }
        let slot = readers.entry(name.clone()).or_default();
        let count = rs.event_count();
        let present = state.contains(State::PRESENT) && !state.contains(State::MUTE);
        // Removed and placed again between two waits: the state looks unchanged but the counter moved.
        let swapped = slot.present.is_some() && present && count != slot.count && slot.count != 0;
        slot.count = count;
        if let Some(uid) = slot.present.take_if(|_| !present || swapped) {
            tracing::info!(reader = %name, uid = ?uid, "tag removed");
            self.send(NfcEvent::TagRemoved {
                reader: name.clone(),
                uid,
            });
        }
        if !present || slot.present.is_some() {
            return Ok(());
        }
        let atr = rs.atr().to_vec();
        match self.read_with_retries(ctx, rs.name(), &atr) {
            Ok(data) => {
                let event = TagEvent::new(name.clone(), Some(&atr), data, detected_at);
                tracing::info!(
                    reader = %name, uid = %event.uid, tag_type = ?event.tag_type, uri = ?event.uri,
                    read_us = event.read_us, "tag present"
                );
                slot.present = Some(Some(event.uid.clone()));
                self.send(NfcEvent::TagPresent(event));
            }
            Err(NfcError::ServiceUnavailable(e)) => return Err(e),
            Err(e) => {
                tracing::warn!(reader = %name, error = %e, "could not read tag");
                slot.present = Some(None);
                self.send(NfcEvent::Error {
                    reader: Some(name),
                    message: format!("could not read tag: {e}"),
                });
            }
        }
        Ok(())
    }

    fn read_with_retries(
        &self,
        ctx: &Context,
        reader: &CStr,
        atr: &[u8],
    ) -> Result<TagData, NfcError> {
        let mut attempt = 1;
        let mut resets = 0;
        loop {
            let result = ctx
                .connect(reader, ShareMode::Shared, Protocols::ANY)
                .map_err(|e| NfcError::pcsc("connect", e))
                .and_then(|card| tag::read_tag(&mut PcscTag { card: &card }, Some(atr)));
            match result {
                Ok(data) => return Ok(data),
                Err(e @ NfcError::ServiceUnavailable(_)) => return Err(e),
                // Another program (or window) reset the card: it is still there, a new connection reads it.
                Err(e) if is_reset(&e) && resets < MAX_RESETS => {
                    resets += 1;
                    tracing::info!(resets, error = %e, "card was reset by another program, reading again");
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) if e.is_card_gone() || attempt >= self.config.read_attempts => {
                    return Err(e);
                }
                Err(e) => {
                    tracing::debug!(attempt, error = %e, "tag read failed, retrying");
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(30));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn picks_the_picc_reader_of_a_dual_device() {
        let n = names(&[
            "ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00",
            "ACS ACR1252 Dual Reader [ACR1252 Dual Reader SAM] 00 01",
            "ACS ACR122U PICC Interface 01 00",
        ]);
        assert_eq!(
            choose_readers(&n, None),
            vec![
                "ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00",
                "ACS ACR122U PICC Interface 01 00"
            ]
        );
    }

    #[test]
    fn keeps_identical_readers_and_applies_the_filter() {
        let n = names(&[
            "Virtual PCD 00 00",
            "Virtual PCD 00 01",
            "Other Reader [SAM slot] 00 00",
        ]);
        assert_eq!(
            choose_readers(&n, None),
            vec![
                "Virtual PCD 00 00",
                "Virtual PCD 00 01",
                "Other Reader [SAM slot] 00 00"
            ]
        );
        assert_eq!(
            choose_readers(&n, Some("pcd 00 01")),
            vec!["Virtual PCD 00 01"]
        );
        let dual = names(&["X [X SAM] 00 00", "X [X Slot] 00 01"]);
        assert_eq!(choose_readers(&dual, None), vec!["X [X Slot] 00 01"]);
    }
}
