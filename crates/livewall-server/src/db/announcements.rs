//! The banner an organiser shows on an event's walls and stations.

use crate::error::{Error, Result};
use livewall_protocol::{Announce, CurrentAnnouncement, ServerMessage};
use rusqlite::{OptionalExtension, Transaction, params};

use super::log::{self, LogEntry};

/// Longest banner, in characters: it must stay readable across a room.
pub const MAX_CHARS: usize = 280;

/// The banner shown now.
pub fn current(tx: &Transaction<'_>, event_id: &str) -> Result<Option<CurrentAnnouncement>> {
    let raw: Option<Option<String>> = tx
        .prepare_cached("SELECT announcement FROM events WHERE id = ?1")?
        .query_row([event_id], |r| r.get(0))
        .optional()?;
    Ok(raw.flatten().and_then(|s| serde_json::from_str(&s).ok()))
}

/// Shows (or with `message: null`, clears) the banner and logs it, so walls joining later show it too.
pub fn announce(
    tx: &Transaction<'_>,
    event_id: &str,
    req: &Announce,
    now: i64,
) -> Result<(Option<CurrentAnnouncement>, LogEntry)> {
    super::events::get(tx, event_id)?;
    let message = match req.message.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(m) if m.chars().count() > MAX_CHARS => {
            return Err(Error::validation(format!(
                "message is longer than {MAX_CHARS} characters"
            )));
        }
        Some(m) => Some(m.to_owned()),
    };
    let current = message.clone().map(|message| CurrentAnnouncement {
        message,
        audience: req.audience,
        created_at: now,
    });
    let stored = current
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| Error::Internal(format!("cannot serialise announcement: {e}")))?;
    tx.execute(
        "UPDATE events SET announcement = ?2 WHERE id = ?1",
        params![event_id, stored],
    )?;
    let entry = log::append(tx, event_id, now, |seq| ServerMessage::Announcement {
        event_id: event_id.to_owned(),
        seq,
        message,
        audience: req.audience,
    })?;
    Ok((current, entry))
}
