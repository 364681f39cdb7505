//! One task per socket: reads client actions, writes the frames of its subscriptions from its bounded queue,
//! pings, and closes with a code that tells the client what to do next.
//!
//! Gap-free resume: a subscription is registered with the hub *before* the log position is read, so every
//! entry committed after that read is already queued; the replay sends `(since, position]` from one read
//! transaction, and queued entries at or below the last sent `seq` are skipped. Nothing is missed, nothing is
//! sent twice, and a replay is either complete or not attempted (`recovered:false`).

use super::hub::{Frame, Session};
use super::peer::Who;
use crate::db;
use crate::error::Error;
use crate::state::AppState;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::{SinkExt, StreamExt};
use livewall_protocol::{
    ClientMessage, CloseCode, ErrorCode, LogPosition, ServerMessage, Snapshot,
};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior, Sleep};
use tokio_util::task::task_tracker::TaskTrackerToken;

/// The events a socket follows and the last `seq` sent for each. A handful at most (`--ws-max-subscriptions`), so a
/// list; keyed by the hub's own room name, so a frame is matched by one pointer comparison.
#[derive(Default)]
struct Subs(Vec<(Arc<str>, u64)>);

impl Subs {
    fn get_mut(&mut self, event: &Arc<str>) -> Option<&mut u64> {
        self.0
            .iter_mut()
            .find(|(k, _)| Arc::ptr_eq(k, event) || **k == **event)
            .map(|(_, last)| last)
    }

    fn contains(&self, event: &str) -> bool {
        self.0.iter().any(|(k, _)| &**k == event)
    }

    fn remove(&mut self, event: &str) -> Option<u64> {
        let at = self.0.iter().position(|(k, _)| &**k == event)?;
        Some(self.0.swap_remove(at).1)
    }

    /// Adds or replaces the position of `event`.
    fn insert(&mut self, event: Arc<str>, last: u64) {
        match self.0.iter_mut().find(|(k, _)| *k == event) {
            Some(slot) => *slot = (event, last),
            None => self.0.push((event, last)),
        }
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| &**k)
    }
}

/// Frames written before one flush, so a busy socket costs one write call per batch, not per frame.
const BATCH: usize = 64;
/// A socket may send this many seconds' worth of messages in a burst.
const BURST_SECONDS: f64 = 5.0;

/// Why a socket's loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Send a close frame with this code, then end.
    Close(CloseCode),
    /// The peer is gone (closed, reset): nothing more to send.
    Gone,
}

impl Stop {
    fn label(self) -> &'static str {
        match self {
            Self::Gone => "peer",
            Self::Close(code) => code.name(),
        }
    }
}

struct Conn {
    state: AppState,
    who: Who,
    session: Arc<Session>,
    /// The socket itself, not split: one task reads and writes it, so no lock sits between the two halves.
    socket: WebSocket,
    tx: mpsc::Sender<Arc<Frame>>,
    /// Subscribed events and the last `seq` sent for each: queued entries at or below it are not sent again.
    subs: Subs,
    /// Opened by the original Live Wall client (`?v=1`): a subscribe without `since` also gets a snapshot frame.
    original_client: bool,
    /// A wall (kiosk or anonymous viewer): gets the walls' form of log entries.
    walls: bool,
    /// Client messages allowed now (a token bucket refilled at the configured rate).
    budget: f64,
    budget_at: Instant,
    /// When the last "too many messages" error was sent (one a second at most).
    warned_at: Option<Instant>,
    watch: Watch,
}

