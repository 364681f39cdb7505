//! The banner an organiser shows on an event's walls and stations.

use crate::error::{Error, Result};
use livewall_protocol::CurrentAnnouncement;
use rusqlite::{OptionalExtension, Transaction, params};

/// The banner shown now.
pub fn current(tx: &Transaction<'_>, event_id: &str) -> Result<Option<CurrentAnnouncement>> {
    let raw: Option<Option<String>> = tx
        .prepare_cached("SELECT announcement FROM events WHERE id = ?1")?
        .query_row([event_id], |r| r.get(0))
        .optional()?;
    Ok(raw.flatten().and_then(|s| serde_json::from_str(&s).ok()))
}

/// Stores the banner shown now (`None` clears it).
pub fn set(
    tx: &Transaction<'_>,
    event_id: &str,
    current: Option<&CurrentAnnouncement>,
) -> Result<()> {
    super::events::get(tx, event_id)?;
    let stored = current
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| Error::Internal(format!("cannot serialise announcement: {e}")))?;
    tx.execute(
        "UPDATE events SET announcement = ?2 WHERE id = ?1",
        params![event_id, stored],
    )?;
    Ok(())
}
