//! The station: NFC reader events (PC/SC, or a keyboard-wedge reader typing into the window) drive the pairing
//! machine; a pair goes into the durable outbox at once and a delivery loop sends it when the server answers.
//! Everything the person at the booth should see is sent to the station window as [`StationEvent`]s.
//!
//! One task owns the [`Pairing`] machine, so taps from both kinds of reader are ordered in one place.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use livewall_client::outbox::{Delivery, Outbox};
use livewall_client::{Client, ClientError};
use livewall_nfc::{
    BackendConfig, BadgeRef, BadgeResolver, Feedback, NfcEvent, Pairing, PairingConfig,
    PairingEvent, PcscBackend, PcscConfig,
};
use livewall_protocol::{CreateConnection, PartyKey, PartyRef, Person};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime};
use tokio::sync::{Notify, mpsc};

use crate::error::{CommandError, CommandResult, ErrorCode};

/// The event name of every [`StationEvent`].
pub const EVENT: &str = "station:event";

/// How long a station waits for a person lookup before showing the badge without a name.
const LOOKUP_TIMEOUT: Duration = Duration::from_millis(2500);
/// How often the outbox is retried while taps wait.
const RETRY_EVERY: Duration = Duration::from_secs(3);
/// How long after start-up "searching for a reader" turns into "no reader found".
const READER_GRACE: Duration = Duration::from_secs(2);

/// The reader situation, for the status line and the "no reader found" help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
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

/// What the station window shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
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
        timeout_ms: u64,
    },
    /// The first badge's person, once looked up.
    FirstPerson {
        /// The badge.
        badge: BadgeRef,
        /// Who it is.
        person: Person,
    },
    /// The server does not know this badge.
    Unknown {
        /// The badge.
        badge: BadgeRef,
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
        /// Why they wait, when sending failed.
        reason: Option<String>,
    },
    /// Something failed locally (the outbox cannot be written...).
    Failure {
        /// What.
        message: String,
    },
}

/// The server's answer to one tap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TapOutcome {
    /// A new connection.
    Connected,
    /// The two had already met.
    AlreadyConnected,
    /// The server refused the tap for good (unknown badge, same person twice).
    Refused,
}

/// Inputs of the station task.
#[derive(Debug)]
enum Input {
    Nfc(NfcEvent),
    /// A UID typed by a keyboard-wedge reader.
    Typed(String),
}

/// The station's managed state: where inputs go, and what to tell a window that (re)loads.
pub struct Station {
    inputs: mpsc::Sender<Input>,
    rx: Mutex<Option<mpsc::Receiver<Input>>>,
    client: Client,
    event: String,
    outbox: Outbox,
    resolver: BadgeResolver,
    reader_filter: Option<String>,
    last_reader: Arc<Mutex<Option<String>>>,
    status: Arc<Mutex<StationEvent>>,
}

/// What the window gets when it starts.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StationStart {
    /// The event.
    pub event_id: String,
    /// The current reader situation.
    pub reader: StationEvent,
    /// Taps waiting to be sent.
    pub waiting: usize,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The server-side key of a badge.
pub fn party(badge: &BadgeRef) -> PartyRef {
    match badge {
        BadgeRef::Uid(u) => PartyRef::By(PartyKey::TagUid(u.clone())),
        BadgeRef::ProfileId(p) => PartyRef::By(PartyKey::ProfileId(p.clone())),
    }
}

fn lookup_key(badge: &BadgeRef) -> &str {
    match badge {
        BadgeRef::Uid(u) | BadgeRef::ProfileId(u) => u,
    }
}

/// A keyboard-wedge reader's line as a UID: hex digits (separators `:`/`-`/spaces allowed), 4 to 10 bytes.
pub fn typed_uid(line: &str) -> Option<String> {
    let hex: String = line
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | ' '))
        .collect::<String>()
        .to_ascii_uppercase();
    let ok = hex.len().is_multiple_of(2)
        && (8..=20).contains(&hex.len())
        && hex.chars().all(|c| c.is_ascii_hexdigit());
    ok.then_some(hex)
}

