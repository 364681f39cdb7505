//! The kiosk's offline copy of its wall: the last snapshot and every entry applied since, in SQLite.
//!
//! At start-up a kiosk draws [`WallCache::load`] at once, even with no network, then follows the live log from
//! the cached position. Entries are appended as they arrive; a new snapshot replaces the old one and its entries.

use crate::error::Result;
use crate::local_db::{Durability, LocalDb};
use crate::wall;
use livewall_protocol::{LogPosition, ServerMessage, Snapshot};
use rusqlite::{OptionalExtension, params};
use std::path::Path;

const SCHEMA: &str = "
CREATE TABLE snapshots (
    event_id TEXT PRIMARY KEY,
    body     TEXT NOT NULL,
    saved_at INTEGER NOT NULL
);
CREATE TABLE entries (
    event_id TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (event_id, seq)
) WITHOUT ROWID;
";

/// Handle to the cache file. Cheap to clone.
#[derive(Clone)]
pub struct WallCache {
    db: LocalDb,
}

impl WallCache {
    /// Opens (creating if needed) the cache at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        Ok(Self {
            db: LocalDb::open(path, Durability::Process, &[SCHEMA])?,
        })
    }

    /// Replaces the event's snapshot (and drops the entries it already contains).
    pub async fn save_snapshot(&self, snap: &Snapshot) -> Result<()> {
        let body = serde_json::to_string(snap)?;
        let event = snap.event_id.clone();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default();
        self.db.with(move |c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO snapshots (event_id, body, saved_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(event_id) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at",
                params![event, body, now],
            )?;
            tx.execute("DELETE FROM entries WHERE event_id = ?1", [&event])?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Appends one live entry (idempotent by `seq`).
    pub async fn append(&self, event_id: &str, msg: &ServerMessage) -> Result<()> {
        let Some(seq) = msg.seq() else { return Ok(()) };
        let body = serde_json::to_string(msg)?;
        let event = event_id.to_owned();
        self.db
            .with(move |c| {
                c.execute(
                    "INSERT OR IGNORE INTO entries (event_id, seq, body) VALUES (?1, ?2, ?3)",
                    params![event, seq as i64, body],
                )?;
                Ok(())
            })
            .await
    }

    /// The wall as last seen: the snapshot with every cached entry applied, or `None` if nothing is cached.
    pub async fn load(&self, event_id: &str) -> Result<Option<Snapshot>> {
        let event = event_id.to_owned();
        self.db
            .with(move |c| {
                let body: Option<String> = c
                    .query_row(
                        "SELECT body FROM snapshots WHERE event_id = ?1",
                        [&event],
                        |r| r.get(0),
                    )
                    .optional()?;
                let Some(body) = body else { return Ok(None) };
                let mut snap: Snapshot = serde_json::from_str(&body)?;
                let mut stmt =
                    c.prepare("SELECT body FROM entries WHERE event_id = ?1 ORDER BY seq")?;
                let rows = stmt.query_map([&event], |r| r.get::<_, String>(0))?;
                for row in rows {
                    let msg: ServerMessage = serde_json::from_str(&row?)?;
                    wall::apply(&mut snap, &msg);
                }
                Ok(Some(snap))
            })
            .await
    }

    /// The log position the cached wall reflects, to resume from.
    pub async fn position(&self, event_id: &str) -> Result<Option<LogPosition>> {
        Ok(self.load(event_id).await?.map(|s| LogPosition {
            epoch: s.epoch,
            seq: s.seq,
        }))
    }
}
