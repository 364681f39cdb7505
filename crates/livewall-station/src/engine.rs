//! The station's one task: reader events in, pairing, the first badge looked up, pairs written to the outbox.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use livewall_client::outbox::Outbox;
use livewall_client::{Client, ClientError};
use livewall_nfc::pairing::{Clock, SystemClock};
use livewall_nfc::{
    BadgeResolver, Feedback, NfcEvent, Pairing, PairingConfig, PairingEvent, TagEvent,
};
use livewall_protocol::{
    BadgeRef, CreateConnection, ErrorCode, Person, ReaderStatus, StationEvent,
};
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;

use crate::{Lights, Screen, is_phone, party};

/// What the station is for and how patient it is.
#[derive(Debug, Clone)]
pub struct StationConfig {
    /// The event the taps are for.
    pub event: String,
    /// Turns a badge's NDEF URL into a profile id.
    pub resolver: BadgeResolver,
    /// Partner timeout and debounce.
    pub pairing: PairingConfig,
    /// How long the first badge's lookup may take before the badge is shown without a name.
    pub lookup_timeout: Duration,
    /// How long after start-up "searching for a reader" turns into "no reader found".
    pub reader_grace: Duration,
    /// A badge reported removed and present again within this is the reader reading it again (the card was reset
    /// by another program), not a second tap: a real lift-and-tap takes longer than a reader's poll.
    pub reread_window: Duration,
}

impl StationConfig {
    /// The usual timings for `event`.
    pub fn new(event: impl Into<String>, resolver: BadgeResolver) -> Self {
        Self {
            event: event.into(),
            resolver,
            pairing: PairingConfig::default(),
            lookup_timeout: Duration::from_millis(2500),
            reader_grace: Duration::from_secs(2),
            reread_window: Duration::from_millis(300),
        }
    }
}

/// Who a badge's lookup found.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    /// This person.
    Found(Person),
    /// The server knows no attendee with this badge.
    Unknown,
    /// No answer (offline, slow, hidden person): the tap still counts, the name is simply not shown.
    Unavailable,
}

/// One input of the station task.
#[derive(Debug)]
pub enum Input {
    /// From the NFC backend.
    Nfc(NfcEvent),
    /// A UID typed by a keyboard-wedge reader (a tap: placed and removed at once).
    Typed(String),
    /// A first badge's lookup finished.
    Looked {
        /// The badge.
        badge: BadgeRef,
        /// What was found.
        found: Lookup,
    },
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The station task's state. Inputs arrive through [`Engine::inlet`]; [`Engine::run`] is the production loop, and
/// tests call [`Engine::handle`], [`Engine::next`] and [`Engine::tick`] themselves with a fake clock.
pub struct Engine<C: Clock = SystemClock> {
    config: StationConfig,
    client: Client,
    outbox: Outbox,
    screen: Arc<dyn Screen>,
    lights: Arc<dyn Lights>,
    clock: C,
    pairing: Pairing<C>,
    readers: BTreeSet<String>,
    /// Badges on the reader by UID, as the pairing machine knows them.
    on_reader: HashMap<String, BadgeRef>,
    /// A removal not yet passed on, in case the badge is read again at once (see [`StationConfig::reread_window`]).
    pending_removal: Option<(BadgeRef, Instant)>,
    service_down: Option<String>,
    last_reader: Arc<Mutex<Option<String>>>,
    reader_status: Arc<Mutex<StationEvent>>,
    wake: Arc<Notify>,
    inlet: mpsc::Sender<Input>,
    rx: mpsc::Receiver<Input>,
    started_at: Instant,
    grace_over: bool,
}

impl<C: Clock + Clone> Engine<C> {
    /// A station for `config.event` on `client`, queueing into `outbox`, showing on `screen`, signalling on
    /// `lights`, with time from `clock`.
    pub fn new(
        config: StationConfig,
        client: Client,
        outbox: Outbox,
        screen: Arc<dyn Screen>,
        lights: Arc<dyn Lights>,
        clock: C,
    ) -> Self {
        let (inlet, rx) = mpsc::channel(256);
        let pairing = Pairing::new(clock.clone(), config.pairing);
        let started_at = clock.now();
        Self {
            config,
            client,
            outbox,
            screen,
            lights,
            clock,
            pairing,
            readers: BTreeSet::new(),
            on_reader: HashMap::new(),
            pending_removal: None,
            service_down: None,
            last_reader: Arc::default(),
            reader_status: Arc::new(Mutex::new(StationEvent::Reader {
                status: ReaderStatus::Searching,
                readers: Vec::new(),
                message: None,
            })),
            wake: Arc::new(Notify::new()),
            inlet,
            rx,
            started_at,
            grace_over: false,
        }
    }

