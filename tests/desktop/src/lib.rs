//! Driving the real desktop app in end-to-end tests: a private Xvfb display, `tauri-driver` (which runs
//! `WebKitWebDriver`), and a minimal W3C WebDriver client over HTTP.
//!
//! `tauri:options` has no environment: the app inherits the environment of `tauri-driver`, which is how it gets the
//! display and the private pcscd socket of the station tests.

#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The app binary: `$LIVEWALL_APP_BIN`, else the workspace's `target/debug/livewall`.
pub fn app_bin() -> PathBuf {
    std::env::var_os("LIVEWALL_APP_BIN").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/debug/livewall"),
        PathBuf::from,
    )
}

/// `tauri-driver`: `$TAURI_DRIVER`, else `~/.cargo/bin/tauri-driver`, else on `PATH`.
pub fn tauri_driver_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let cargo = home.join(".cargo/bin/tauri-driver");
    if cargo.exists() {
        cargo
    } else {
        PathBuf::from("tauri-driver")
    }
}

/// Where screenshots go: `artifacts/` at the workspace root.
pub fn artifacts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts")
}

/// A free loopback TCP port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A private X server; stopped on drop.
pub struct Xvfb {
    child: Child,
    /// `:N`.
    pub display: String,
}

impl Xvfb {
    /// Starts `Xvfb` on a free display (`-displayfd`), 1280x800.
    pub fn start() -> Result<Self, String> {
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start Xvfb (Debian package xvfb): {e}"))?;
        let mut out = child.stdout.take().ok_or("no Xvfb stdout")?;
        let mut buf = Vec::new();
        let mut byte = [0u8; 1];
        while out.read(&mut byte).map_err(|e| e.to_string())? == 1 && byte[0] != b'\n' {
            buf.push(byte[0]);
        }
        let n = String::from_utf8_lossy(&buf).trim().to_owned();
        if n.is_empty() {
            let _ = child.kill();
            return Err("Xvfb did not report its display".into());
        }
        Ok(Self {
            child,
            display: format!(":{n}"),
        })
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `tauri-driver`; stopped on drop.
pub struct Driver {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    http: reqwest::Client,
    log: PathBuf,
}

impl Driver {
    /// Starts `tauri-driver` on free ports, on `display`, with its log in `log_dir`.
    pub async fn start(display: &str, log_dir: &Path) -> Result<Self, String> {
        let (port, native) = (free_port(), free_port());
        let log = log_dir.join(format!("tauri-driver-{port}.log"));
        let file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let child = Command::new(tauri_driver_bin())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            // Its own process group, so dropping the driver also stops the WebKitWebDriver it started.
            .process_group(0)
            .env("DISPLAY", display)
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .env("RUST_LOG", "info")
            .stdout(file.try_clone().map_err(|e| e.to_string())?)
            .stderr(file)
            .spawn()
            .map_err(|e| {
                format!("cannot start tauri-driver (cargo install tauri-driver --locked): {e}")
            })?;
        let d = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(r) = d.http.get(format!("{}/status", d.base)).send().await
                && r.status().is_success()
            {
                return Ok(d);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("tauri-driver did not answer; log:\n{}", d.log()))
    }

    /// The driver's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Starts the app with `args` and attaches to its first window.
    pub async fn session(&self, args: &[String]) -> Result<Session, String> {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": app_bin(), "args": args}
        }}});
        let r = self
            .http
            .post(format!("{}/session", self.base))
            .json(&caps)
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let v: Value = r.json().await.map_err(|e| e.to_string())?;
        let id = v["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session: {v}\ndriver log:\n{}", self.log()))?;
        Ok(Session {
            http: self.http.clone(),
            url: format!("{}/session/{id}", self.base),
            ended: false,
        })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One WebDriver session = one running app.
pub struct Session {
    http: reqwest::Client,
    url: String,
    ended: bool,
}

