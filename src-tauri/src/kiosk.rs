//! The kiosk's data path: the wall cached in SQLite is drawn at once, then the live log is followed in Rust and
//! every update is both written to the cache and forwarded to the kiosk window as a Tauri event.
//!
//! Following in Rust rather than in the webview keeps one resume position for the cache and the screen: after a
//! power cut the kiosk redraws exactly what it last showed and resumes the log from there.

use std::sync::Mutex;

use livewall_client::Client;
use livewall_client::cache::WallCache;
use livewall_client::live::{self, LiveUpdate};
use livewall_protocol::Snapshot;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime};

use crate::error::{CommandError, CommandResult, ErrorCode};

/// Event carrying a full [`Snapshot`] (the wall starts over from it).
pub const EVENT_SNAPSHOT: &str = "wall:snapshot";
/// Event carrying one live-log entry (a `ServerMessage`), in order, once.
pub const EVENT_ENTRY: &str = "wall:entry";
/// Event carrying `true`/`false`: the live connection is up or down.
pub const EVENT_ONLINE: &str = "wall:online";

/// The kiosk's managed state.
pub struct Kiosk {
    client: Client,
    event: String,
    cache: WallCache,
    started: Mutex<bool>,
}

/// What the window draws before anything comes from the network.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KioskStart {
    /// The event shown.
    pub event_id: String,
    /// The cached wall, if this kiosk ever saw one.
    pub snapshot: Option<Snapshot>,
}

impl Kiosk {
    /// State for `event` on `client`, with the cache file at `cache`.
    pub fn new(client: Client, event: String, cache: WallCache) -> Self {
        Self {
            client,
            event,
            cache,
            started: Mutex::new(false),
        }
    }

    /// Answers the cached wall and, the first time, starts following the live log from the cached position.
    /// The window subscribes to the events before calling this, so nothing the follower forwards is lost.
    pub async fn start<R: Runtime>(&self, app: AppHandle<R>) -> CommandResult<KioskStart> {
        let snapshot = self.cache.load(&self.event).await?;
        let first = {
            let mut started = self
                .started
                .lock()
                .map_err(|_| CommandError::new(ErrorCode::Storage, "kiosk state poisoned"))?;
            !std::mem::replace(&mut *started, true)
        };
        if first {
            let since = self.cache.position(&self.event).await?;
            let follower = live::follow(self.client.clone(), self.event.clone(), since);
            tauri::async_runtime::spawn(forward(
                app,
                self.cache.clone(),
                self.event.clone(),
                follower,
            ));
        }
        tracing::info!(event = %self.event, cached = snapshot.is_some(), "kiosk wall started");
        Ok(KioskStart {
            event_id: self.event.clone(),
            snapshot,
        })
    }
}

/// Writes every update to the cache first (so a crash right after showing it still has it), then forwards it.
async fn forward<R: Runtime>(
    app: AppHandle<R>,
    cache: WallCache,
    event: String,
    mut follower: live::Follower,
) {
    while let Some(update) = follower.updates.recv().await {
        let sent = match &update {
            LiveUpdate::Snapshot(snap) => {
                if let Err(e) = cache.save_snapshot(snap).await {
                    tracing::warn!(error = %e, "cannot cache the wall snapshot");
                }
                app.emit_to("kiosk", EVENT_SNAPSHOT, snap)
            }
            LiveUpdate::Entry(msg) => {
                if let Err(e) = cache.append(&event, msg).await {
                    tracing::warn!(error = %e, "cannot cache a wall entry");
                }
                app.emit_to("kiosk", EVENT_ENTRY, msg)
            }
            LiveUpdate::Online(up) => app.emit_to("kiosk", EVENT_ONLINE, up),
            LiveUpdate::Control(msg) => {
                tracing::debug!(?msg, "live control message");
                Ok(())
            }
        };
        if let Err(e) = sent {
            tracing::warn!(error = %e, "cannot forward a wall update to the window");
        }
    }
}
