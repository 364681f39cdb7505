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
pub mod idempotency;
pub mod log;
mod migrations;
pub mod profiles;
pub mod stats;
pub mod wall;
pub mod webhooks;

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// Free space under which a database that failed to write is still taken as full.
const MIN_FREE_BYTES: u64 = 1 << 20;

/// Cheap-to-clone handle to the database.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    /// Dropped with the database, which ends the checkpoint thread.
    _checkpoints: Mutex<std::sync::mpsc::Sender<()>>,
    /// Set while writes fail for lack of disk space; cleared by the next write that commits.
    storage_failing: std::sync::atomic::AtomicBool,
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

/// How often the WAL is copied back into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// Copies the WAL into the database now and then (PASSIVE: never blocks the writer or the readers) until the
/// database is closed. SQLite's own automatic checkpoint would run inside whichever commit crosses 1,000 pages,
/// so one tap in a few hundred waited for two fsyncs.
fn checkpoints(conn: Connection, stop: std::sync::mpsc::Receiver<()>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("livewall-checkpoint".into())
        .spawn(move || {
            let mut failing = false;
            // Ends as soon as the database is dropped (its sender with it), so its connection closes with the rest.
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                stop.recv_timeout(CHECKPOINT_EVERY)
            {
                let r = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                });
                match r {
                    Ok((busy, log, done)) => {
                        if std::mem::take(&mut failing) {
                            tracing::info!("checkpoints work again");
                        }
                        tracing::trace!(busy, log, done, "checkpoint");
                    }
                    // Said once per failing spell (a full disk would otherwise say it twice a second).
                    Err(e) if !failing => {
                        failing = true;
                        tracing::warn!(error = %e, "checkpoint failed; will keep trying");
                    }
                    Err(_) => {}
                }
            }
        })
        .map(|_| ())
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
        protect(path)?;
        let mut writer = Connection::open(path).map_err(|e| opening(path, e))?;
        configure(&writer, false).map_err(|e| opening(path, e))?;
        migrations::run(&mut writer)?;
        // SQLite opens a file it cannot write read-only without a word; the server must store, so say it now.
        let writable = !writer.is_readonly(rusqlite::MAIN_DB).unwrap_or(true)
            && writer
                .execute(
                    "INSERT INTO write_probe (id, at) VALUES (1, ?1) ON CONFLICT(id) DO UPDATE SET at = excluded.at",
                    [crate::ids::now_ms()],
                )
                .is_ok();
        if !writable {
            return Err(opening(
                path,
                rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
                    None,
                ),
            ));
        }
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
        // Checkpoints (which fsync) run on their own thread, not inside a commit that happens to cross the
        // threshold: a tap must not wait for the disk behind the WAL.
        writer
            .pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(|e| opening(path, e))?;
        let checkpointer = Connection::open(path).map_err(|e| opening(path, e))?;
        configure(&checkpointer, false).map_err(|e| opening(path, e))?;
        let (checkpoints_stop, stop_checkpoints) = std::sync::mpsc::channel();
        let inner = Arc::new(Inner {
            _checkpoints: Mutex::new(checkpoints_stop),
            storage_failing: std::sync::atomic::AtomicBool::new(false),
            path: path.to_owned(),
            writer: Mutex::new(writer),
            readers: Mutex::new(readers),
            reader_slots: Semaphore::new(n),
        });
        checkpoints(checkpointer, stop_checkpoints)
            .map_err(|e| Error::Internal(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Self { inner })
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
        self.write_then(move |tx| Ok((f(tx)?, ())), |()| {}).await
    }

    /// Like [`Db::write`] for a transaction whose result has two parts: the value for the caller and `P` for
    /// `after`, which runs on the committed `P` while still holding the writer lock (so publications happen in
    /// commit order). The caller is woken *before* `after` runs: its answer does not wait behind the publication
    /// (a thousand socket tasks woken by it would otherwise be scheduled first).
    pub async fn write_then<T, P, F, A>(&self, f: F, after: A) -> Result<T>
    where
        T: Send + 'static,
        P: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<(T, P)> + Send + 'static,
        A: FnOnce(P) + Send + 'static,
    {
        let inner = self.inner.clone();
        let (done, answer) = tokio::sync::oneshot::channel();
        let task = tokio::task::spawn_blocking(move || {
            let mut conn = match inner.writer.lock() {
                Ok(c) => c,
                Err(_) => {
                    let _ = done.send(Err(Error::Internal("database writer lock poisoned".into())));
                    return;
                }
            };
            let result = (|| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let value = f(&tx)?;
                tx.commit()?;
                Ok(value)
            })();
            match &result {
                Ok(_) => inner.storage_failing.store(false, Ordering::Relaxed),
                Err(Error::Db(e)) if crate::error::is_storage_failure(e) => {
                    inner.storage_failing.store(true, Ordering::Relaxed);
                }
                Err(_) => {}
            }
            match result {
                Ok((value, published)) => {
                    let _ = done.send(Ok(value));
                    // The caller already has its answer: a panic here must still be seen, and must not poison the
                    // writer for every write after it.
                    let ran =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| after(published)));
                    if ran.is_err() {
                        tracing::error!(
                            "publishing committed changes panicked; live sockets may miss them"
                        );
                    }
                }
                Err(e) => {
                    let _ = done.send(Err(e));
                }
            }
        });
        match answer.await {
            Ok(r) => r,
            // The task ended without answering: it panicked.
            Err(_) => Err(Error::Internal(match task.await {
                Err(e) => format!("database task failed: {e}"),
                Ok(()) => "database task ended without an answer".into(),
            })),
        }
    }

    /// Waits until the writer is free: every write that answered before this call has also published what it
    /// logged (publication runs under the writer lock, after the caller was answered).
    pub async fn barrier(&self) -> Result<()> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            drop(inner.writer.lock());
        })
        .await
        .map_err(|e| Error::Internal(format!("database task failed: {e}")))
    }

    /// Whether the database can store: after a write failed for lack of space, a tiny probe write tells whether
    /// space has returned (and clears the state when it has).
    pub async fn can_write(&self) -> Result<()> {
        if !self.inner.storage_failing.load(Ordering::Relaxed) {
            return Ok(());
        }
        // A tiny probe may fit in space SQLite already holds while real writes still fail: wait for free space.
        if self.free_bytes().is_some_and(|free| free < MIN_FREE_BYTES) {
            return Err(Error::Db(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
                Some("the disk is full".into()),
            )));
        }
        self.write(|tx| {
            tx.execute(
                "INSERT INTO write_probe (id, at) VALUES (1, ?1) ON CONFLICT(id) DO UPDATE SET at = excluded.at",
                [crate::ids::now_ms()],
            )?;
            Ok(())
        })
        .await
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

    /// Bytes this process may still write on the database's filesystem, when the system says.
    pub fn free_bytes(&self) -> Option<u64> {
        let dir = self
            .inner
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        rustix::fs::statvfs(dir)
            .ok()
            .map(|s| s.f_bavail.saturating_mul(s.f_frsize))
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        self.read(|tx| Ok(tx.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
            .await
            .is_ok()
    }
}

/// Creates the database file readable by its owner only (it holds e-mails and password hashes), or narrows an
/// existing one and its `-wal`/`-shm` files to that; SQLite gives the files it adds the database file's mode.
fn protect(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let cannot = |e: std::io::Error| {
            Error::Internal(format!(
                "cannot create the database {}: {e}",
                path.display()
            ))
        };
        if !path.exists() {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(cannot)?;
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let p = PathBuf::from(p);
            if let Ok(meta) = std::fs::metadata(&p)
                && meta.permissions().mode() & 0o077 != 0
                && let Err(e) = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))
            {
                tracing::warn!(path = %p.display(), error = %e, "cannot make the database file private");
            }
        }
    }
    Ok(())
}

/// Says in words why the database could not be opened.
fn opening(path: &Path, e: rusqlite::Error) -> Error {
    let read_only = matches!(&e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == rusqlite::ErrorCode::ReadOnly || f.code == rusqlite::ErrorCode::CannotOpen
            || f.code == rusqlite::ErrorCode::PermissionDenied);
    if read_only {
        Error::Unavailable(format!(
            "cannot open the database {} for writing: the file or its folder is read-only, or it cannot be created \
             there (check the permissions and the disk, or pass another --db)",
            path.display()
        ))
    } else {
        e.into()
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