/// Serves one upgraded socket until it closes. `_track` keeps shutdown waiting for it.
pub(crate) async fn run(
    socket: WebSocket,
    state: AppState,
    who: Who,
    original_client: bool,
    _track: TaskTrackerToken,
) {
    let session = state.hub.open_session(who.device_id(), who.admin_session());
    // The hub closes every registered session at shutdown (`Hub::close_all`); one registered just after that
    // sees the token here.
    if state.shutdown.is_cancelled() {
        session.close(CloseCode::GoingAway);
    }
    let role = who.role_label();
    metrics::gauge!("livewall_ws_connections", "role" => role).increment(1.0);
    tracing::debug!(session = session.id, role, "socket opened");
    let (tx, mut rx) = mpsc::channel(state.config.ws.queue_frames);
    let walls = who.kind() == super::hub::Kind::Wall;
    let budget = f64::from(state.config.ws.message_rate) * BURST_SECONDS;
    let write_timeout = state.config.ws.write_timeout;
    let stopping = stopping(&session);
    let session_id = session.id;
    let mut conn = Conn {
        state,
        who,
        session,
        socket,
        tx,
        subs: Subs::default(),
        original_client,
        walls,
        budget,
        budget_at: Instant::now(),
        warned_at: None,
        watch: Watch {
            stopping,
            write_timeout,
            session: session_id,
        },
    };
    let stop = conn.serve(&mut rx).await;
    // What was queued before the close (an event's deletion notice, the last entries before a shutdown) still
    // goes out, unless the peer is the problem (too slow, or silent).
    if let Stop::Close(code) = stop
        && code != CloseCode::Slow
        && code != CloseCode::HeartbeatTimeout
    {
        Box::pin(conn.drain(&mut rx)).await;
    }
    // Leave first: presence must not wait for a silent peer's close handshake.
    let subs = std::mem::take(&mut conn.subs);
    conn.state.hub.leave_all(conn.session.id, subs.keys());
    drop(rx);
    if let Stop::Close(code) = stop {
        Box::pin(conn.close(code)).await;
    }
    let Conn { session, .. } = conn;
    metrics::gauge!("livewall_ws_connections", "role" => role).decrement(1.0);
    metrics::counter!("livewall_ws_closed_total", "reason" => stop.label()).increment(1);
    tracing::debug!(
        session = session.id,
        role,
        reason = stop.label(),
        "socket closed"
    );
}

/// Runs a socket write unless the socket must stop first (shutdown, closed from outside, silent too long).
///
/// A write that does not complete within the write timeout ends the socket: its reader has stalled with full
/// kernel buffers, and nothing (not even a close frame) can reach it.
async fn guarded(
    write: impl Future<Output = Result<(), axum::Error>>,
    watch: &mut Watch,
    silent: Pin<&mut Sleep>,
) -> Result<(), Stop> {
    let (deadline, session, stopping) = (watch.write_timeout, watch.session, &mut watch.stopping);
    let mut write = std::pin::pin!(write);
    // Most writes complete at once (into the socket's buffers): no timer, no select for them.
    if let std::task::Poll::Ready(r) = futures_util::poll!(write.as_mut()) {
        return r.map_err(|_| Stop::Gone);
    }
    tokio::select! {
        r = tokio::time::timeout(deadline, write) => match r {
            Ok(r) => r.map_err(|_| Stop::Gone),
            Err(_) => {
                tracing::info!(session, "socket write stalled; closing it");
                metrics::counter!("livewall_ws_write_timeouts_total").increment(1);
                Err(Stop::Gone)
            }
        },
        code = stopping => Err(Stop::Close(code)),
        _ = silent => Err(Stop::Close(CloseCode::HeartbeatTimeout)),
    }
}

/// Resolves when the socket must close from outside: the server shuts down, or the hub closed the session
/// (revoked, slow, event gone). Made once per socket and polled by every wait, so a wake-up costs no new
/// registration with the server-wide shutdown token.
type Stopping = Pin<Box<dyn Future<Output = CloseCode> + Send + Sync>>;

/// What every write of a socket is bounded by: its close signal and the write timeout.
struct Watch {
    stopping: Stopping,
    write_timeout: Duration,
    /// The session id, for the log line of a stalled write.
    session: u64,
}

fn stopping(session: &Arc<Session>) -> Stopping {
    let session = Arc::clone(session);
    Box::pin(async move {
        session.closed().await;
        session.close_code().unwrap_or(CloseCode::GoingAway)
    })
}

