//! The station's durable queue of taps.
//!
//! A tap is written to SQLite with a fresh idempotency key before anything is sent. Delivery sends the oldest
//! first and deletes a tap only after the server stored it or refused *the tap itself* (an unknown badge, the same
//! person twice): see [`ClientError::hold`]. Anything else (no network, a refused token, a missing event) stops the
//! round with the taps kept and the reason reported. A crash between send and answer leaves the tap queued;
//! sending it again with the same key makes the server return its first answer, so the connection is created
//! exactly once.

use crate::error::{ClientError, Result};
use crate::local_db::{Durability, LocalDb};
use crate::rest::{Client, Posted};
use livewall_protocol::{CreateConnection, QueueHold};
use rand::Rng;
use rand::distr::Alphanumeric;
use rusqlite::params;
use std::path::Path;

const SCHEMA: &str = "
CREATE TABLE taps (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id    TEXT NOT NULL,
    key         TEXT NOT NULL UNIQUE,
    request     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);
";

/// A tap waiting to be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingTap {
    pub id: i64,
    pub event_id: String,
    pub key: String,
    pub request: CreateConnection,
    pub created_at: i64,
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// What happened to one tap.
#[derive(Debug)]
pub enum Delivery {
    /// The server stored it (201) or already had the pair (200).
    Delivered {
        tap: PendingTap,
        posted: Box<Posted>,
    },
    /// The server refused it for good (unknown badge, self-connection...): it is dropped, with the reason.
    Refused { tap: PendingTap, error: ClientError },
}

/// The result of one delivery round.
#[derive(Debug, Default)]
pub struct Report {
    pub deliveries: Vec<Delivery>,
    /// Taps still queued.
    pub waiting: usize,
    /// Why delivery stopped early, if it did: the taps wait until it is fixed.
    pub hold: Option<QueueHold>,
}

/// Handle to the outbox file. Cheap to clone.
#[derive(Clone)]
pub struct Outbox {
    db: LocalDb,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

impl Outbox {
    /// Opens (creating if needed) the outbox at `path`. A queued tap survives a power cut.
    pub fn open(path: &Path) -> Result<Self> {
        Ok(Self {
            db: LocalDb::open(path, Durability::PowerLoss, &[SCHEMA])?,
        })
    }

    /// Queues a tap with a new idempotency key; it is on disk when this returns.
    pub async fn enqueue(&self, event_id: &str, request: CreateConnection) -> Result<PendingTap> {
        let key: String = rand::rng()
            .sample_iter(Alphanumeric)
            .take(24)
            .map(char::from)
            .collect();
        let body = serde_json::to_string(&request)?;
        let (event, k) = (event_id.to_owned(), key.clone());
        let created_at = now_ms();
        let id = self
            .db
            .with(move |c| {
                c.execute(
                    "INSERT INTO taps (event_id, key, request, created_at) VALUES (?1, ?2, ?3, ?4)",
                    params![event, k, body, created_at],
                )?;
                Ok(c.last_insert_rowid())
            })
            .await?;
        Ok(PendingTap {
            id,
            event_id: event_id.to_owned(),
            key,
            request,
            created_at,
            attempts: 0,
            last_error: None,
        })
    }

    /// Every queued tap, oldest first.
    pub async fn pending(&self) -> Result<Vec<PendingTap>> {
        self.db.with(|c| {
            let mut stmt = c.prepare(
                "SELECT id, event_id, key, request, created_at, attempts, last_error FROM taps ORDER BY id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, u32>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, event_id, key, request, created_at, attempts, last_error) = row?;
                out.push(PendingTap {
                    id,
                    event_id,
                    key,
                    request: serde_json::from_str(&request)?,
                    created_at,
                    attempts,
                    last_error,
                });
            }
            Ok(out)
        })
        .await
    }

    /// How many taps wait.
    pub async fn len(&self) -> Result<usize> {
        self.db
            .with(|c| {
                Ok(
                    c.query_row("SELECT COUNT(*) FROM taps", [], |r| r.get::<_, i64>(0))?
                        .max(0) as usize,
                )
            })
            .await
    }

    /// True when nothing waits.
    pub async fn is_empty(&self) -> Result<bool> {
        Ok(self.len().await? == 0)
    }

    async fn remove(&self, id: i64) -> Result<()> {
        self.db
            .with(move |c| {
                c.execute("DELETE FROM taps WHERE id = ?1", [id])?;
                Ok(())
            })
            .await
    }

    async fn note_failure(&self, id: i64, error: String) -> Result<()> {
        self.db
            .with(move |c| {
                c.execute(
                    "UPDATE taps SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
                    params![id, error],
                )?;
                Ok(())
            })
            .await
    }

    /// Sends queued taps in order until the queue is empty or the server cannot be reached.
    pub async fn deliver(&self, client: &Client) -> Result<Report> {
        let mut report = Report::default();
        let pending = self.pending().await?;
        let total = pending.len();
        for (i, tap) in pending.into_iter().enumerate() {
            match client
                .post_connection(&tap.event_id, &tap.request, Some(&tap.key))
                .await
            {
                Ok(posted) => {
                    self.remove(tap.id).await?;
                    tracing::info!(key = %tap.key, status = posted.status, "tap delivered");
                    report.deliveries.push(Delivery::Delivered {
                        tap,
                        posted: Box::new(posted),
                    });
                }
                Err(error) => match error.hold() {
                    Some(kind) => {
                        tracing::info!(key = %tap.key, ?kind, error = %error, "tap kept for later");
                        self.note_failure(tap.id, error.to_string()).await?;
                        report.waiting = total - i;
                        report.hold = Some(QueueHold {
                            kind,
                            message: error.to_string(),
                        });
                        return Ok(report);
                    }
                    None => {
                        self.remove(tap.id).await?;
                        tracing::warn!(key = %tap.key, error = %error, "tap refused by the server");
                        report.deliveries.push(Delivery::Refused { tap, error });
                    }
                },
            }
        }
        Ok(report)
    }
}
