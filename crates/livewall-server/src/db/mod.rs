//! The SQLite store: one writer connection and a small pool of readers, used from async code through
//! `spawn_blocking`.
//!
//! Why one writer: SQLite serialises writers anyway, and holding our own lock around each write transaction
//! lets a write append to the live log and publish to the hub in commit order, which is what makes `seq`
//! gap-free and delivered in order. WAL mode lets the readers (snapshots, lists) run beside it.

pub mod admins;
pub mod announcements;
pub mod connections;
pub mod devices;
pub mod events;
pub mod log;
mod migrations;
pub mod profiles;
pub mod stats;
pub mod wall;

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// Cheap-to-clone handle to the database.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    reader_slots: Semaphore,
}

fn configure(conn: &Connection, reader: bool) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // NORMAL in WAL mode survives a process crash (only a power loss can drop the last commits).
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -16_000)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    if reader {
        conn.pragma_update(None, "query_only", "ON")?;
    }
    Ok(())
}

impl Db {
    /// Opens (creating if needed) the database at `path` and runs the migrations.
    pub fn open(path: &Path, readers: usize) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                Error::Internal(format!(
                    "cannot create database folder {}: {e}",
                    dir.display()
                ))
            })?;
        }
        let mut writer = Connection::open(path)?;
        configure(&writer, false)?;
        migrations::run(&mut writer)?;
        let readers = (0..readers.max(1))
            .map(|_| {
                let c = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                configure(&c, true)?;
                Ok(c)
            })
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let n = readers.len();
        Ok(Self {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                writer: Mutex::new(writer),
                readers: Mutex::new(readers),
                reader_slots: Semaphore::new(n),
            }),
        })
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` in an IMMEDIATE write transaction on the writer, committing if it returns `Ok`.
    ///
    /// `f` runs with the writer lock held, so anything it does after its own work (such as publishing log entries
    /// through [`Db::write_then`]) happens in commit order.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        self.write_then(f, |_| {}).await
    }

    /// Like [`Db::write`], then runs `after` on the committed result while still holding the writer lock.
    pub async fn write_then<T, F, A>(&self, f: F, after: A) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
        A: FnOnce(&T) + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = inner
                .writer
                .lock()
                .map_err(|_| Error::Internal("database writer lock poisoned".into()))?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            after(&value);
            Ok(value)
        })
        .await
        .map_err(|e| Error::Internal(format!("database task failed: {e}")))?
    }

    /// Runs `f` in a read transaction on one of the readers: everything it reads is one consistent snapshot.
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        let _permit = self
            .inner
            .reader_slots
            .acquire()
            .await
            .map_err(|_| Error::Unavailable("database is closing".into()))?;
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = inner
                .readers
                .lock()
                .map_err(|_| Error::Internal("database reader pool poisoned".into()))?
                .pop()
                .ok_or_else(|| Error::Internal("no free database reader".into()))?;
            let result = (|| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
                let v = f(&tx)?;
                tx.finish()?;
                Ok(v)
            })();
            if let Ok(mut pool) = inner.readers.lock() {
                pool.push(conn);
            }
            result
        })
        .await
        .map_err(|e| Error::Internal(format!("database task failed: {e}")))?
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        self.read(|tx| Ok(tx.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
            .await
            .is_ok()
    }
}

/// True when a SQLite error is a UNIQUE/PRIMARY KEY violation.
pub fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}