impl Station {
    /// State for a station of `event` on `client`, queueing taps in `outbox`.
    pub fn new(
        client: Client,
        event: String,
        outbox: Outbox,
        reader_filter: Option<String>,
    ) -> Self {
        let (inputs, rx) = mpsc::channel(256);
        let resolver = BadgeResolver::new(client.base());
        Self {
            inputs,
            rx: Mutex::new(Some(rx)),
            client,
            event,
            outbox,
            resolver,
            reader_filter,
            last_reader: Arc::default(),
            status: Arc::new(Mutex::new(StationEvent::Reader {
                status: ReaderStatus::Searching,
                readers: Vec::new(),
                message: None,
            })),
        }
    }

    /// Starts the reader, the pairing task and the delivery loop the first time; answers the current situation.
    pub async fn start<R: Runtime>(&self, app: AppHandle<R>) -> CommandResult<StationStart> {
        let rx = lock(&self.rx).take();
        if let Some(rx) = rx {
            self.spawn(app, rx)?;
        }
        let waiting = self.outbox.len().await?;
        let reader = lock(&self.status).clone();
        Ok(StationStart {
            event_id: self.event.clone(),
            reader,
            waiting,
        })
    }

    /// A UID typed by a keyboard-wedge reader (a tap: placed and removed at once).
    pub async fn typed(&self, line: &str) -> CommandResult<String> {
        let uid = typed_uid(line).ok_or_else(|| {
            CommandError::new(
                ErrorCode::InvalidInput,
                format!("{line:?} is not a badge UID"),
            )
        })?;
        self.inputs
            .send(Input::Typed(uid.clone()))
            .await
            .map_err(|_| CommandError::new(ErrorCode::Storage, "the station has stopped"))?;
        Ok(uid)
    }

    fn spawn<R: Runtime>(&self, app: AppHandle<R>, rx: mpsc::Receiver<Input>) -> CommandResult<()> {
        let stream = livewall_nfc::watch(BackendConfig::Pcsc(PcscConfig {
            reader_filter: self.reader_filter.clone(),
            ..PcscConfig::default()
        }))?;
        let tx = self.inputs.clone();
        // The NFC crate's stream is blocking: one plain thread hands its events to the async task.
        std::thread::Builder::new()
            .name("station-nfc".into())
            .spawn(move || {
                while let Some(event) = stream.recv() {
                    if tx.blocking_send(Input::Nfc(event)).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| {
                CommandError::new(
                    ErrorCode::NoReader,
                    format!("cannot start the reader thread: {e}"),
                )
            })?;
        let wake = Arc::new(Notify::new());
        let engine = Engine {
            app: app.clone(),
            client: self.client.clone(),
            event: self.event.clone(),
            outbox: self.outbox.clone(),
            resolver: self.resolver.clone(),
            pairing: Pairing::new(Default::default(), PairingConfig::default()),
            readers: BTreeSet::new(),
            on_reader: HashMap::new(),
            service_down: None,
            last_reader: self.last_reader.clone(),
            status: self.status.clone(),
            wake: wake.clone(),
        };
        tauri::async_runtime::spawn(engine.run(rx));
        tauri::async_runtime::spawn(deliver_loop(
            app,
            self.client.clone(),
            self.outbox.clone(),
            self.last_reader.clone(),
            wake,
        ));
        Ok(())
    }
}

fn emit<R: Runtime>(app: &AppHandle<R>, event: &StationEvent) {
    if let Err(e) = app.emit_to("station", EVENT, event) {
        tracing::warn!(error = %e, "cannot send a station event to the window");
    }
}

/// Lights the reader's LEDs on a blocking thread; readers without them are fine.
fn led(reader: &Arc<Mutex<Option<String>>>, feedback: Feedback) {
    let Some(reader) = lock(reader).clone() else {
        return;
    };
    tauri::async_runtime::spawn_blocking(move || {
        if let Err(e) = PcscBackend::default().feedback(&reader, feedback) {
            tracing::debug!(error = %e, "reader feedback failed");
        }
    });
}

struct Engine<R: Runtime> {
    app: AppHandle<R>,
    client: Client,
    event: String,
    outbox: Outbox,
    resolver: BadgeResolver,
    pairing: Pairing,
    readers: BTreeSet<String>,
    /// Badges on the reader by UID, as the pairing machine knows them.
    on_reader: HashMap<String, BadgeRef>,
    service_down: Option<String>,
    last_reader: Arc<Mutex<Option<String>>>,
    status: Arc<Mutex<StationEvent>>,
    wake: Arc<Notify>,
}

impl<R: Runtime> Engine<R> {
    async fn run(mut self, mut rx: mpsc::Receiver<Input>) {
        let grace = tokio::time::sleep(READER_GRACE);
        tokio::pin!(grace);
        let mut grace_done = false;
        loop {
            let deadline = self
                .pairing
                .deadline()
                .map(tokio::time::Instant::from_std)
                .unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600));
            tokio::select! {
                input = rx.recv() => match input {
                    Some(Input::Nfc(ev)) => self.on_nfc(ev).await,
                    Some(Input::Typed(uid)) => {
                        let badge = BadgeRef::Uid(uid);
                        let mut events = self.pairing.badge_placed(badge.clone());
                        events.extend(self.pairing.badge_removed(&badge));
                        self.on_pairing(events).await;
                    }
                    None => return,
                },
                _ = tokio::time::sleep_until(deadline) => {
                    let events = self.pairing.poll();
                    self.on_pairing(events).await;
                }
                _ = &mut grace, if !grace_done => {
                    grace_done = true;
                    self.reader_changed();
                }
            }
        }
    }