/// True when the error is tungstenite's "message larger than allowed".
fn too_big(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(tungstenite::Error::Capacity(_)) = err.downcast_ref::<tungstenite::Error>() {
            return true;
        }
        source = err.source();
    }
    false
}

impl Conn {
    async fn serve(&mut self, rx: &mut mpsc::Receiver<Arc<Frame>>) -> Stop {
        let cfg = self.state.config.ws.clone();
        let allowed_silence = cfg.ping_interval + cfg.pong_timeout;
        let mut ping =
            tokio::time::interval_at(Instant::now() + cfg.ping_interval, cfg.ping_interval);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let silent = tokio::time::sleep(allowed_silence);
        tokio::pin!(silent);
        loop {
            let result = tokio::select! {
                biased;
                code = &mut self.watch.stopping => Err(Stop::Close(code)),
                _ = &mut silent => Err(Stop::Close(CloseCode::HeartbeatTimeout)),
                incoming = self.socket.next() => {
                    silent.as_mut().reset(Instant::now() + allowed_silence);
                    match incoming {
                        None => Err(Stop::Gone),
                        Some(Err(e)) if too_big(&e) => Err(Stop::Close(CloseCode::MessageTooBig)),
                        Some(Err(e)) => {
                            tracing::debug!(session = self.session.id, error = %e, "socket read failed");
                            Err(Stop::Gone)
                        }
                        // Boxed, as are the other rare paths: an idle socket's task then holds only what a
                        // delivery needs (its future was 2 KiB inline).
                        Some(Ok(msg)) => Box::pin(self.on_message(msg, silent.as_mut())).await,
                    }
                }
                Some(frame) = rx.recv() => self.deliver(frame, rx, silent.as_mut()).await,
                _ = ping.tick() => {
                    if let Some(stop) = Box::pin(self.credential_ended()).await {
                        return stop;
                    }
                    let write = self.socket.send(Message::Ping(bytes::Bytes::new()));
                    guarded(write, &mut self.watch, silent.as_mut()).await
                }
            };
            if let Err(stop) = result {
                return stop;
            }
        }
    }

