//! The kiosk's data path: the wall cached in SQLite is drawn at once, then the live log is followed in Rust and
//! every update is both written to the cache and forwarded to the kiosk window as a Tauri event.
//!
//! Following in Rust rather than in the webview keeps one resume position for the cache and the screen: after a
//! power cut the kiosk redraws exactly what it last showed and resumes the log from there.

use std::sync::Mutex;

use livewall_client::Client;
use livewall_client::cache::WallCache;
use livewall_client::live::{self, LiveUpdate};
use livewall_protocol::KioskStart;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio_util::sync::CancellationToken;

use crate::error::{CommandError, CommandResult, ErrorCode};

/// Event carrying a full [`Snapshot`] (the wall starts over from it).
pub const EVENT_SNAPSHOT: &str = "wall:snapshot";
/// Event carrying one live-log entry (a `ServerMessage`), in order, once.
pub const EVENT_ENTRY: &str = "wall:entry";
/// Event carrying `true`/`false`: the live connection is up or down.
pub const EVENT_ONLINE: &str = "wall:online";
/// Event carrying a `LinkProblem` (why the wall cannot follow, in words) or `null` once it follows again.
pub const EVENT_PROBLEM: &str = "wall:problem";

/// The kiosk's managed state.
pub struct Kiosk {
    client: Client,
    event: String,
    cache: WallCache,
    started: Mutex<bool>,
    stop: CancellationToken,
}

impl Kiosk {
    /// State for `event` on `client`, with the cache file at `cache`.
    pub fn new(client: Client, event: String, cache: WallCache) -> Self {
        Self {
            client,
            event,
            cache,
            started: Mutex::new(false),
            stop: CancellationToken::new(),
        }
    }

    /// Stops following (the settings changed).
    pub fn stop(&self) {
        self.stop.cancel();
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
            // A wall cached before people carried their initials is followed from a fresh snapshot, so its avatar
            // discs are not left showing "?".
            let stale = snapshot
                .as_ref()
                .is_some_and(|s| s.nodes.iter().any(|n| n.initials.is_empty()));
            let since = if stale {
                None
            } else {
                self.cache.position(&self.event).await?
            };
            let follower = live::follow(self.client.clone(), self.event.clone(), since);
            tauri::async_runtime::spawn(forward(
                app.clone(),
                self.cache.clone(),
                self.event.clone(),
                follower,
                self.stop.clone(),
            ));
            tauri::async_runtime::spawn(keep_in_front(app, self.stop.clone()));
        }
        tracing::info!(event = %self.event, cached = snapshot.is_some(), "kiosk wall started");
        Ok(KioskStart {
            event_id: self.event.clone(),
            server: self.client.base().to_owned(),
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
    stop: CancellationToken,
) {
    let mut problem = None;
    loop {
        let update = tokio::select! {
            u = follower.updates.recv() => u,
            _ = stop.cancelled() => None,
        };
        let Some(update) = update else {
            follower.stop();
            return;
        };
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
            LiveUpdate::Online(up) => {
                if *up && problem.take().is_some() {
                    let _ = app.emit_to(
                        "kiosk",
                        EVENT_PROBLEM,
                        None::<livewall_protocol::LinkProblem>,
                    );
                }
                app.emit_to("kiosk", EVENT_ONLINE, up)
            }
            LiveUpdate::Problem(p) => {
                // Said once per problem: a kiosk retrying every few seconds would otherwise flood its log.
                if problem.as_ref() != Some(p) {
                    tracing::warn!(address = %p.address, what = %p.what, "the wall cannot follow its event");
                    problem = Some(p.clone());
                }
                app.emit_to("kiosk", EVENT_PROBLEM, p)
            }
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

/// How often the kiosk checks it is still in front.
const FRONT_CHECK: std::time::Duration = std::time::Duration::from_secs(1);

/// A window manager can minimise the kiosk ("show desktop", a stray click, a keyboard shortcut): bring it back,
/// fullscreen and on top, by itself. Paused while staff have the settings open over it.
async fn keep_in_front<R: Runtime>(app: AppHandle<R>, stop: CancellationToken) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(FRONT_CHECK) => {}
            _ = stop.cancelled() => return,
        }
        let Some(window) = app.get_webview_window("kiosk") else {
            continue;
        };
        if app.get_webview_window("settings").is_some() {
            continue;
        }
        let hidden = window.is_minimized().unwrap_or(false) || !window.is_visible().unwrap_or(true);
        if hidden {
            tracing::info!("kiosk window was hidden: bringing it back");
            let _ = window.unminimize();
            let _ = window.show();
            let _ = window.set_fullscreen(true);
            let _ = window.set_always_on_top(true);
            let _ = window.set_focus();
        }
    }
}