    fn reader_changed(&mut self) {
        let (status, message) = match (&self.service_down, self.readers.is_empty()) {
            (Some(m), _) => (ReaderStatus::ServiceDown, Some(m.clone())),
            (None, false) => (ReaderStatus::Ready, None),
            (None, true) => (ReaderStatus::NoReader, None),
        };
        let ev = StationEvent::Reader {
            status,
            readers: self.readers.iter().cloned().collect(),
            message,
        };
        *lock(&self.status) = ev.clone();
        emit(&self.app, &ev);
    }

    async fn on_nfc(&mut self, ev: NfcEvent) {
        match ev {
            NfcEvent::ServiceUp { .. } => {
                self.service_down = None;
                self.reader_changed();
            }
            NfcEvent::ServiceDown { message, .. } => {
                self.readers.clear();
                self.service_down = Some(message);
                self.reader_changed();
            }
            NfcEvent::ReaderAttached { reader, watched } => {
                if watched {
                    self.readers.insert(reader);
                    self.reader_changed();
                }
            }
            NfcEvent::ReaderDetached { reader } => {
                self.readers.remove(&reader);
                self.reader_changed();
            }
            NfcEvent::TagPresent(tag) => {
                *lock(&self.last_reader) = Some(tag.reader.clone());
                let badge = tag.badge(&self.resolver);
                self.on_reader.insert(tag.uid.clone(), badge.clone());
                let events = self.pairing.badge_placed(badge);
                self.on_pairing(events).await;
            }
            NfcEvent::TagRemoved { uid, .. } => {
                // The machine knows a badge by what it resolved to (UID or profile id); the reader reports the UID.
                if let Some(badge) = uid.and_then(|u| self.on_reader.remove(&u)) {
                    let events = self.pairing.badge_removed(&badge);
                    self.on_pairing(events).await;
                }
            }
            NfcEvent::Error { reader, message } => {
                tracing::warn!(?reader, %message, "reader error");
            }
        }
    }