    /// For an admin's socket: whether its token expired or its login session ended (logout elsewhere, password
    /// change), checked every ping; the socket then closes as revoked.
    /// Only the database handle is held across the wait: the socket itself is not `Sync`.
    fn credential_ended(&self) -> impl Future<Output = Option<Stop>> + Send + 'static {
        let admin = match &self.who {
            Who::User(crate::auth::Principal::Admin {
                session,
                expires_at,
                ..
            }) => Some((session.clone(), *expires_at)),
            _ => None,
        };
        let db = self.state.db.clone();
        async move {
            let (sid, expires_at) = admin?;
            let now = crate::ids::now_ms();
            if now >= expires_at {
                return Some(Stop::Close(CloseCode::Revoked));
            }
            match db
                .read(move |tx| db::admins::session_active(tx, &sid, now))
                .await
            {
                Ok(false) => Some(Stop::Close(CloseCode::Revoked)),
                _ => None,
            }
        }
    }

    /// Sends the queued frames the socket still wants, up to a batch, then flushes once.
    async fn deliver(
        &mut self,
        first: Arc<Frame>,
        rx: &mut mpsc::Receiver<Arc<Frame>>,
        mut silent: Pin<&mut Sleep>,
    ) -> Result<(), Stop> {
        let mut next = Some(first);
        let mut fed = 0;
        while let Some(frame) = next.take() {
            if self.wanted(&frame) {
                let text = match (&frame.wall_text, self.walls) {
                    (Some(w), true) => w.clone(),
                    _ => frame.text.clone(),
                };
                let write = self.socket.feed(Message::Text(text));
                guarded(write, &mut self.watch, silent.as_mut()).await?;
                fed += 1;
            }
            if fed < BATCH {
                next = rx.try_recv().ok();
            }
        }
        if fed > 0 {
            let write = self.socket.flush();
            guarded(write, &mut self.watch, silent).await?;
        }
        Ok(())
    }

    /// Sends the frames still queued (bounded by the write timeout), then flushes.
    async fn drain(&mut self, rx: &mut mpsc::Receiver<Arc<Frame>>) {
        let deadline = self.state.config.ws.write_timeout;
        let _ = tokio::time::timeout(deadline, async {
            while let Ok(frame) = rx.try_recv() {
                if !self.wanted(&frame) {
                    continue;
                }
                let text = match (&frame.wall_text, self.walls) {
                    (Some(w), true) => w.clone(),
                    _ => frame.text.clone(),
                };
                if self.socket.feed(Message::Text(text)).await.is_err() {
                    return;
                }
            }
            let _ = self.socket.flush().await;
        })
        .await;
    }

    /// Whether a queued frame is for a current subscription and not already sent by a replay.
    fn wanted(&mut self, frame: &Frame) -> bool {
        let Some(last) = self.subs.get_mut(&frame.event_id) else {
            return false;
        };
        match frame.seq {
            None => true,
            Some(seq) if seq > *last => {
                *last = seq;
                true
            }
            Some(_) => false,
        }
    }

    /// Takes one message from the socket's budget, refilling it for the time passed.
    fn take_budget(&mut self) -> bool {
        let rate = f64::from(self.state.config.ws.message_rate);
        let now = Instant::now();
        let refill = now.duration_since(self.budget_at).as_secs_f64() * rate;
        self.budget = (self.budget + refill).min(rate * BURST_SECONDS);
        self.budget_at = now;
        if self.budget >= 1.0 {
            self.budget -= 1.0;
            true
        } else {
            false
        }
    }

    async fn on_message(&mut self, msg: Message, silent: Pin<&mut Sleep>) -> Result<(), Stop> {
        let text = match msg {
            Message::Text(t) => t,
            Message::Binary(_) => {
                let e = error_frame(
                    ErrorCode::BadRequest,
                    "send JSON text frames, not binary ones".into(),
                    None,
                );
                return self.send_all([e], silent).await;
            }
            // tungstenite answers pings and close frames itself; any frame already counted as a sign of life.
            Message::Ping(_) | Message::Pong(_) | Message::Close(_) => return Ok(()),
        };
        if !self.take_budget() {
            let now = Instant::now();
            if self
                .warned_at
                .is_some_and(|t| now.duration_since(t) < Duration::from_secs(1))
            {
                return Ok(());
            }
            self.warned_at = Some(now);
            metrics::counter!("livewall_ws_messages_limited_total").increment(1);
            let e = error_frame(
                ErrorCode::RateLimited,
                format!(
                    "too many messages: at most {} a second; this one was dropped",
                    self.state.config.ws.message_rate
                ),
                None,
            );
            return self.send_all([e], silent).await;
        }
        let reply = match serde_json::from_str::<ClientMessage>(text.as_str()) {
            Err(e) => vec![error_frame(
                ErrorCode::BadRequest,
                format!("could not read the message: {e}"),
                None,
            )],
            Ok(ClientMessage::Ping) => vec![json(&ServerMessage::Pong)],
            Ok(ClientMessage::Unsubscribe { event_id }) => {
                if self.subs.remove(&event_id).is_some() {
                    self.state.hub.leave(&event_id, self.session.id);
                }
                Vec::new()
            }
            Ok(ClientMessage::Subscribe { event_id, since }) => {
                self.subscribe(event_id, since).await
            }
        };
        self.send_all(reply, silent).await
    }

    /// Joins the event's room, then answers `subscribed` and replays from the log when `since` can be resumed
    /// (or, for the original client without `since`, sends the snapshot). An anonymous socket follows one public
    /// wall at a time: once the new one is joined, it leaves the one before.
    async fn subscribe(&mut self, event_id: String, since: Option<LogPosition>) -> Vec<Utf8Bytes> {
        let event_id = self
            .state
            .config
            .event_named(Some(&event_id))
            .unwrap_or(event_id);
        let anonymous = self.who.is_anonymous();
        let max = self.state.config.ws.max_subscriptions;
        let already = self.subs.contains(&event_id);
        if !already && !anonymous && self.subs.len() >= max {
            return vec![error_frame(
                ErrorCode::BadRequest,
                format!("a socket may follow at most {max} events; unsubscribe from one first"),
                Some(event_id),
            )];
        }
        if let Err(e) = self.who.may_follow(&event_id) {
            return vec![error_frame(e.code(), e.to_string(), Some(event_id))];
        }
        if anonymous {
            // Checked before joining, so an anonymous socket never sits in a private or unknown event's room
            // (not even for the moment the replay takes); the replay checks again in its own transaction.
            let id = event_id.clone();
            let public = self
                .state
                .db
                .read(move |tx| db::events::public_wall(tx, &id))
                .await
                .unwrap_or(false);
            if !public {
                if already {
                    self.subs.remove(&event_id);
                    self.state.hub.leave(&event_id, self.session.id);
                }
                let e = anonymous_refusal(&event_id);
                return vec![error_frame(e.code(), e.to_string(), Some(event_id))];
            }
        }
        // First the room, then the log: entries committed in between are queued and skipped below by `seq`.
        let room = self
            .state
            .hub
            .join(&event_id, &self.session, self.who.kind(), self.tx.clone());
        let with_snapshot = self.original_client && since.is_none();
        let id = event_id.clone();
        let walls = self.walls;
        let read = self
            .state
            .db
            .read(move |tx| replay(tx, &id, since.as_ref(), anonymous, walls, with_snapshot))
            .await;
        let r = match read {
            Ok(r) => r,
            Err(e) => {
                // A failed subscribe follows nothing: an anonymous socket must not keep a wall that just turned
                // private.
                if !already || anonymous {
                    self.subs.remove(&event_id);
                    self.state.hub.leave(&event_id, self.session.id);
                }
                let message = e.body().error.message;
                if e.status().is_server_error() {
                    tracing::error!(event = %event_id, error = %e, "cannot read the live log");
                }
                return vec![error_frame(e.code(), message, Some(event_id))];
            }
        };
        if anonymous {
            let before: Vec<Arc<str>> = self
                .subs
                .keys()
                .filter(|k| **k != *event_id)
                .map(Arc::from)
                .collect();
            for old in before {
                self.subs.remove(&old);
                self.state.hub.leave(&old, self.session.id);
            }
        }
        tracing::debug!(session = self.session.id, event = %event_id, recovered = r.recovered,
            replayed = r.entries.len(), seq = r.last, snapshot = r.snapshot.is_some(), "subscribed");
        let mut out = Vec::with_capacity(r.entries.len() + 3);
        out.push(json(&ServerMessage::Subscribed {
            event_id: event_id.clone(),
            epoch: r.epoch,
            seq: r.from,
            recovered: r.recovered,
        }));
        if let Some(snap) = &r.snapshot {
            match serde_json::to_string(snap) {
                Ok(text) => out.push(Utf8Bytes::from(text)),
                Err(e) => {
                    tracing::error!(event = %event_id, error = %e, "cannot serialise a snapshot")
                }
            }
        }
        for f in r.entries {
            match Utf8Bytes::try_from(f) {
                Ok(t) => out.push(t),
                Err(err) => {
                    tracing::error!(event = %event_id, error = %err, "log entry is not UTF-8")
                }
            }
        }
        out.push(json(&ServerMessage::Presence(
            self.state.hub.presence(&event_id),
        )));
        self.subs.insert(room, r.last);
        out
    }

    /// Writes frames in order with one flush at the end.
    async fn send_all(
        &mut self,
        frames: impl IntoIterator<Item = Utf8Bytes>,
        mut silent: Pin<&mut Sleep>,
    ) -> Result<(), Stop> {
        let mut any = false;
        for f in frames {
            let write = self.socket.feed(Message::Text(f));
            guarded(write, &mut self.watch, silent.as_mut()).await?;
            any = true;
        }
        if any {
            let write = self.socket.flush();
            guarded(write, &mut self.watch, silent).await?;
        }
        Ok(())
    }

    /// Sends our close frame and waits briefly for the peer's answer, so frames still in flight reach it.
    async fn close(&mut self, code: CloseCode) {
        let frame = CloseFrame {
            code: code.code(),
            reason: Utf8Bytes::from_static(code.reason()),
        };
        let _ = tokio::time::timeout(self.state.config.shutdown_grace, async {
            if self.socket.send(Message::Close(Some(frame))).await.is_ok() {
                while let Some(Ok(_)) = self.socket.next().await {}
            }
        })
        .await;
    }
}

