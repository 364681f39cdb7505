//! The state every handler shares: database, hub, token checker, settings and caches.

use crate::auth::{self, Auth, Principal};
use crate::config::Config;
use crate::db::log::{self, LogEntry};
use crate::db::{self, Db};
use crate::error::{Error, Result};
use crate::idp::IdTokenVerifier;
use crate::ids;
use crate::live::hub::Hub;
use bytes::Bytes;
use rusqlite::Transaction;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// A serialised snapshot, kept until the event's log moves on.
#[derive(Debug)]
pub struct CachedWall {
    pub epoch: String,
    pub seq: u64,
    pub body: Bytes,
}

/// The account created at first start, for the binary to print.
#[derive(Debug, Clone)]
pub struct BootstrapAdmin {
    pub username: String,
    pub password: String,
    /// The server made the password up (so it may show it once); false when the operator gave it.
    pub generated: bool,
}

/// Cheap-to-clone handle to everything shared.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub hub: Hub,
    pub auth: Arc<Auth>,
    pub config: Arc<Config>,
    pub walls: Arc<Mutex<HashMap<String, Arc<CachedWall>>>>,
    /// Verifies attendees' ID tokens for the original connection post, when configured.
    pub idp: Option<Arc<IdTokenVerifier>>,
    pub shutdown: CancellationToken,
    /// Wakes the webhook sender ([`crate::delivery`]) when a write may have queued messages.
    pub webhooks: Arc<WebhookWake>,
}

/// The webhook sender's doorbell. Writes ring it only while some endpoint is registered (on any event), so a
/// server without webhooks does no extra work per tap.
#[derive(Debug, Default)]
pub struct WebhookWake {
    bell: tokio::sync::Notify,
    endpoints: std::sync::atomic::AtomicUsize,
}

impl WebhookWake {
    /// After a write that may have queued messages.
    pub fn after_write(&self) {
        if self.endpoints.load(std::sync::atomic::Ordering::Relaxed) > 0 {
            self.bell.notify_one();
        }
    }

    /// Now: a message was queued again, or an endpoint resumed.
    pub fn ring(&self) {
        self.bell.notify_one();
    }

    /// How many endpoints exist (kept up to date by their creation and deletion).
    pub fn set_endpoints(&self, n: usize) {
        self.endpoints
            .store(n, std::sync::atomic::Ordering::Relaxed);
    }

    /// Waits for the next ring.
    pub async fn rung(&self) {
        self.bell.notified().await;
    }
}

impl AppState {
    /// Opens the database, loads (or creates) the signing secret and the device table, and creates the first
    /// admin account on a new database.
    pub async fn open(config: Config) -> Result<(Self, Option<BootstrapAdmin>)> {
        let db = Db::open(&config.db_path, config.db_readers)?;
        let secret = match &config.jwt_secret {
            Some(s) => s.as_bytes().to_vec(),
            None => {
                let mut p = config.db_path.clone().into_os_string();
                p.push(".secret");
                auth::load_or_create_secret(std::path::Path::new(&p))?
            }
        };
        let auth = Auth::new(&secret);
        for d in db.read(db::devices::active).await? {
            auth.grant(&d);
        }
        let bootstrap = Self::bootstrap_admin(&db, config.admin_password.clone()).await?;
        let webhooks = WebhookWake::default();
        webhooks.set_endpoints(db.read(db::webhooks::count).await?);
        let idp = match &config.attendee_idp {
            Some(c) => Some(Arc::new(IdTokenVerifier::new(c.clone())?)),
            None => None,
        };
        let state = Self {
            db,
            hub: Hub::default(),
            auth: Arc::new(auth),
            config: Arc::new(config),
            walls: Arc::default(),
            idp,
            shutdown: CancellationToken::new(),
            webhooks: Arc::new(webhooks),
        };
        Ok((state, bootstrap))
    }

    async fn bootstrap_admin(db: &Db, password: Option<String>) -> Result<Option<BootstrapAdmin>> {
        if db.read(db::admins::count).await? > 0 {
            return Ok(None);
        }
        if let Some(p) = &password {
            auth::check_password_strength(p).map_err(|_| {
                Error::BadRequest(format!(
                    "--admin-password must be at least {} characters",
                    auth::MIN_PASSWORD_LEN
                ))
            })?;
        }
        let generated = password.is_none();
        let password = password.unwrap_or_else(ids::new_id);
        let pw = password.clone();
        let hash = tokio::task::spawn_blocking(move || auth::hash_password(&pw))
            .await
            .map_err(|e| Error::Internal(format!("hashing task failed: {e}")))??;
        let now = ids::now_ms();
        db.write(move |tx| db::admins::upsert(tx, "admin", &hash, now))
            .await?;
        Ok(Some(BootstrapAdmin {
            username: "admin".into(),
            password,
            generated,
        }))
    }

    /// Checks a bearer token and, for an admin, that its login session is still open (not logged out, password
    /// not changed, not expired): the one check behind every authenticated request and socket.
    pub async fn authenticate(&self, token: &str) -> Result<Principal> {
        let p = self.auth.verify(token)?;
        if let Principal::Admin { session, .. } = &p {
            let sid = session.clone();
            let now = ids::now_ms();
            let active = self
                .db
                .read(move |tx| db::admins::session_active(tx, &sid, now))
                .await?;
            if !active {
                return Err(Error::Unauthorized(
                    "this login has ended (logged out, or the password was changed): log in again"
                        .into(),
                ));
            }
        }
        Ok(p)
    }

    /// Runs a write that may append log entries, then publishes them in commit order.
    pub async fn write_logged<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<(T, Vec<LogEntry>)> + Send + 'static,
    {
        let retention = self.config.log_retention;
        let hub = self.hub.clone();
        let webhooks = self.webhooks.clone();
        self.db
            .write_then(
                move |tx| {
                    let (value, entries) = f(tx)?;
                    // Prune now and then (every 1024 entries) rather than on every write.
                    for e in entries.iter().filter(|e| e.seq % 1024 == 0) {
                        log::prune(tx, &e.event_id, retention)?;
                    }
                    Ok((value, entries))
                },
                move |entries: Vec<LogEntry>| {
                    for e in &entries {
                        hub.publish(e);
                    }
                    webhooks.after_write();
                },
            )
            .await
    }
}
