//! The per-event live log: every change a wall must see, with a gap-free `seq`.
//!
//! An entry's payload is the exact JSON frame sent to WebSocket subscribers, serialised once at write time, so
//! a replay sends the same bytes as the live broadcast did.

use crate::error::{Error, Result};
use bytes::Bytes;
use livewall_protocol::{Audience, LogPosition, ServerMessage};
use rusqlite::{OptionalExtension, Transaction, params};

/// One committed log entry, ready to send.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub event_id: String,
    pub seq: u64,
    /// The JSON text of the [`ServerMessage`].
    pub bytes: Bytes,
    /// What walls get instead, when they may not see all of it (see [`for_walls`]).
    pub wall_bytes: Option<Bytes>,
}

/// The form of a log message that walls (kiosks, anonymous viewers) may see, when it differs: an announcement
/// meant for stations only loses its message (its `seq` still arrives, so the wall's log has no gap).
pub fn for_walls(msg: &ServerMessage) -> Option<ServerMessage> {
    match msg {
        ServerMessage::Announcement {
            event_id,
            seq,
            message: Some(_),
            audience: Audience::Stations,
        } => Some(ServerMessage::Announcement {
            event_id: event_id.clone(),
            seq: *seq,
            message: None,
            audience: Audience::Stations,
        }),
        _ => None,
    }
}

fn kind(msg: &ServerMessage) -> &'static str {
    match msg {
        ServerMessage::Connection { .. } => "connection",
        ServerMessage::Node { .. } => "node",
        ServerMessage::Removed { .. } => "removed",
        ServerMessage::Event { .. } => "event",
        ServerMessage::Announcement { .. } => "announcement",
        ServerMessage::Subscribed { .. }
        | ServerMessage::Presence(_)
        | ServerMessage::Pong
        | ServerMessage::Error { .. } => "control",
    }
}

/// Appends the message built by `build(seq)` to `event_id`'s log in the caller's transaction.
pub fn append(
    tx: &Transaction<'_>,
    event_id: &str,
    now: i64,
    build: impl FnOnce(u64) -> ServerMessage,
) -> Result<LogEntry> {
    let seq: i64 = tx
        .query_row(
            "UPDATE events SET last_seq = last_seq + 1 WHERE id = ?1 RETURNING last_seq",
            [event_id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("event {event_id:?} not found")))?;
    let seq = u64::try_from(seq).map_err(|_| Error::Internal("negative log seq".into()))?;
    let msg = build(seq);
    let text = serde_json::to_string(&msg)
        .map_err(|e| Error::Internal(format!("cannot serialise log entry: {e}")))?;
    tx.execute(
        "INSERT INTO live_log (event_id, seq, kind, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![event_id, seq as i64, kind(&msg), text, now],
    )?;
    let wall_bytes = match for_walls(&msg) {
        Some(w) => Some(Bytes::from(serde_json::to_string(&w).map_err(|e| {
            Error::Internal(format!("cannot serialise log entry: {e}"))
        })?)),
        None => None,
    };
    Ok(LogEntry {
        event_id: event_id.to_owned(),
        seq,
        bytes: Bytes::from(text),
        wall_bytes,
    })
}

/// The event's current epoch and newest `seq`.
pub fn position(tx: &Transaction<'_>, event_id: &str) -> Result<(String, u64)> {
    tx.query_row(
        "SELECT epoch, last_seq FROM events WHERE id = ?1",
        [event_id],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64)),
    )
    .optional()?
    .ok_or_else(|| Error::NotFound(format!("event {event_id:?} not found")))
}

/// The oldest `seq` still retained, if any entry is.
pub fn oldest_retained(tx: &Transaction<'_>, event_id: &str) -> Result<Option<u64>> {
    let v: Option<i64> = tx.query_row(
        "SELECT MIN(seq) FROM live_log WHERE event_id = ?1",
        [event_id],
        |r| r.get(0),
    )?;
    Ok(v.map(|s| s.max(0) as u64))
}

/// Entries with `seq` in `(after, upto]`, in order.
pub fn range(tx: &Transaction<'_>, event_id: &str, after: u64, upto: u64) -> Result<Vec<LogEntry>> {
    let mut stmt = tx.prepare_cached(
        "SELECT seq, payload FROM live_log WHERE event_id = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![event_id, after as i64, upto as i64], |r| {
        Ok(LogEntry {
            event_id: event_id.to_owned(),
            seq: r.get::<_, i64>(0)?.max(0) as u64,
            bytes: Bytes::from(r.get::<_, String>(1)?),
            wall_bytes: None,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Drops entries so that at most `keep` remain; resuming from before them then answers `recovered:false`.
pub fn prune(tx: &Transaction<'_>, event_id: &str, keep: u64) -> Result<usize> {
    let (_, last) = position(tx, event_id)?;
    let cutoff = last.saturating_sub(keep);
    Ok(tx.execute(
        "DELETE FROM live_log WHERE event_id = ?1 AND seq <= ?2",
        params![event_id, cutoff as i64],
    )?)
}

/// Where a subscriber that names a position can go on from.
#[derive(Debug)]
pub enum Resume {
    /// The position is of another epoch, ahead of the log, or older than what is retained (or the log has a
    /// hole): start again from the current position `last`.
    Fresh { epoch: String, last: u64 },
    /// Every entry after `since` up to `last`, in order and without a gap.
    After {
        epoch: String,
        since: u64,
        last: u64,
        entries: Vec<LogEntry>,
    },
}

/// Reads the event's position and, when `since` is within the retained log of the same epoch, every entry after
/// it: one read, so a resume is complete or not attempted.
pub fn resume(tx: &Transaction<'_>, event_id: &str, since: Option<&LogPosition>) -> Result<Resume> {
    let (epoch, last) = position(tx, event_id)?;
    let Some(since) = since else {
        return Ok(Resume::Fresh { epoch, last });
    };
    if since.epoch != epoch || since.seq > last {
        return Ok(Resume::Fresh { epoch, last });
    }
    if since.seq < last {
        // Every entry after `since` must still be there: the oldest retained one must be its successor or older.
        match oldest_retained(tx, event_id)? {
            Some(oldest) if oldest <= since.seq + 1 => {}
            _ => return Ok(Resume::Fresh { epoch, last }),
        }
    }
    let entries = range(tx, event_id, since.seq, last)?;
    let complete = entries.len() as u64 == last - since.seq
        && entries
            .iter()
            .zip(since.seq + 1..)
            .all(|(e, want)| e.seq == want);
    if !complete {
        tracing::warn!(event = %event_id, since = since.seq, last, "live log has a hole; not resuming");
        return Ok(Resume::Fresh { epoch, last });
    }
    Ok(Resume::After {
        epoch,
        since: since.seq,
        last,
        entries,
    })
}
