//! The in-process publish point: committed log entries and presence changes go out to every live socket
//! subscribed to their event, and the registry of live sockets (for presence, revocation and shutdown).
//!
//! Entries are published by the writer, in commit order, while it still holds the write lock, so a subscriber
//! sees them in `seq` order. Each entry's JSON is turned into one shared [`Frame`] and every subscriber gets a
//! pointer to it. Each socket has its own bounded queue; publishing never waits: a socket whose queue is full is
//! told to close with [`CloseCode::Slow`] and resumes from the log, so one slow display never delays the others
//! and never silently misses an entry.

use crate::db::log::LogEntry;
use axum::extract::ws::Utf8Bytes;
use livewall_protocol::{CloseCode, Presence, ServerMessage};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{Notify, mpsc};
use tokio_util::task::{TaskTracker, task_tracker::TaskTrackerToken};

/// One server-to-client text frame, serialised once and shared by every receiver.
#[derive(Debug)]
pub struct Frame {
    pub event_id: Arc<str>,
    /// The log position for log entries, `None` for presence.
    pub seq: Option<u64>,
    pub text: Utf8Bytes,
    /// What walls get instead of `text` (an announcement for stations only, without its message).
    pub wall_text: Option<Utf8Bytes>,
}

/// What a socket counts as in an event's presence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A kiosk token or an anonymous viewer of a public wall.
    Wall,
    /// A station token.
    Station,
    /// An organiser's console: receives everything, is not counted.
    Admin,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Self::Wall => "wall",
            Self::Station => "station",
            Self::Admin => "admin",
        }
    }
}

/// A live socket as the hub sees it: enough to close it from outside (slow, revoked).
#[derive(Debug)]
pub struct Session {
    pub id: u64,
    pub device_id: Option<String>,
    /// The admin login session behind the socket, so a logout closes it.
    pub admin_session: Option<String>,
    /// Woken once, when the session is closed; the code says why (0: still open).
    close: Notify,
    code: AtomicU16,
}

impl Session {
    /// Asks the socket's task to close with `code`; the first reason given wins.
    pub fn close(&self, code: CloseCode) {
        let _ = self
            .code
            .compare_exchange(0, code.code(), Ordering::AcqRel, Ordering::Acquire);
        self.close.notify_waiters();
    }

    /// Resolves once [`Session::close`] was called. A waiter registers once and is then polled at the cost of one
    /// atomic load, however often its socket wakes up.
    pub async fn closed(&self) {
        loop {
            let woken = self.close.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            if self.code.load(Ordering::Acquire) != 0 {
                return;
            }
            woken.await;
        }
    }

    /// A socket without a token (a viewer of public walls).
    pub fn is_anonymous(&self) -> bool {
        self.device_id.is_none() && self.admin_session.is_none()
    }

    /// The close code asked for, once closed.
    pub fn close_code(&self) -> Option<CloseCode> {
        CloseCode::from_code(self.code.load(Ordering::Acquire))
    }
}

struct Member {
    session: Arc<Session>,
    kind: Kind,
    tx: mpsc::Sender<Arc<Frame>>,
}

struct Room {
    key: Arc<str>,
    members: HashMap<u64, Member>,
    last_presence: Option<Presence>,
}

impl Room {
    fn presence(&self, event_id: &str) -> Presence {
        let (mut walls, mut stations) = (0u32, 0u32);
        let mut devices = Vec::new();
        for m in self.members.values() {
            match m.kind {
                Kind::Wall => walls += 1,
                Kind::Station => stations += 1,
                Kind::Admin => continue,
            }
            if let Some(d) = &m.session.device_id {
                devices.push(d.clone());
            }
        }
        devices.sort_unstable();
        devices.dedup();
        Presence {
            event_id: event_id.to_owned(),
            walls,
            stations,
            devices,
        }
    }

    /// Hands `frame` to every member without waiting; members whose queue is full are closed as slow.
    fn send(&mut self, frame: &Arc<Frame>) -> bool {
        let mut dropped = false;
        self.members
            .retain(|_, m| match m.tx.try_send(Arc::clone(frame)) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::info!(session = m.session.id, event = %frame.event_id, "socket too slow; closing it");
                    m.session.close(CloseCode::Slow);
                    dropped = true;
                    false
                }
                // The socket's task has ended and will leave the room itself.
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    dropped = true;
                    false
                }
            });
        dropped
    }
}

