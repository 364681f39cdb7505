//! The one way this crate opens and uses its local SQLite files (the wall cache and the tap outbox): WAL mode,
//! versioned schema, and blocking calls moved off the async runtime.

use crate::error::{ClientError, Result};
use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// How hard a commit waits for the disk.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Durability {
    /// Survives a crash of the process (a cache can be rebuilt from the server).
    Process,
    /// Survives a power cut too (queued taps are the only copy).
    PowerLoss,
}

/// A local SQLite file behind a lock. Cheap to clone.
#[derive(Clone)]
pub(crate) struct LocalDb {
    conn: Arc<Mutex<Connection>>,
}

impl LocalDb {
    /// Opens (creating if needed) the file at `path` and brings its schema up to `migrations`.
    pub(crate) fn open(
        path: &Path,
        durability: Durability,
        migrations: &[&'static str],
    ) -> Result<Self> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        let sync = match durability {
            Durability::Process => "NORMAL",
            Durability::PowerLoss => "FULL",
        };
        conn.pragma_update(None, "synchronous", sync)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Migrations::new(migrations.iter().map(|m| M::up(m)).collect()).to_latest(&mut conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` on the connection in a blocking thread.
    pub(crate) async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut c = conn
                .lock()
                .map_err(|_| ClientError::Task("local database lock poisoned".into()))?;
            f(&mut c)
        })
        .await
        .map_err(|e| ClientError::Task(e.to_string()))?
    }
}