    /// Where readers and the window send inputs.
    pub fn inlet(&self) -> mpsc::Sender<Input> {
        self.inlet.clone()
    }

    /// Notified whenever a tap is queued: the courier's cue.
    pub fn wake(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// The reader a badge was last seen on, for the courier's LEDs.
    pub fn last_reader(&self) -> Arc<Mutex<Option<String>>> {
        self.last_reader.clone()
    }

    /// The current reader situation, for a window that (re)loads.
    pub fn reader_status(&self) -> Arc<Mutex<StationEvent>> {
        self.reader_status.clone()
    }

    /// The badge waiting for a partner, if any.
    pub fn waiting(&self) -> Option<&BadgeRef> {
        self.pairing.waiting()
    }

    /// When [`Engine::tick`] next has something to do.
    pub fn deadline(&self) -> Option<Instant> {
        let removal = self
            .pending_removal
            .as_ref()
            .map(|(_, at)| *at + self.config.reread_window);
        let grace = (!self.grace_over).then(|| self.started_at + self.config.reader_grace);
        [self.pairing.deadline(), removal, grace]
            .into_iter()
            .flatten()
            .min()
    }

    /// Processes the next input if one arrives within `within`; false when none did.
    pub async fn next(&mut self, within: Duration) -> bool {
        match tokio::time::timeout(within, self.rx.recv()).await {
            Ok(Some(input)) => {
                self.handle(input).await;
                true
            }
            _ => false,
        }
    }

    /// Runs until `stop` is cancelled.
    pub async fn run(mut self, stop: CancellationToken) {
        loop {
            let wait = self
                .deadline()
                .map(|d| d.saturating_duration_since(self.clock.now()))
                .unwrap_or(Duration::from_secs(3600));
            tokio::select! {
                input = self.rx.recv() => match input {
                    Some(input) => self.handle(input).await,
                    None => return,
                },
                _ = tokio::time::sleep(wait) => self.tick().await,
                _ = stop.cancelled() => return,
            }
        }
    }

    /// Does what is due: a removal that was not a re-read, a partner time-out, the end of the reader grace.
    pub async fn tick(&mut self) {
        let now = self.clock.now();
        self.flush_removal(now, false).await;
        if !self.grace_over && now >= self.started_at + self.config.reader_grace {
            self.grace_over = true;
            self.reader_changed();
        }
        let events = self.pairing.poll();
        self.on_pairing(events).await;
    }

    /// Processes one input.
    pub async fn handle(&mut self, input: Input) {
        match input {
            Input::Nfc(ev) => self.on_nfc(ev).await,
            Input::Typed(uid) => {
                self.flush_removal(self.clock.now(), true).await;
                let badge = BadgeRef::Uid(uid);
                let mut events = self.pairing.badge_placed(badge.clone());
                events.extend(self.pairing.badge_removed(&badge));
                self.on_pairing(events).await;
            }
            Input::Looked { badge, found } => self.on_lookup(badge, found),
        }
    }

    fn show(&self, event: &StationEvent) {
        self.screen.show(event);
    }

    fn signal(&self, feedback: Feedback) {
        if let Some(reader) = lock(&self.last_reader).clone() {
            self.lights.signal(&reader, feedback);
        }
    }

    fn reader_changed(&mut self) {
        let (status, message) = match (&self.service_down, self.readers.is_empty()) {
            (Some(m), _) => (ReaderStatus::ServiceDown, Some(m.clone())),
            (None, false) => (ReaderStatus::Ready, None),
            (None, true) if !self.grace_over => (ReaderStatus::Searching, None),
            (None, true) => (ReaderStatus::NoReader, None),
        };
        let ev = StationEvent::Reader {
            status,
            readers: self.readers.iter().cloned().collect(),
            message,
        };
        *lock(&self.reader_status) = ev.clone();
        self.show(&ev);
    }

    /// Passes a held-back removal to the pairing machine once it is clearly a removal (`now` past the re-read
    /// window, or `force` because another badge or a typed UID arrived).
    async fn flush_removal(&mut self, now: Instant, force: bool) {
        let due = self
            .pending_removal
            .as_ref()
            .is_some_and(|(_, at)| force || now.duration_since(*at) >= self.config.reread_window);
        if let Some((badge, _)) = self.pending_removal.take_if(|_| due) {
            let events = self.pairing.badge_removed(&badge);
            self.on_pairing(events).await;
        }
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
                if self.readers.remove(&reader) {
                    self.reader_changed();
                }
            }
            NfcEvent::TagPresent(tag) => self.on_tag(tag).await,
            NfcEvent::TagRemoved { uid, .. } => {
                // The machine knows a badge by what it resolved to (UID or profile id); the reader reports the UID.
                if let Some(badge) = uid.and_then(|u| self.on_reader.remove(&u)) {
                    self.flush_removal(self.clock.now(), true).await;
                    self.pending_removal = Some((badge, self.clock.now()));
                }
            }
            NfcEvent::Error {
                reader: Some(reader),
                message,
            } => {
                tracing::warn!(%reader, %message, "badge could not be read");
                *lock(&self.last_reader) = Some(reader.clone());
                self.signal(Feedback::Error);
                self.show(&StationEvent::ReadFailed {
                    reader: Some(reader),
                    message,
                });
            }
            NfcEvent::Error {
                reader: None,
                message,
            } => tracing::warn!(%message, "reader error"),
        }
    }

