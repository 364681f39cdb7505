//! The server under test: one already running at a URL, or a binary started here on a temporary database.

use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A server to load, with an admin session.
pub(crate) struct Target {
    pub(crate) base: String,
    pub(crate) pid: Option<u32>,
    pub(crate) http: reqwest::Client,
    pub(crate) admin_token: String,
    child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Starts `bin serve` on a free loopback port with a fresh database and no connection-rate limit.
pub(crate) async fn spawn(bin: &str, extra: &[String], password: &str) -> anyhow::Result<Target> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let dir = tempfile::tempdir()?;
    let log = std::fs::File::create(dir.path().join("server.log"))?;
    let child = Command::new(bin)
        .arg("serve")
        .arg("--db")
        .arg(dir.path().join("bench.db"))
        .arg("--bind")
        .arg(format!("127.0.0.1:{port}"))
        .args(["--ws-connect-rate", "0"])
        .args(extra)
        .env("LIVEWALL_ADMIN_PASSWORD", password)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .with_context(|| format!("cannot start {bin}"))?;
    let pid = child.id();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = http.get(format!("{base}/readyz")).send().await
            && r.status().is_success()
        {
            break;
        }
        if Instant::now() > deadline {
            bail!("the server did not become ready in 30 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut t = Target {
        base,
        pid: Some(pid),
        http,
        admin_token: String::new(),
        child: Some(child),
        _dir: Some(dir),
    };
    t.admin_token = login(&t.http, &t.base, password).await?;
    Ok(t)
}

/// A server already running at `base`.
pub(crate) async fn existing(
    base: &str,
    pid: Option<u32>,
    password: &str,
) -> anyhow::Result<Target> {
    let http = reqwest::Client::new();
    let base = base.trim_end_matches('/').to_owned();
    let admin_token = login(&http, &base, password).await?;
    Ok(Target {
        base,
        pid,
        http,
        admin_token,
        child: None,
        _dir: None,
    })
}

async fn login(http: &reqwest::Client, base: &str, password: &str) -> anyhow::Result<String> {
    let (status, body) = call(
        http,
        "POST",
        &format!("{base}/api/login"),
        None,
        Some(json!({"username": "admin", "password": password})),
    )
    .await?;
    if status != 200 {
        bail!("admin login failed ({status}): {body}");
    }
    body["token"]
        .as_str()
        .map(str::to_owned)
        .context("the login answer has no token")
}

/// One JSON request; returns the status and the JSON answer.
pub(crate) async fn call(
    http: &reqwest::Client,
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> anyhow::Result<(u16, Value)> {
    let mut rb = http.request(reqwest::Method::from_bytes(method.as_bytes())?, url);
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let res = rb.send().await.with_context(|| format!("{method} {url}"))?;
    let status = res.status().as_u16();
    let text = res.text().await?;
    Ok((
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    ))
}

/// Resident memory of a process, in KiB, from `/proc/<pid>/status`.
pub(crate) fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("cannot read /proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS line in /proc/<pid>/status")
}

/// CPU time (user + system) a process has used, in seconds, from `/proc/<pid>/stat`.
pub(crate) fn cpu_secs(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("cannot read /proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces) start at the last ')'.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let ticks = |i: usize| -> anyhow::Result<f64> {
        Ok(fields
            .get(i)
            .context("short /proc/<pid>/stat")?
            .parse::<f64>()?)
    };
    // Clock ticks per second: 100 on Linux for every architecture this runs on.
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}
