//! The station window's glue: the station logic lives in `livewall-station`; this file feeds it the PC/SC reader
//! and the window's keyboard-wedge UIDs, shows its events in the `station` window and lights the reader's LEDs.

use std::sync::{Arc, Mutex, PoisonError};

use livewall_client::Client;
use livewall_client::outbox::Outbox;
use livewall_nfc::{BackendConfig, BadgeResolver, Feedback, PcscBackend, PcscConfig};
use livewall_protocol::{StationEvent, StationStart};
use livewall_station::{Courier, Engine, Input, Lights, Screen, StationConfig, typed_uid};
use tauri::{AppHandle, Emitter, Runtime};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::error::{CommandError, CommandResult, ErrorCode};

/// The event name of every [`StationEvent`].
pub const EVENT: &str = "station:event";

/// Shows station events in the `station` window.
struct Window<R: Runtime>(AppHandle<R>);

impl<R: Runtime> Screen for Window<R> {
    fn show(&self, event: &StationEvent) {
        if let Err(e) = self.0.emit_to("station", EVENT, event) {
            tracing::warn!(error = %e, "cannot send a station event to the window");
        }
    }
}

/// The PC/SC reader's LEDs and buzzer, driven on a blocking thread; readers without them are fine.
struct ReaderLights;

impl Lights for ReaderLights {
    fn signal(&self, reader: &str, feedback: Feedback) {
        let reader = reader.to_owned();
        tauri::async_runtime::spawn_blocking(move || {
            if let Err(e) = PcscBackend::default().feedback(&reader, feedback) {
                tracing::debug!(error = %e, "reader feedback failed");
            }
        });
    }
}

/// What starts the station the first time its window asks.
struct Parts {
    client: Client,
    outbox: Outbox,
    config: StationConfig,
    reader_filter: Option<String>,
}

/// A running (or about to run) station: where inputs go, and what to tell a window that (re)loads.
pub struct Station {
    event: String,
    /// Asks the server for the event's language when a window starts.
    client: Client,
    /// The event's language as last heard (kept for a start while the server is out of reach).
    language: Mutex<Option<String>>,
    outbox: Outbox,
    parts: Mutex<Option<Parts>>,
    inlet: Mutex<Option<mpsc::Sender<Input>>>,
    reader: Mutex<Option<Arc<Mutex<StationEvent>>>>,
    queue: Mutex<Option<Arc<Mutex<StationEvent>>>>,
    stop: CancellationToken,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Station {
    /// A station of `event` on `client`, queueing taps in `outbox`; badges printed with any of `badge_servers`
    /// (the server's own address and its public one) resolve to profiles.
    pub fn new(
        client: Client,
        event: String,
        outbox: Outbox,
        reader_filter: Option<String>,
        badge_servers: &[String],
    ) -> Self {
        let resolver = badge_servers
            .iter()
            .fold(BadgeResolver::new(client.base()), |r, s| r.also(s.as_str()));
        Self {
            outbox: outbox.clone(),
            client: client.clone(),
            language: Mutex::default(),
            parts: Mutex::new(Some(Parts {
                client,
                outbox,
                config: StationConfig::new(event.clone(), resolver),
                reader_filter,
            })),
            event,
            inlet: Mutex::default(),
            reader: Mutex::default(),
            queue: Mutex::default(),
            stop: CancellationToken::new(),
        }
    }

    /// Starts the reader, the station task and the courier the first time; answers the current situation.
    pub async fn start<R: Runtime>(&self, app: AppHandle<R>) -> CommandResult<StationStart> {
        if let Some(parts) = lock(&self.parts).take() {
            self.spawn(app, parts)?;
        }
        let current =
            |m: &Mutex<Option<Arc<Mutex<StationEvent>>>>| lock(m).as_ref().map(|s| lock(s).clone());
        // A station must start offline too: the language is asked for briefly, else the last one heard is used.
        let asked = tokio::time::timeout(
            std::time::Duration::from_secs(2),
            self.client.event(&self.event),
        )
        .await;
        if let Ok(Ok(e)) = asked {
            *lock(&self.language) = e.settings.language;
        }
        let language = lock(&self.language).clone();
        Ok(StationStart {
            language,
            event_id: self.event.clone(),
            reader: current(&self.reader).unwrap_or(StationEvent::Reader {
                status: livewall_protocol::ReaderStatus::Searching,
                readers: Vec::new(),
                message: None,
            }),
            // The outbox counts what waits, also before the courier's first round; the courier knows why.
            queue: StationEvent::Queue {
                waiting: self.outbox.len().await?,
                hold: match current(&self.queue) {
                    Some(StationEvent::Queue { hold, .. }) => hold,
                    _ => None,
                },
            },
        })
    }

    /// Stops the reader, the station task and the courier (the settings changed); queued taps stay on disk.
    pub fn stop(&self) {
        self.stop.cancel();
    }

    /// A UID typed by a keyboard-wedge reader.
    pub async fn typed(&self, line: &str) -> CommandResult<String> {
        let uid = typed_uid(line).ok_or_else(|| {
            CommandError::new(
                ErrorCode::InvalidInput,
                format!("{line:?} is not a badge UID"),
            )
        })?;
        let inlet = lock(&self.inlet).clone();
        let stopped = || CommandError::new(ErrorCode::Storage, "the station has stopped");
        inlet
            .ok_or_else(stopped)?
            .send(Input::Typed(uid.clone()))
            .await
            .map_err(|_| stopped())?;
        Ok(uid)
    }

    fn spawn<R: Runtime>(&self, app: AppHandle<R>, parts: Parts) -> CommandResult<()> {
        let stream = livewall_nfc::watch(BackendConfig::Pcsc(PcscConfig {
            reader_filter: parts.reader_filter,
            ..PcscConfig::default()
        }))?;
        let screen: Arc<dyn Screen> = Arc::new(Window(app));
        let lights: Arc<dyn Lights> = Arc::new(ReaderLights);
        let engine = Engine::new(
            parts.config,
            parts.client.clone(),
            parts.outbox.clone(),
            screen.clone(),
            lights.clone(),
            livewall_nfc::pairing::SystemClock,
        );
        let courier = Courier::new(
            parts.client,
            parts.outbox,
            screen,
            lights,
            engine.last_reader(),
        );
        let tx = engine.inlet();
        let stop = self.stop.clone();
        // The NFC crate's stream is blocking: one plain thread hands its events to the async task. Dropping the
        // stream (when the thread ends) stops the backend.
        std::thread::Builder::new()
            .name("station-nfc".into())
            .spawn(move || {
                while !stop.is_cancelled() {
                    if let Some(event) = stream.recv_timeout(std::time::Duration::from_millis(250))
                        && tx.blocking_send(Input::Nfc(event)).is_err()
                    {
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
        *lock(&self.inlet) = Some(engine.inlet());
        *lock(&self.reader) = Some(engine.reader_status());
        *lock(&self.queue) = Some(courier.queue());
        let wake = engine.wake();
        tauri::async_runtime::spawn(engine.run(self.stop.clone()));
        tauri::async_runtime::spawn(courier.run(wake, self.stop.clone()));
        Ok(())
    }
}

impl Drop for Station {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
