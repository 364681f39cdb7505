//! Organiser sessions: `POST /api/login` (username and password for an admin token), `POST /api/logout` (end this
//! session), `POST /api/logout/all` (end every session of this account) and `POST /api/password` (change it,
//! which ends every session).
//!
//! Each admin token names a server-side session that every request checks ([`AppState::authenticate`]), so a
//! logout or a password change takes effect at once, on REST and on open sockets. Failed password checks back
//! off per username and per client address (429 with `Retry-After`), and argon2 runs on two threads of its own, so
//! a burst of logins queues instead of exhausting memory (each check takes about 19 MiB; on the shared blocking pool
//! every thread's allocator would keep such a block, which made 32 parallel logins cost hundreds of megabytes).

use super::extract::Json;
use crate::auth::{self, ADMIN_TOKEN_TTL_MS, Principal};
use crate::db;
use crate::error::{Error, Result};
use crate::ids::now_ms;
use crate::request::ClientIp;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Router};
use livewall_protocol::{ChangePassword, LoginRequest, LoginResponse};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Threads that run argon2 (each check or hash takes about 19 MiB while it runs).
const PASSWORD_THREADS: usize = 2;

/// Failed password checks of one key (a username or an address) and when the last one was.
#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

/// Backoff after failed password checks, per key: the first `free` failures cost nothing, then each one doubles
/// the wait (1 s, 2 s, 4 s... up to 15 minutes); a success clears the username's count, and a quiet quarter of an
/// hour clears any count.
struct Backoff<K> {
    free: u32,
    failures: Mutex<HashMap<K, Failures>>,
}

/// The longest wait, and how long a count is remembered.
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);