    async fn on_pairing(&mut self, events: Vec<PairingEvent>) {
        for ev in events {
            match ev {
                PairingEvent::WaitingForPartner { first, timeout_ms } => {
                    led(&self.last_reader, Feedback::FirstBadge);
                    emit(
                        &self.app,
                        &StationEvent::First {
                            badge: first.clone(),
                            timeout_ms,
                        },
                    );
                    let (app, client, event) =
                        (self.app.clone(), self.client.clone(), self.event.clone());
                    tauri::async_runtime::spawn(async move {
                        lookup(app, client, event, first).await;
                    });
                }
                PairingEvent::Paired { first, second } => {
                    let req = CreateConnection {
                        from: party(&first),
                        to: party(&second),
                    };
                    match self.outbox.enqueue(&self.event, req).await {
                        Ok(tap) => {
                            emit(
                                &self.app,
                                &StationEvent::Paired {
                                    key: tap.key,
                                    first,
                                    second,
                                },
                            );
                            self.wake.notify_one();
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "cannot queue a tap");
                            led(&self.last_reader, Feedback::Error);
                            emit(
                                &self.app,
                                &StationEvent::Failure {
                                    message: format!("This tap could not be saved: {e}"),
                                },
                            );
                        }
                    }
                }
                PairingEvent::Cancelled { .. } => emit(&self.app, &StationEvent::Cancelled),
                PairingEvent::TimedOut { .. } => emit(&self.app, &StationEvent::TimedOut),
                PairingEvent::Ignored { .. } => {}
            }
        }
    }
}

/// Shows who the first badge belongs to, or that the server does not know it.
async fn lookup<R: Runtime>(app: AppHandle<R>, client: Client, event: String, badge: BadgeRef) {
    let found =
        tokio::time::timeout(LOOKUP_TIMEOUT, client.person(&event, lookup_key(&badge))).await;
    match found {
        Ok(Ok(person)) => emit(&app, &StationEvent::FirstPerson { badge, person }),
        Ok(Err(ClientError::Server { status: 404, .. })) => {
            emit(&app, &StationEvent::Unknown { badge });
        }
        // Offline or slow: the tap still counts, the name simply is not shown.
        Ok(Err(e)) => tracing::info!(error = %e, "person lookup failed"),
        Err(_) => tracing::info!("person lookup timed out"),
    }
}

/// Sends queued taps whenever one is added, and every few seconds while some wait.
async fn deliver_loop<R: Runtime>(
    app: AppHandle<R>,
    client: Client,
    outbox: Outbox,
    last_reader: Arc<Mutex<Option<String>>>,
    wake: Arc<Notify>,
) {
    loop {
        match outbox.deliver(&client).await {
            Ok(report) => {
                for d in report.deliveries {
                    let ev = match d {
                        Delivery::Delivered { tap, posted } => {
                            let outcome = if posted.outcome.duplicate {
                                TapOutcome::AlreadyConnected
                            } else {
                                TapOutcome::Connected
                            };
                            led(
                                &last_reader,
                                if posted.outcome.duplicate {
                                    Feedback::AlreadyConnected
                                } else {
                                    Feedback::Connected
                                },
                            );
                            let c = posted.outcome.connection;
                            StationEvent::Result {
                                key: tap.key,
                                outcome,
                                people: Some((c.from, c.to)),
                                message: None,
                            }
                        }
                        Delivery::Refused { tap, error } => {
                            led(&last_reader, Feedback::Error);
                            StationEvent::Result {
                                key: tap.key,
                                outcome: TapOutcome::Refused,
                                people: None,
                                message: Some(refusal(&error)),
                            }
                        }
                    };
                    emit(&app, &ev);
                }
                emit(
                    &app,
                    &StationEvent::Queue {
                        waiting: report.waiting,
                        reason: report.stopped_by,
                    },
                );
            }
            Err(e) => {
                tracing::error!(error = %e, "outbox delivery failed");
                emit(
                    &app,
                    &StationEvent::Failure {
                        message: e.to_string(),
                    },
                );
            }
        }
        let _ = tokio::time::timeout(RETRY_EVERY, wake.notified()).await;
    }
}

/// The sentence for a refused tap.
fn refusal(error: &ClientError) -> String {
    match error {
        ClientError::Server { status: 404, .. } => {
            "One of these badges is not registered. Please see the help desk.".into()
        }
        ClientError::Server { message, .. } => message.clone(),
        other => other.to_string(),
    }
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
    fn station_events_are_tagged_for_the_window() {
        let ev = StationEvent::First {
            badge: BadgeRef::Uid("04AA".into()),
            timeout_ms: 15_000,
        };
        assert_eq!(
            serde_json::to_value(&ev).unwrap_or_default(),
            serde_json::json!({"kind": "first", "badge": {"kind": "uid", "value": "04AA"}, "timeoutMs": 15000})
        );
    }
}
