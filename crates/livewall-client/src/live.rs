//! Following an event's live log over the WebSocket, with resume.
//!
//! The follower keeps the last position it delivered. On every (re)connection it subscribes with
//! `since: {epoch, seq}`; the server replays what was missed or answers `recovered:false`, and then the follower
//! fetches a fresh snapshot and hands it over before the live entries that follow it. Entries at or below the
//! position are dropped, so the consumer sees each `seq` once, in order.

use crate::backoff::Backoff;
use crate::error::{ClientError, Result};
use crate::problem;
use crate::rest::Client;
use futures_util::{SinkExt, StreamExt};
use livewall_protocol::{ClientMessage, LinkProblem, LogPosition, ServerMessage, Snapshot};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

/// What the follower hands to its consumer.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveUpdate {
    /// Start over from this snapshot (first load, or the server could not resume).
    Snapshot(Snapshot),
    /// The next entry of the log, in order, once.
    Entry(ServerMessage),
    /// A control message worth showing (presence, errors).
    Control(ServerMessage),
    /// The live connection is up (true) or down (false): walls show an offline badge.
    Online(bool),
    /// Why following does not work, for the screen; cleared by the next `Online(true)`.
    Problem(LinkProblem),
}

/// A running follower; dropping it does not stop it, [`Follower::stop`] does.
#[derive(Debug)]
pub struct Follower {
    pub updates: mpsc::Receiver<LiveUpdate>,
    stop: CancellationToken,
}

impl Follower {
    /// Stops following.
    pub fn stop(&self) {
        self.stop.cancel();
    }
}

/// Follows `event` from `since` (for example the cached wall's position), or from a fresh snapshot when `None`.
pub fn follow(client: Client, event: String, since: Option<LogPosition>) -> Follower {
    let (tx, rx) = mpsc::channel(1024);
    let stop = CancellationToken::new();
    let token = stop.clone();
    tokio::spawn(async move {
        let mut pos = since;
        let mut backoff = Backoff::default();
        loop {
            let run = session(&client, &event, &mut pos, &tx, &mut backoff);
            let outcome = tokio::select! {
                r = run => r,
                _ = token.cancelled() => return,
            };
            if tx.send(LiveUpdate::Online(false)).await.is_err() {
                return;
            }
            if let Err(e) = outcome {
                let p = problem::describe(client.base(), &event, &e);
                if tx.send(LiveUpdate::Problem(p)).await.is_err() {
                    return;
                }
                if !e.should_reconnect() {
                    tracing::warn!(event = %event, error = %e, "the server closed the live connection for good; not reconnecting");
                    return;
                }
                tracing::info!(event = %event, error = %e, "live connection lost; will reconnect");
            }
            let delay = backoff.next_delay();
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = token.cancelled() => return,
            }
        }
    });
    Follower { updates: rx, stop }
}

async fn session(
    client: &Client,
    event: &str,
    pos: &mut Option<LogPosition>,
    tx: &mpsc::Sender<LiveUpdate>,
    backoff: &mut Backoff,
) -> Result<()> {
    let (ws, _) = tokio_tungstenite::connect_async(client.ws_url(event))
        .await
        .map_err(|e| ClientError::WebSocket(Box::new(e)))?;
    let (mut sink, mut stream) = ws.split();
    let subscribe = ClientMessage::Subscribe {
        event_id: event.to_owned(),
        since: pos.clone(),
    };
    sink.send(Message::text(serde_json::to_string(&subscribe)?))
        .await
        .map_err(|e| ClientError::WebSocket(Box::new(e)))?;
    let closed = || ClientError::Network("the consumer stopped listening".into());
    while let Some(frame) = stream.next().await {
        let frame = frame.map_err(|e| ClientError::WebSocket(Box::new(e)))?;
        let text = match frame {
            Message::Text(t) => t,
            Message::Close(c) => {
                let (code, reason) = c.map_or((1005, String::new()), |f| {
                    (u16::from(f.code), f.reason.as_str().to_owned())
                });
                return Err(ClientError::Closed { code, reason });
            }
            _ => continue,
        };
        let msg: ServerMessage = match serde_json::from_str(text.as_str()) {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "unreadable live frame skipped");
                continue;
            }
        };
        match &msg {
            ServerMessage::Subscribed {
                epoch,
                seq,
                recovered,
                ..
            } => {
                backoff.reset();
                tx.send(LiveUpdate::Online(true))
                    .await
                    .map_err(|_| closed())?;
                if !*recovered || pos.as_ref().is_none_or(|p| &p.epoch != epoch) {
                    // Live entries after `seq` follow this frame. The snapshot is read after it, so it holds
                    // everything up to its own `seq` (>= `seq`): later frames at or below that are skipped.
                    let snap = client.wall(event).await?;
                    tracing::debug!(
                        event,
                        subscribed_at = seq,
                        snapshot_at = snap.seq,
                        "loaded snapshot"
                    );
                    *pos = Some(LogPosition {
                        epoch: snap.epoch.clone(),
                        seq: snap.seq,
                    });
                    tx.send(LiveUpdate::Snapshot(snap))
                        .await
                        .map_err(|_| closed())?;
                }
            }
            m if m.seq().is_some() => {
                let seq = m.seq().unwrap_or_default();
                let Some(p) = pos.as_mut() else { continue };
                if seq <= p.seq {
                    continue;
                }
                p.seq = seq;
                let reload = matches!(msg, ServerMessage::Event { reload: true, .. });
                tx.send(LiveUpdate::Entry(msg))
                    .await
                    .map_err(|_| closed())?;
                if reload {
                    // The server renamed everyone (initials only switched): its snapshot has the new names.
                    let snap = client.wall(event).await?;
                    *pos = Some(LogPosition {
                        epoch: snap.epoch.clone(),
                        seq: snap.seq,
                    });
                    tx.send(LiveUpdate::Snapshot(snap))
                        .await
                        .map_err(|_| closed())?;
                }
            }
            ServerMessage::Error { code, message, .. } => {
                // Refused instead of followed (no such event, not allowed): say why on screen, keep listening.
                let p = problem::refused(client.base(), event, *code, message);
                tx.send(LiveUpdate::Problem(p))
                    .await
                    .map_err(|_| closed())?;
                tx.send(LiveUpdate::Control(msg))
                    .await
                    .map_err(|_| closed())?;
            }
            _ => tx
                .send(LiveUpdate::Control(msg))
                .await
                .map_err(|_| closed())?,
        }
    }
    Err(ClientError::Network("the live connection ended".into()))
}