struct Inner {
    rooms: Mutex<HashMap<Arc<str>, Room>>,
    sessions: Mutex<HashMap<u64, Arc<Session>>>,
    next_id: AtomicU64,
    dirty: Mutex<HashSet<Arc<str>>>,
    dirty_notify: Notify,
    tracker: TaskTracker,
}

impl Default for Inner {
    fn default() -> Self {
        Self {
            rooms: Mutex::default(),
            sessions: Mutex::default(),
            next_id: AtomicU64::new(1),
            dirty: Mutex::default(),
            dirty_notify: Notify::new(),
            tracker: TaskTracker::new(),
        }
    }
}

/// Cheap-to-clone handle to the rooms and live sockets.
#[derive(Clone, Default)]
pub struct Hub {
    inner: Arc<Inner>,
}

/// Locks ignoring poisoning: every critical section leaves the maps consistent, so a panic elsewhere must not
/// stop the live feed.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Hub {
    /// Sends one committed entry to the event's subscribers (none listening is fine: the log keeps it).
    pub fn publish(&self, entry: &LogEntry) {
        let text = match Utf8Bytes::try_from(entry.bytes.clone()) {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(event = %entry.event_id, seq = entry.seq, error = %e, "log entry is not UTF-8; not published");
                return;
            }
        };
        let mut rooms = lock(&self.inner.rooms);
        let Some(room) = rooms.get_mut(entry.event_id.as_str()) else {
            return;
        };
        let frame = Arc::new(Frame {
            event_id: Arc::clone(&room.key),
            seq: Some(entry.seq),
            text,
            wall_text: entry
                .wall_bytes
                .clone()
                .and_then(|b| Utf8Bytes::try_from(b).ok()),
        });
        if room.send(&frame) {
            let key = Arc::clone(&room.key);
            drop(rooms);
            self.mark_dirty(key);
        }
    }

    /// Closes every live socket with `code` (the server is shutting down): each session watches only its own
    /// close signal, never the server-wide shutdown token, so a wake-up takes no shared lock.
    pub fn close_all(&self, code: CloseCode) -> usize {
        let sessions: Vec<Arc<Session>> = lock(&self.inner.sessions).values().cloned().collect();
        for s in &sessions {
            s.close(code);
        }
        sessions.len()
    }

    /// Registers a new live socket; its task must be tracked with [`Hub::track`] and end with [`Hub::leave_all`].
    pub fn open_session(
        &self,
        device_id: Option<String>,
        admin_session: Option<String>,
    ) -> Arc<Session> {
        let session = Arc::new(Session {
            id: self.inner.next_id.fetch_add(1, Ordering::Relaxed),
            device_id,
            admin_session,
            close: Notify::new(),
            code: AtomicU16::new(0),
        });
        lock(&self.inner.sessions).insert(session.id, Arc::clone(&session));
        session
    }

    /// Adds (or replaces) a socket's subscription to `event_id`. Entries published from now on are queued on `tx`;
    /// answers the room's name, which every frame of the room carries (the same `Arc`).
    pub fn join(
        &self,
        event_id: &str,
        session: &Arc<Session>,
        kind: Kind,
        tx: mpsc::Sender<Arc<Frame>>,
    ) -> Arc<str> {
        let mut rooms = lock(&self.inner.rooms);
        let room = rooms
            .entry(Arc::from(event_id))
            .or_insert_with_key(|k| Room {
                key: Arc::clone(k),
                members: HashMap::new(),
                last_presence: None,
            });
        let key = Arc::clone(&room.key);
        room.members.insert(
            session.id,
            Member {
                session: Arc::clone(session),
                kind,
                tx,
            },
        );
        drop(rooms);
        self.mark_dirty(Arc::clone(&key));
        key
    }

    /// Removes a socket's subscription to `event_id`.
    pub fn leave(&self, event_id: &str, session_id: u64) {
        let mut rooms = lock(&self.inner.rooms);
        let Some(room) = rooms.get_mut(event_id) else {
            return;
        };
        if room.members.remove(&session_id).is_some() {
            let key = Arc::clone(&room.key);
            drop(rooms);
            self.mark_dirty(key);
        }
    }

    /// Forgets a socket that has ended, with all its subscriptions.
    pub fn leave_all<'a>(&self, session_id: u64, events: impl IntoIterator<Item = &'a str>) {
        for e in events {
            self.leave(e, session_id);
        }
        lock(&self.inner.sessions).remove(&session_id);
    }

    /// Closes every live socket of a device at once (its token was revoked).
    pub fn close_device(&self, device_id: &str) -> usize {
        let sessions = lock(&self.inner.sessions);
        let mut n = 0;
        for s in sessions
            .values()
            .filter(|s| s.device_id.as_deref() == Some(device_id))
        {
            s.close(CloseCode::Revoked);
            n += 1;
        }
        n
    }

    /// Closes the live sockets of these admin login sessions (logged out, password changed).
    pub fn close_admin_sessions(&self, ended: &[String]) -> usize {
        let sessions = lock(&self.inner.sessions);
        let mut n = 0;
        for s in sessions.values().filter(|s| {
            s.admin_session
                .as_ref()
                .is_some_and(|a| ended.iter().any(|e| e == a))
        }) {
            s.close(CloseCode::Revoked);
            n += 1;
        }
        n
    }

    /// Tells every socket following `event_id` that the event was deleted (an `error` frame with code
    /// `not_found`) and forgets the room: nothing will be published for it again.
    pub fn end_event(&self, event_id: &str) {
        let Some(room) = lock(&self.inner.rooms).remove(event_id) else {
            return;
        };
        let msg = ServerMessage::Error {
            code: livewall_protocol::ErrorCode::NotFound,
            message: format!("event {event_id:?} was deleted"),
            event_id: Some(event_id.to_owned()),
        };
        if let Ok(text) = serde_json::to_string(&msg) {
            let frame = Arc::new(Frame {
                event_id: Arc::clone(&room.key),
                seq: None,
                text: Utf8Bytes::from(text),
                wall_text: None,
            });
            for m in room.members.values() {
                let _ = m.tx.try_send(Arc::clone(&frame));
            }
        }
        // Sockets bound to that event (anonymous viewers, its devices) close, so none of them follows an event
        // created later under the same id; admin consoles got the error frame and keep their other events.
        for m in room.members.values().filter(|m| m.kind != Kind::Admin) {
            m.session.close(CloseCode::EventDeleted);
        }
        for kind in [Kind::Wall, Kind::Station, Kind::Admin] {
            metrics::gauge!("livewall_ws_subscribers", "event" => event_id.to_owned(), "role" => kind.label()).set(0.0);
        }
    }

    /// Closes the anonymous sockets following `event_id` with `code` (its wall stopped being public).
    pub fn close_anonymous(&self, event_id: &str, code: CloseCode) -> usize {
        let rooms = lock(&self.inner.rooms);
        let Some(room) = rooms.get(event_id) else {
            return 0;
        };
        let mut n = 0;
        for m in room.members.values().filter(|m| m.session.is_anonymous()) {
            m.session.close(code);
            n += 1;
        }
        n
    }

    /// Who is online for an event right now.
    pub fn presence(&self, event_id: &str) -> Presence {
        lock(&self.inner.rooms)
            .get(event_id)
            .map(|r| r.presence(event_id))
            .unwrap_or_else(|| Presence {
                event_id: event_id.to_owned(),
                walls: 0,
                stations: 0,
                devices: Vec::new(),
            })
    }

    fn mark_dirty(&self, event_id: Arc<str>) {
        lock(&self.inner.dirty).insert(event_id);
        self.inner.dirty_notify.notify_one();
    }

    /// Resolves when some event's membership changed since the last [`Hub::flush_presence`].
    pub async fn presence_changed(&self) {
        self.inner.dirty_notify.notified().await;
    }

    /// Sends a `presence` frame to every event whose presence changed, and updates the gauges.
    ///
    /// Called at most every presence interval, so a thousand walls connecting at once cost a few broadcasts,
    /// not a thousand.
    pub fn flush_presence(&self) {
        let dirty: Vec<Arc<str>> = lock(&self.inner.dirty).drain().collect();
        let mut again = Vec::new();
        let mut rooms = lock(&self.inner.rooms);
        for key in dirty {
            let Some(room) = rooms.get_mut(&key) else {
                continue;
            };
            let mut counts = [0.0f64; 3];
            for m in room.members.values() {
                counts[m.kind as usize] += 1.0;
            }
            for kind in [Kind::Wall, Kind::Station, Kind::Admin] {
                metrics::gauge!("livewall_ws_subscribers", "event" => key.to_string(), "role" => kind.label())
                    .set(counts[kind as usize]);
            }
            let presence = room.presence(&key);
            if room.last_presence.as_ref() == Some(&presence) {
                continue;
            }
            let text = match serde_json::to_string(&ServerMessage::Presence(presence.clone())) {
                Ok(t) => Utf8Bytes::from(t),
                Err(e) => {
                    tracing::error!(event = %key, error = %e, "cannot serialise presence");
                    continue;
                }
            };
            room.last_presence = Some(presence);
            let frame = Arc::new(Frame {
                event_id: Arc::clone(&key),
                seq: None,
                text,
                wall_text: None,
            });
            if room.send(&frame) {
                again.push(key);
            }
        }
        drop(rooms);
        for key in again {
            self.mark_dirty(key);
        }
    }

    /// A token that keeps [`Hub::wait_sessions`] waiting until the socket task holding it ends.
    pub fn track(&self) -> TaskTrackerToken {
        self.inner.tracker.token()
    }

    /// Waits until every tracked socket task has ended (after shutdown asked them to close).
    pub async fn wait_sessions(&self) {
        self.inner.tracker.close();
        self.inner.tracker.wait().await;
    }

    /// Live sockets right now.
    pub fn session_count(&self) -> usize {
        lock(&self.inner.sessions).len()
    }

    /// Drops rooms nobody is subscribed to any more.
    pub fn sweep(&self) {
        lock(&self.inner.rooms).retain(|_, r| !r.members.is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn entry(seq: u64) -> LogEntry {
        LogEntry {
            event_id: "ev".into(),
            seq,
            bytes: Bytes::from(format!("{{\"seq\":{seq}}}")),
            wall_bytes: None,
        }
    }

    #[test]
    fn a_full_queue_closes_only_that_socket_as_slow() {
        let hub = Hub::default();
        let slow = hub.open_session(None, None);
        let fast = hub.open_session(Some("dev1".into()), None);
        let (slow_tx, _slow_rx) = mpsc::channel(2);
        let (fast_tx, mut fast_rx) = mpsc::channel(16);
        hub.join("ev", &slow, Kind::Wall, slow_tx);
        hub.join("ev", &fast, Kind::Station, fast_tx);
        for seq in 1..=5 {
            hub.publish(&entry(seq));
        }
        assert_eq!(slow.close_code(), Some(CloseCode::Slow));
        assert_eq!(fast.close_code(), None);
        let got: Vec<_> = std::iter::from_fn(|| fast_rx.try_recv().ok())
            .map(|f| f.seq)
            .collect();
        assert_eq!(got, (1..=5).map(Some).collect::<Vec<_>>());
        assert_eq!(
            hub.presence("ev"),
            Presence {
                event_id: "ev".into(),
                walls: 0,
                stations: 1,
                devices: vec!["dev1".into()]
            },
            "the slow socket left the room"
        );
    }

    #[test]
    fn presence_is_sent_once_per_change_and_revocation_closes_the_device() {
        let hub = Hub::default();
        let a = hub.open_session(Some("kiosk1".into()), None);
        let b = hub.open_session(None, None);
        let (tx, mut rx) = mpsc::channel(16);
        hub.join("ev", &a, Kind::Wall, tx.clone());
        hub.join("ev", &b, Kind::Wall, tx);
        hub.flush_presence();
        hub.flush_presence();
        let frames: Vec<_> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
        assert_eq!(frames.len(), 2, "one presence frame per member, once");
        assert!(
            frames[0].text.as_str().contains("\"walls\":2"),
            "{}",
            frames[0].text.as_str()
        );
        assert_eq!(hub.close_device("kiosk1"), 1);
        assert_eq!(a.close_code(), Some(CloseCode::Revoked));
        assert_eq!(b.close_code(), None);
        hub.leave_all(a.id, ["ev"]);
        assert_eq!(hub.presence("ev").walls, 1);
        assert_eq!(hub.session_count(), 1);
    }
}