/// What a subscription starts with.
struct Replay {
    epoch: String,
    /// The position the answer's `seq` names: entries after it follow.
    from: u64,
    /// The newest `seq` included (the log's position when read).
    last: u64,
    recovered: bool,
    /// The replayed entries, rendered for this receiver under the current rules.
    entries: Vec<bytes::Bytes>,
    /// The whole wall at `last`, for the original client.
    snapshot: Option<Snapshot>,
}

/// Reads the event's position and, when `since` is within the retained log of the same epoch, every entry
/// after it, all in one read transaction so the replay is complete or not attempted. With `with_snapshot`
/// (and no `since`), the snapshot is read in that transaction too, so its position is the one the feed goes on from.
fn replay(
    tx: &rusqlite::Transaction<'_>,
    event_id: &str,
    since: Option<&LogPosition>,
    anonymous: bool,
    walls: bool,
    with_snapshot: bool,
) -> crate::error::Result<Replay> {
    let event = match db::events::get(tx, event_id) {
        Ok(e) if anonymous && !e.settings.public_wall => return Err(anonymous_refusal(event_id)),
        Ok(e) => e,
        Err(Error::NotFound(_)) if anonymous => return Err(anonymous_refusal(event_id)),
        Err(e) => return Err(e),
    };
    if with_snapshot && since.is_none() {
        let snap = db::wall::snapshot(tx, event_id)?;
        return Ok(Replay {
            epoch: snap.epoch.clone(),
            from: snap.seq,
            last: snap.seq,
            recovered: false,
            entries: Vec::new(),
            snapshot: Some(snap),
        });
    }
    Ok(match db::log::resume(tx, event_id, since)? {
        db::log::Resume::Fresh { epoch, last } => Replay {
            epoch,
            from: last,
            last,
            recovered: false,
            entries: Vec::new(),
            snapshot: None,
        },
        db::log::Resume::After {
            epoch,
            since,
            last,
            entries,
        } => Replay {
            epoch,
            from: since,
            last,
            recovered: true,
            entries: super::replay::render(tx, &event, &entries, walls)?,
            snapshot: None,
        },
    })
}

/// The error frame's refusal of an anonymous subscribe: unknown and private answer alike, so an anonymous socket
/// cannot probe which private events exist (the REST and upgrade refusal is `crate::request::not_public`).
fn anonymous_refusal(event_id: &str) -> Error {
    Error::Forbidden(format!(
        "{event_id:?} is not a public wall: following it needs a token"
    ))
}

fn json(msg: &ServerMessage) -> Utf8Bytes {
    match serde_json::to_string(msg) {
        Ok(s) => Utf8Bytes::from(s),
        // Our own message types always serialise; this keeps a bug from taking the socket down.
        Err(e) => {
            tracing::error!(error = %e, "cannot serialise a server message");
            Utf8Bytes::from_static(
                r#"{"type":"error","code":"internal","message":"internal server error"}"#,
            )
        }
    }
}

fn error_frame(code: ErrorCode, message: String, event_id: Option<String>) -> Utf8Bytes {
    json(&ServerMessage::Error {
        code,
        message,
        event_id,
    })
}