impl Session {
    async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        let r = self
            .http
            .post(format!("{}{path}", self.url))
            .json(&body)
            .timeout(Duration::from_secs(20))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let v: Value = r.json().await.map_err(|e| e.to_string())?;
        if v["value"].get("error").is_some() {
            return Err(format!("webdriver {path}: {}", v["value"]));
        }
        Ok(v["value"].clone())
    }

    async fn get(&self, path: &str) -> Result<Value, String> {
        let r = self
            .http
            .get(format!("{}{path}", self.url))
            .timeout(Duration::from_secs(20))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let v: Value = r.json().await.map_err(|e| e.to_string())?;
        if v["value"].get("error").is_some() {
            return Err(format!("webdriver {path}: {}", v["value"]));
        }
        Ok(v["value"].clone())
    }

    /// Polls the app's windows until one shows `path` (e.g. `/kiosk`), and makes it the current one: a role
    /// started from the settings screen opens its own window and closes the settings one.
    pub async fn switch_to_window(&self, path: &str, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let mut last = Value::Null;
        while Instant::now() < deadline {
            let handles = self.get("/window/handles").await?;
            for h in handles.as_array().into_iter().flatten() {
                if self.post("/window", json!({"handle": h})).await.is_err() {
                    continue;
                }
                match self.eval("return location.pathname", json!([])).await {
                    Ok(v) if v == path => return Ok(()),
                    Ok(v) => last = v,
                    Err(e) => last = Value::String(e),
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "timed out waiting for a window showing {path}; last: {last}"
        ))
    }

    /// Runs `script` (a function body; `arguments` are `args`) and answers its return value.
    pub async fn eval(&self, script: &str, args: Value) -> Result<Value, String> {
        self.post("/execute/sync", json!({"script": script, "args": args}))
            .await
    }

    /// Runs an async `script`: it ends by calling `arguments[arguments.length - 1](result)`.
    pub async fn eval_async(&self, script: &str, args: Value) -> Result<Value, String> {
        self.post("/execute/async", json!({"script": script, "args": args}))
            .await
    }

    /// Invokes a Tauri command from the page: `{ok: value}` or `{err: error}`.
    pub async fn invoke(&self, cmd: &str, args: Value) -> Result<Value, String> {
        self.eval_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI__.core.invoke(arguments[0], arguments[1])
               .then((ok) => done({ ok: ok === undefined ? null : ok }), (err) => done({ err: err }));",
            json!([cmd, args]),
        )
        .await
    }

    /// Polls `script` (returning a JSON value) until `pred` holds or `timeout` passes; answers the last value.
    pub async fn wait_for(
        &self,
        what: &str,
        script: &str,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Result<Value, String> {
        let deadline = Instant::now() + timeout;
        let mut last = Value::Null;
        while Instant::now() < deadline {
            match self.eval(script, json!([])).await {
                Ok(v) if pred(&v) => return Ok(v),
                Ok(v) => last = v,
                Err(e) => last = Value::String(e),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("timed out waiting for {what}; last value: {last}"))
    }

    /// Writes a PNG screenshot of the window to `path`.
    pub async fn screenshot(&self, path: &Path) -> Result<(), String> {
        let r = self
            .http
            .get(format!("{}/screenshot", self.url))
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let v: Value = r.json().await.map_err(|e| e.to_string())?;
        let b64 = v["value"]
            .as_str()
            .ok_or_else(|| format!("no screenshot: {v}"))?;
        let png = base64_decode(b64)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        std::fs::write(path, png).map_err(|e| e.to_string())
    }

    /// Writes a PNG of the whole X screen of `display` to `path` (`xwd` + ImageMagick). For a window WebKitWebDriver
    /// does not photograph: a second window of the app never answers the driver's screenshot request.
    pub fn screen_shot(display: &str, path: &Path) -> Result<(), String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        let status = Command::new("sh")
            .arg("-c")
            .arg(r#"xwd -root -silent | convert xwd:- "$0""#)
            .arg(path)
            .env("DISPLAY", display)
            .status()
            .map_err(|e| format!("cannot run xwd/convert (Debian x11-apps, imagemagick): {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("xwd | convert failed: {status}"))
        }
    }

    /// Ends the session (the driver stops the app).
    pub async fn end(mut self) -> Result<(), String> {
        self.ended = true;
        self.http
            .delete(&self.url)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}

impl Drop for Session {
    /// A failed test still ends its session: WebKitWebDriver allows one at a time.
    fn drop(&mut self) {
        if self.ended {
            return;
        }
        let url = self.url.clone();
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                let _ = reqwest::Client::new()
                    .delete(&url)
                    .timeout(Duration::from_secs(10))
                    .send()
                    .await;
            });
        })
        .join();
    }
}

/// Standard base64 (the WebDriver screenshot encoding).
pub fn base64_decode(s: &str) -> Result<Vec<u8>, String> {
    fn val(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let clean: Vec<u8> = s
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= val(*c).ok_or_else(|| format!("bad base64 byte {c}"))? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_numbers() {
        assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64_decode("aGVsbG8h").unwrap(), b"hello!");
        assert_eq!(base64_decode("aGk=").unwrap(), b"hi");
        assert!(base64_decode("a$==").is_err());
    }
}
