//! Shared test helpers for every crate's integration tests and the top-level end-to-end tests.
//!
//! [`TestServer`] runs the real `livewall-server` binary on a free loopback port with its own temporary
//! database, can stop it (SIGTERM or SIGKILL) and start it again on the same database and port. [`Api`] is a
//! thin HTTP client for it that keeps raw status codes visible, because tests assert on them. [`ws`] is a
//! WebSocket client for the live feed, [`idp`] an identity provider that signs attendees' ID tokens, [`receiver`]
//! a webhook receiver.

#![allow(clippy::unwrap_used)]

pub mod idp;
pub mod receiver;
pub mod ws;

use serde_json::{Value, json};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The admin password every test server starts with.
pub const ADMIN_PASSWORD: &str = "test-admin-password";

/// Polls `check` until it holds, failing with `what` after 15 s.
pub async fn eventually<F: AsyncFnMut() -> bool>(what: &str, mut check: F) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Where the server binary is: `$LIVEWALL_SERVER_BIN`, else the workspace's `target/debug/livewall-server`.
pub fn server_bin() -> PathBuf {
    if let Ok(p) = std::env::var("LIVEWALL_SERVER_BIN") {
        return PathBuf::from(p);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/debug/livewall-server")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `livewall-server serve` process with its own temporary folder.
pub struct TestServer {
    bin: PathBuf,
    child: Option<Child>,
    dir: tempfile::TempDir,
    /// `127.0.0.1:<port>`.
    pub addr: SocketAddr,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    extra_args: Vec<String>,
    /// The database, when not the default one in `dir`.
    db: Option<PathBuf>,
}

impl TestServer {
    /// Starts the binary at `bin` (pass `env!("CARGO_BIN_EXE_livewall-server")` or [`server_bin()`]).
    pub async fn start(bin: impl AsRef<Path>) -> Self {
        Self::start_with(bin, &[]).await
    }

    /// Starts with extra `serve` flags.
    pub async fn start_with(bin: impl AsRef<Path>, extra_args: &[&str]) -> Self {
        Self::start_at(bin, None, extra_args).await
    }

    /// Starts with its database at `db` (for example on a small or read-only disk).
    pub async fn start_with_db(bin: impl AsRef<Path>, db: &Path, extra_args: &[&str]) -> Self {
        Self::start_at(bin, Some(db.to_owned()), extra_args).await
    }

    async fn start_at(bin: impl AsRef<Path>, db: Option<PathBuf>, extra_args: &[&str]) -> Self {
        let port = free_port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut s = Self {
            bin: bin.as_ref().to_owned(),
            child: None,
            dir: tempfile::tempdir().unwrap(),
            addr,
            base: format!("http://{addr}"),
            extra_args: extra_args.iter().map(|s| (*s).to_owned()).collect(),
            db,
        };
        s.spawn().await;
        s
    }

    /// The database file.
    pub fn db_path(&self) -> PathBuf {
        self.db
            .clone()
            .unwrap_or_else(|| self.dir.path().join("livewall.db"))
    }

    /// The temporary folder (database, secret, logs).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The server's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    async fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("server.log"))
            .unwrap();
        let child = Command::new(&self.bin)
            .arg("serve")
            .arg("--db")
            .arg(self.db_path())
            .arg("--bind")
            .arg(self.addr.to_string())
            .args(&self.extra_args)
            .env("LIVEWALL_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.bin.display()));
        self.child = Some(child);
        self.wait_ready().await;
    }

    async fn wait_ready(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = client.get(format!("{}/readyz", self.base)).send().await
                && r.status().is_success()
            {
                return;
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!(
                    "the server exited during start-up ({status}); log:\n{}",
                    self.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "the server did not become ready in 30 s; log:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for the process to exit; returns whether it exited successfully.
    pub async fn terminate(&mut self) -> bool {
        let Some(mut child) = self.child.take() else {
            return true;
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return status.success();
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same database and port.
    pub async fn restart(&mut self) {
        if self.child.is_some() {
            self.terminate().await;
        }
        self.spawn().await;
    }

    /// An anonymous client.
    pub fn api(&self) -> Api {
        Api::new(&self.base, None)
    }

    /// A client logged in as the admin.
    pub async fn admin(&self) -> Api {
        let api = self.api();
        let (status, body) = api
            .call(
                "POST",
                "/api/login",
                Some(json!({"username": "admin", "password": ADMIN_PASSWORD})),
            )
            .await;
        assert_eq!(status, 200, "admin login failed: {body}");
        Api::new(&self.base, body["token"].as_str().map(str::to_owned))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A small JSON-over-HTTP client that returns status and body for every call.
#[derive(Clone)]
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
}

impl Api {
    /// A client for `base`, with an optional bearer token.
    pub fn new(base: &str, token: Option<String>) -> Self {
        Self {
            client: reqwest::Client::new(),
            base: base.to_owned(),
            token,
        }
    }

    /// The same server with another token.
    pub fn with_token(&self, token: &str) -> Self {
        Self {
            client: self.client.clone(),
            base: self.base.clone(),
            token: Some(token.to_owned()),
        }
    }

    /// A request builder with the bearer token set.
    pub fn request(&self, method: &str, path: &str) -> reqwest::RequestBuilder {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self.client.request(m, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            rb = rb.bearer_auth(t);
        }
        rb
    }

    /// Sends `body` as JSON (when given) and returns the status and the JSON answer (`Null` when empty).
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut rb = self.request(method, path);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        Self::finish(rb).await
    }

    /// Sends a prepared request and returns the status and JSON answer.
    pub async fn finish(rb: reqwest::RequestBuilder) -> (u16, Value) {
        let res = rb.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    /// Creates an event and returns its id.
    pub async fn create_event(&self, id: &str, settings: Value) -> String {
        let (s, b) = self
            .call(
                "POST",
                "/api/events",
                Some(json!({"id": id, "name": format!("Event {id}"), "settings": settings})),
            )
            .await;
        assert_eq!(s, 201, "create event: {b}");
        b["id"].as_str().unwrap().to_owned()
    }

    /// Creates `n` people `p0@example.org`... with names `Person 0`..., returning their profile ids.
    pub async fn add_people(&self, event: &str, n: usize) -> Vec<String> {
        let profiles: Vec<Value> = (0..n)
            .map(|i| json!({"name": format!("Person {i}"), "email": format!("p{i}@example.org")}))
            .collect();
        let (s, b) = self
            .call(
                "POST",
                &format!("/api/events/{event}/profiles/bulk"),
                Some(json!({"profiles": profiles})),
            )
            .await;
        assert_eq!(s, 201, "bulk create: {b}");
        b["created"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Mints a device token (`station` or `kiosk`) for an event and returns (device id, token).
    pub async fn device(&self, event: &str, role: &str) -> (String, String) {
        let (s, b) = self
            .call(
                "POST",
                &format!("/api/events/{event}/devices"),
                Some(json!({"name": format!("{role} 1"), "role": role})),
            )
            .await;
        assert_eq!(s, 201, "mint device: {b}");
        (
            b["device"]["id"].as_str().unwrap().to_owned(),
            b["token"].as_str().unwrap().to_owned(),
        )
    }

    /// Changes an event's settings (`PATCH /api/events/{event}` with `{"settings": settings}`).
    pub async fn set_settings(&self, event: &str, settings: Value) -> (u16, Value) {
        self.call(
            "PATCH",
            &format!("/api/events/{event}"),
            Some(json!({ "settings": settings })),
        )
        .await
    }

    /// Revokes a device token (its sockets are closed with 4001).
    pub async fn revoke_device(&self, event: &str, device_id: &str) -> (u16, Value) {
        self.call(
            "POST",
            &format!("/api/events/{event}/devices/{device_id}/revoke"),
            None,
        )
        .await
    }

    /// Sets people's consent (`PATCH` each profile with `{"consent": consent}`).
    pub async fn set_consent(&self, event: &str, ids: &[String], consent: Value) {
        for id in ids {
            let (s, b) = self
                .call(
                    "PATCH",
                    &format!("/api/events/{event}/profiles/{id}"),
                    Some(json!({ "consent": consent })),
                )
                .await;
            assert_eq!(s, 200, "set consent: {b}");
        }
    }

    /// Posts a connection between two e-mails.
    pub async fn connect(&self, event: &str, from: &str, to: &str) -> (u16, Value) {
        self.call(
            "POST",
            &format!("/api/events/{event}/connections"),
            Some(json!({"from": {"email": from}, "to": {"email": to}})),
        )
        .await
    }

    /// The wall snapshot.
    pub async fn wall(&self, event: &str) -> Value {
        let (s, b) = self
            .call("GET", &format!("/api/events/{event}/wall"), None)
            .await;
        assert_eq!(s, 200, "wall: {b}");
        b
    }
}