    async fn on_tag(&mut self, tag: TagEvent) {
        *lock(&self.last_reader) = Some(tag.reader.clone());
        if is_phone(&tag.uid) {
            tracing::info!(uid = %tag.uid, "a phone was held to the reader");
            self.signal(Feedback::Error);
            self.show(&StationEvent::Phone { uid: tag.uid });
            return;
        }
        let badge = tag.badge(&self.config.resolver);
        let now = self.clock.now();
        let reread = self.pending_removal.as_ref().is_some_and(|(b, at)| {
            *b == badge && now.duration_since(*at) < self.config.reread_window
        });
        if reread {
            // The same badge, read again at once: it never left (a reset), so no second tap.
            tracing::info!(uid = %tag.uid, "badge read again after a reset");
            self.pending_removal = None;
            self.on_reader.insert(tag.uid, badge);
            return;
        }
        self.flush_removal(now, true).await;
        self.on_reader.insert(tag.uid.clone(), badge.clone());
        let events = self.pairing.badge_placed(badge);
        self.on_pairing(events).await;
    }

    fn on_lookup(&mut self, badge: BadgeRef, found: Lookup) {
        // Only while that badge still waits: a late answer must not touch a newer pairing.
        if self.pairing.waiting() != Some(&badge) {
            return;
        }
        match found {
            Lookup::Found(person) => self.show(&StationEvent::FirstPerson { badge, person }),
            Lookup::Unknown => {
                self.pairing.abandon();
                tracing::info!(badge = badge.key(), "unknown badge forgotten");
                self.signal(Feedback::Error);
                self.show(&StationEvent::Unknown { badge });
            }
            Lookup::Unavailable => {}
        }
    }

    async fn on_pairing(&mut self, events: Vec<PairingEvent>) {
        for ev in events {
            match ev {
                PairingEvent::WaitingForPartner { first, timeout_ms } => {
                    self.signal(Feedback::FirstBadge);
                    self.show(&StationEvent::First {
                        badge: first.clone(),
                        timeout_ms,
                    });
                    self.look_up(first);
                }
                PairingEvent::Paired { first, second } => self.queue(first, second).await,
                PairingEvent::Cancelled { .. } => self.show(&StationEvent::Cancelled),
                PairingEvent::TimedOut { .. } => self.show(&StationEvent::TimedOut),
                PairingEvent::Ignored { .. } => {}
            }
        }
    }

    async fn queue(&mut self, first: BadgeRef, second: BadgeRef) {
        let req = CreateConnection {
            from: party(&first),
            to: party(&second),
        };
        match self.outbox.enqueue(&self.config.event, req).await {
            Ok(tap) => {
                self.show(&StationEvent::Paired {
                    key: tap.key,
                    first,
                    second,
                });
                self.wake.notify_one();
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot queue a tap");
                self.signal(Feedback::Error);
                self.show(&StationEvent::Failure {
                    message: format!("This tap could not be saved: {e}"),
                });
            }
        }
    }

    /// Looks the first badge up on its own task; the answer comes back as [`Input::Looked`].
    fn look_up(&self, badge: BadgeRef) {
        let (client, event, inlet, limit) = (
            self.client.clone(),
            self.config.event.clone(),
            self.inlet.clone(),
            self.config.lookup_timeout,
        );
        tokio::spawn(async move {
            let found = match tokio::time::timeout(limit, client.person(&event, badge.key())).await
            {
                Ok(Ok(person)) => Lookup::Found(person),
                Ok(Err(ClientError::Server {
                    code: Some(ErrorCode::UnknownAttendee),
                    ..
                })) => Lookup::Unknown,
                Ok(Err(e)) => {
                    tracing::info!(error = %e, "person lookup failed");
                    Lookup::Unavailable
                }
                Err(_) => {
                    tracing::info!("person lookup timed out");
                    Lookup::Unavailable
                }
            };
            let _ = inlet.send(Input::Looked { badge, found }).await;
        });
    }
}
