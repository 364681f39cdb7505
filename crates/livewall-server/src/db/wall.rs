//! The wall snapshot query.

use crate::error::Result;
use crate::people;
use livewall_protocol::{Snapshot, SnapshotTag, WallLink};
use rusqlite::Transaction;
use std::collections::HashSet;

use super::{events, log, profiles};

/// Everything a wall draws, read in one transaction with the log position, so `seq` matches the data exactly.
/// Hidden people and their links are left out; e-mails are never read.
pub fn snapshot(tx: &Transaction<'_>, event_id: &str) -> Result<Snapshot> {
    snapshot_since(tx, event_id, None)
}

/// [`snapshot`], or with `since` (ms) only the links made since then and the people in them: the original
/// wall's `sinceSec` window.
pub fn snapshot_since(
    tx: &Transaction<'_>,
    event_id: &str,
    since: Option<livewall_protocol::Millis>,
) -> Result<Snapshot> {
    let (epoch, seq) = log::position(tx, event_id)?;
    let event = events::get(tx, event_id)?;
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT id, name, avatar, major, company FROM profiles p WHERE event_id = ?1 AND {}
         ORDER BY created_at, rowid",
        profiles::on_wall("p")
    ))?;
    let mut nodes = stmt
        .query_map([event_id], |r| {
            let name: String = r.get(1)?;
            Ok(people::wall_node(
                r.get(0)?,
                &name,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                &event.settings,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let visible: HashSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
    let mut stmt = tx.prepare_cached(
        "SELECT from_id, to_id, created_at FROM connections WHERE event_id = ?1 AND created_at >= ?2
         ORDER BY created_at, rowid",
    )?;
    let mut links = Vec::new();
    let mut rows = stmt.query(rusqlite::params![event_id, since.unwrap_or(i64::MIN)])?;
    while let Some(r) = rows.next()? {
        let source: String = r.get(0)?;
        let target: String = r.get(1)?;
        if visible.contains(source.as_str()) && visible.contains(target.as_str()) {
            links.push(WallLink {
                source,
                target,
                created_at: r.get(2)?,
            });
        }
    }
    if since.is_some() {
        let linked: HashSet<&str> = links
            .iter()
            .flat_map(|l| [l.source.as_str(), l.target.as_str()])
            .collect();
        nodes.retain(|n| linked.contains(n.id.as_str()));
    }
    let announcement = super::announcements::current(tx, event_id)?;
    Ok(Snapshot {
        kind: SnapshotTag::Snapshot,
        event_id: event.id,
        event_name: event.name,
        epoch,
        seq,
        settings: event.settings,
        nodes,
        links,
        announcement,
    })
}