impl<K: std::hash::Hash + Eq + Clone> Backoff<K> {
    fn new(free: u32) -> Self {
        Self {
            free,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds to wait before this key may try again, if any.
    fn wait(&self, key: &K) -> Option<u64> {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let f = failures.get(key)?;
        let over = f.count.checked_sub(self.free)?;
        let wait = Duration::from_secs(1u64 << over.min(10)).min(MAX_WAIT);
        let left = wait.checked_sub(f.last.elapsed())?;
        Some(left.as_secs().max(1))
    }

    fn failed(&self, key: &K) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if failures.len() > 10_000 {
            failures.retain(|_, f| now.duration_since(f.last) < MAX_WAIT);
        }
        let f = failures.entry(key.clone()).or_insert(Failures {
            count: 0,
            last: now,
        });
        if now.duration_since(f.last) >= MAX_WAIT {
            f.count = 0;
        }
        f.count += 1;
        f.last = now;
    }

    fn succeeded(&self, key: &K) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

/// Work for the password threads.
enum Job {
    Verify {
        password: String,
        /// `None`: check against a dummy hash (an unknown user costs as much as a known one).
        hash: Option<String>,
        done: tokio::sync::oneshot::Sender<bool>,
    },
    Hash {
        password: String,
        done: tokio::sync::oneshot::Sender<Result<String>>,
    },
}

/// The argon2 threads and their queue.
struct PasswordThreads {
    jobs: tokio::sync::mpsc::Sender<Job>,
}

impl PasswordThreads {
    fn start(threads: usize) -> Self {
        let (jobs, rx) = tokio::sync::mpsc::channel::<Job>(1024);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads.max(1) {
            let rx = Arc::clone(&rx);
            let spawned = std::thread::Builder::new()
                .name(format!("livewall-argon2-{i}"))
                .spawn(move || {
                    let mut checker = auth::PasswordChecker::new();
                    loop {
                        let job = rx.lock().unwrap_or_else(|p| p.into_inner()).blocking_recv();
                        match job {
                            Some(Job::Verify {
                                password,
                                hash,
                                done,
                            }) => {
                                let ok = match hash {
                                    Some(h) => checker.verify(&password, &h),
                                    None => {
                                        checker.verify(&password, auth::dummy_hash());
                                        false
                                    }
                                };
                                let _ = done.send(ok);
                            }
                            Some(Job::Hash { password, done }) => {
                                let _ = done.send(auth::hash_password(&password));
                            }
                            // Every sender is gone: the server is stopping.
                            None => break,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password thread");
            }
        }
        Self { jobs }
    }

    async fn run<T>(&self, job: Job, answer: tokio::sync::oneshot::Receiver<T>) -> Result<T> {
        let gone = || Error::Unavailable("the server is shutting down".into());
        self.jobs.send(job).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())
    }

    async fn verify(&self, password: String, hash: Option<String>) -> Result<bool> {
        let (done, answer) = tokio::sync::oneshot::channel();
        self.run(
            Job::Verify {
                password,
                hash,
                done,
            },
            answer,
        )
        .await
    }

    async fn hash(&self, password: String) -> Result<String> {
        let (done, answer) = tokio::sync::oneshot::channel();
        self.run(Job::Hash { password, done }, answer).await?
    }
}

/// Limits on password checks.
pub(crate) struct Throttle {
    per_username: Backoff<String>,
    per_ip: Backoff<IpAddr>,
    passwords: PasswordThreads,
}

impl Throttle {
    fn new() -> Self {
        Self {
            per_username: Backoff::new(5),
            per_ip: Backoff::new(20),
            passwords: PasswordThreads::start(PASSWORD_THREADS),
        }
    }

    fn key(username: &str) -> String {
        username.trim().to_lowercase()
    }

    /// Whether this username and address may try now, or how long they must wait.
    fn attempt(&self, username: &str, ip: IpAddr) -> Result<(), u64> {
        let wait = [
            self.per_ip.wait(&ip),
            self.per_username.wait(&Self::key(username)),
        ]
        .into_iter()
        .flatten()
        .max();
        wait.map_or(Ok(()), Err)
    }

    /// Records how a check went.
    fn outcome(&self, username: &str, ip: IpAddr, ok: bool) {
        let key = Self::key(username);
        if ok {
            self.per_username.succeeded(&key);
        } else {
            self.per_username.failed(&key);
            self.per_ip.failed(&ip);
        }
    }

    /// Runs one password check on a password thread (queued behind the others).
    async fn check(&self, password: String, hash: Option<String>) -> Result<bool> {
        self.passwords.verify(password, hash).await
    }
}

pub(crate) fn router() -> Router<AppState> {
    let throttle = Arc::new(Throttle::new());
    Router::new()
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/logout/all", post(logout_all))
        .route("/api/password", post(change_password))
        .layer(Extension(throttle))
}

fn too_many(retry_after: u64) -> Response {
    let mut res = Error::RateLimited(format!(
        "too many password attempts; wait {retry_after} s and try again"
    ))
    .into_response();
    if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// Logs an organiser in: a new session and its token.
#[utoipa::path(post, path = "/api/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = livewall_protocol::ErrorBody),
        (status = 429, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn login(
    State(s): State<AppState>,
    Extension(throttle): Extension<Arc<Throttle>>,
    ClientIp(ip): ClientIp,
    Json(req): Json<LoginRequest>,
) -> Result<Response> {
    if let Err(wait) = throttle.attempt(&req.username, ip) {
        tracing::warn!(username = ?req.username, %ip, "login throttled");
        return Ok(too_many(wait));
    }
    let username = req.username.clone();
    let admin = s.db.read(move |tx| db::admins::find(tx, &username)).await?;
    let hash = admin.as_ref().map(|a| a.password_hash.clone());
    let ok = throttle.check(req.password, hash).await?;
    throttle.outcome(&req.username, ip, ok);
    let Some(admin) = admin.filter(|_| ok) else {
        // Debug formatting escapes control characters, so a crafted name cannot forge log lines.
        tracing::warn!(username = ?req.username, %ip, "failed login");
        return Err(Error::Unauthorized("wrong username or password".into()));
    };
    let now = now_ms();
    let expires_at = now + ADMIN_TOKEN_TTL_MS;
    let admin_id = admin.id.clone();
    let session =
        s.db.write(move |tx| db::admins::open_session(tx, &admin_id, now, expires_at))
            .await?;
    let token = s
        .auth
        .admin_token(&admin.id, &admin.username, &session, now, expires_at)?;
    tracing::info!(username = ?admin.username, %ip, "admin logged in");
    Ok(Json(LoginResponse {
        token,
        expires_at,
        username: admin.username,
    })
    .into_response())
}

fn admin_session(p: &Principal) -> Result<(&str, &str)> {
    p.require_admin()?;
    match p {
        Principal::Admin { id, session, .. } => Ok((id, session)),
        Principal::Device { .. } => Err(Error::Forbidden("this needs an admin token".into())),
    }
}

/// Ends this session: its token is refused from now on, and its live sockets are closed.
#[utoipa::path(post, path = "/api/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn logout(State(s): State<AppState>, p: Principal) -> Result<StatusCode> {
    let (_, session) = admin_session(&p)?;
    let sid = session.to_owned();
    let now = now_ms();
    s.db.write(move |tx| db::admins::revoke_session(tx, &sid, now))
        .await?;
    s.hub.close_admin_sessions(&[session.to_owned()]);
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session of this account ("log out everywhere").
#[utoipa::path(post, path = "/api/logout/all", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn logout_all(State(s): State<AppState>, p: Principal) -> Result<StatusCode> {
    let (id, _) = admin_session(&p)?;
    let admin_id = id.to_owned();
    let now = now_ms();
    let ended =
        s.db.write(move |tx| db::admins::revoke_sessions(tx, &admin_id, now))
            .await?;
    s.hub.close_admin_sessions(&ended);
    tracing::info!(sessions = ended.len(), "admin logged out everywhere");
    Ok(StatusCode::NO_CONTENT)
}

/// Changes this account's password (the current one is asked again); every session ends, this one too.
#[utoipa::path(post, path = "/api/password", tag = "auth", security(("bearer" = [])),
    request_body = ChangePassword,
    responses((status = 204), (status = 401, body = livewall_protocol::ErrorBody),
        (status = 422, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn change_password(
    State(s): State<AppState>,
    Extension(throttle): Extension<Arc<Throttle>>,
    ClientIp(ip): ClientIp,
    p: Principal,
    Json(req): Json<ChangePassword>,
) -> Result<Response> {
    let (id, _) = admin_session(&p)?;
    let Principal::Admin { username, .. } = &p else {
        return Err(Error::Forbidden("this needs an admin token".into()));
    };
    if let Err(wait) = throttle.attempt(username, ip) {
        return Ok(too_many(wait));
    }
    auth::check_password_strength(&req.new)?;
    let name = username.clone();
    let admin =
        s.db.read(move |tx| db::admins::find(tx, &name))
            .await?
            .ok_or_else(|| Error::Unauthorized("this account no longer exists".into()))?;
    let ok = throttle
        .check(req.current, Some(admin.password_hash))
        .await?;
    throttle.outcome(username, ip, ok);
    if !ok {
        return Err(Error::Unauthorized("the current password is wrong".into()));
    }
    let hash = throttle.passwords.hash(req.new).await?;
    let admin_id = id.to_owned();
    let now = now_ms();
    let ended =
        s.db.write(move |tx| {
            let ended = db::admins::revoke_sessions(tx, &admin_id, now)?;
            db::admins::set_password(tx, &admin_id, &hash, now)?;
            Ok(ended)
        })
        .await?;
    s.hub.close_admin_sessions(&ended);
    tracing::info!(username = ?username, "admin password changed; sessions ended");
    Ok(StatusCode::NO_CONTENT.into_response())
}
