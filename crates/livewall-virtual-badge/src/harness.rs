//! A private PC/SC stack for tests: its own `pcscd` with two vpcd virtual readers on free TCP ports, reachable
//! through its own socket, so tests neither need nor disturb the machine's pcscd.
//!
//! pcsc-lite 1.9 clients honour `PCSCLITE_CSOCK_NAME`, but the daemon always creates `/run/pcscd/pcscd.comm` (and
//! its pid file). So the daemon runs in a private mount namespace (`unshare --mount`, needs root) where our own
//! directory is bind-mounted on `/run/pcscd`; the socket then appears in our directory for the clients.
//!
//! libpcsclite reads `PCSCLITE_CSOCK_NAME` once per process, and setting environment variables in a running
//! multi-threaded process is unsound, so the test process re-executes itself with the variables set:
//! [`run_isolated`] wraps a test binary's `main`.

use std::fs;
use std::io::{self, Read, Seek};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::card::VirtualBadge;
use crate::vpcd::PlacedBadge;

/// Set in the re-executed test process: the directory holding the private pcscd's files.
pub const DIR_ENV: &str = "LIVEWALL_PCSCD_DIR";
/// The variable libpcsclite reads to find pcscd's socket.
pub const SOCKET_ENV: &str = "PCSCLITE_CSOCK_NAME";

const VPCD_DRIVERS: [&str; 3] = [
    "/usr/lib/pcsc/drivers/serial/libifdvpcd.so",
    "/usr/lib/x86_64-linux-gnu/pcsc/drivers/serial/libifdvpcd.so",
    "/usr/local/lib/pcsc/drivers/serial/libifdvpcd.so",
];

/// Why the stack could not be set up.
#[derive(Debug, Error)]
pub enum HarnessError {
    /// A program or driver the stack needs is not installed.
    #[error(
        "{what} not found: install the Debian package `{package}` (crates/livewall-nfc/DEBIAN-PACKAGES lists them all)"
    )]
    Missing {
        /// The program or file.
        what: String,
        /// The Debian package providing it.
        package: &'static str,
    },
    /// The process was not started through [`run_isolated`].
    #[error("{0}: wrap the test binary's main in livewall_virtual_badge::run_isolated")]
    NotIsolated(String),
    /// A file or process operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// pcscd did not come up in time.
    #[error("private pcscd did not start: {reason}\n--- pcscd log ---\n{log}")]
    PcscdDidNotStart {
        /// What was missing.
        reason: String,
        /// The end of pcscd's log.
        log: String,
    },
    /// No two consecutive free ports were found.
    #[error("no two consecutive free TCP ports for the virtual readers")]
    NoFreePorts,
}

fn io_err(context: impl Into<String>) -> impl FnOnce(io::Error) -> HarnessError {
    let context = context.into();
    move |source| HarnessError::Io { context, source }
}

/// Runs `main` in a copy of this process whose environment points libpcsclite at a private pcscd socket
/// (a fresh temporary directory), and returns its exit code; runs `main` directly when already isolated.
/// Leftover pcscd processes of the copy are stopped and the directory removed afterwards.
pub fn run_isolated(main: impl FnOnce() -> ExitCode) -> ExitCode {
    if std::env::var_os(DIR_ENV).is_some() {
        return main();
    }
    match reexec() {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(error = %e, "cannot isolate the test process");
            // Test binaries rarely install a tracing subscriber: make sure the reason is seen.
            eprintln!("livewall-virtual-badge: cannot isolate the test process: {e}");
            ExitCode::FAILURE
        }
    }
}

fn reexec() -> Result<ExitCode, HarnessError> {
    let dir = tempfile::Builder::new()
        .prefix("livewall-pcscd-")
        .tempdir()
        .map_err(io_err("creating the private pcscd directory"))?;
    let run = dir.path().join("run");
    fs::create_dir_all(&run).map_err(io_err("creating the run directory"))?;
    let exe = std::env::current_exe().map_err(io_err("finding the test executable"))?;
    let status = Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(DIR_ENV, dir.path())
        .env(SOCKET_ENV, run.join("pcscd.comm"))
        .status()
        .map_err(io_err("re-running the test executable"))?;
    // A crashed child can leave its pcscd behind: stop it by the pid it wrote.
    if let Ok(pid) = fs::read_to_string(run.join("pcscd.pid")) {
        let pid = pid.trim();
        if !pid.is_empty() && Path::new("/proc").join(pid).exists() {
            let _ = Command::new("kill").arg("-TERM").arg(pid).status();
        }
    }
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(c) => ExitCode::from(u8::try_from(c).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}

/// A running private pcscd with two vpcd readers.
#[derive(Debug)]
pub struct PcscStack {
    dir: PathBuf,
    base_port: u16,
    child: Option<Child>,
    pcscd: PathBuf,
}

impl PcscStack {
    /// Starts pcscd with two virtual readers on free ports. Fails with a clear message when pcscd, vpcd or
    /// `unshare` are missing or the process was not started through [`run_isolated`].
    pub fn start() -> Result<Self, HarnessError> {
        let pcscd = find_program("pcscd", "pcscd")?;
        find_program("unshare", "util-linux")?;
        let driver = VPCD_DRIVERS
            .iter()
            .map(Path::new)
            .find(|p| p.exists())
            .ok_or(HarnessError::Missing {
                what: "vpcd driver libifdvpcd.so".into(),
                package: "vsmartcard-vpcd",
            })?;
        let dir = PathBuf::from(
            std::env::var_os(DIR_ENV)
                .ok_or_else(|| HarnessError::NotIsolated(format!("{DIR_ENV} is not set")))?,
        );
        let socket = dir.join("run").join("pcscd.comm");
        if std::env::var_os(SOCKET_ENV).map(PathBuf::from) != Some(socket.clone()) {
            return Err(HarnessError::NotIsolated(format!(
                "{SOCKET_ENV} must be {}",
                socket.display()
            )));
        }
        fs::create_dir_all(dir.join("run")).map_err(io_err("creating the run directory"))?;
        fs::create_dir_all(dir.join("reader.conf.d"))
            .map_err(io_err("creating the reader config directory"))?;
        let base_port = free_port_pair()?;
        let conf = format!(
            "FRIENDLYNAME \"Virtual PCD\"\nDEVICENAME   /dev/null:0x{base_port:04X}\nLIBPATH      {}\nCHANNELID    0x{base_port:04X}\n",
            driver.display()
        );
        fs::write(dir.join("reader.conf.d").join("vpcd"), conf)
            .map_err(io_err("writing the reader config"))?;
        let mut stack = Self {
            dir,
            base_port,
            child: None,
            pcscd,
        };
        stack.start_pcscd()?;
        Ok(stack)
    }

    /// The socket clients reach pcscd on.
    pub fn socket_path(&self) -> PathBuf {
        self.dir.join("run").join("pcscd.comm")
    }

    /// pcscd's log (debug level), for diagnosing a failing test.
    pub fn log_path(&self) -> PathBuf {
        self.dir.join("pcscd.log")
    }

    /// Virtual reader 0 or 1 ("Virtual PCD 00 00" / "Virtual PCD 00 01").
    pub fn reader(&self, index: u8) -> VirtualReader {
        VirtualReader {
            name: format!("Virtual PCD 00 {index:02}"),
            port: self.base_port + u16::from(index.min(1)),
        }
    }

    /// True while pcscd runs.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Starts pcscd (again) and waits until its socket and both reader ports are up.
    pub fn start_pcscd(&mut self) -> Result<(), HarnessError> {
        if self.is_running() {
            return Ok(());
        }
        let run = self.dir.join("run");
        for stale in ["pcscd.comm", "pcscd.pid"] {
            let _ = fs::remove_file(run.join(stale));
        }
        fs::create_dir_all("/run/pcscd").map_err(io_err("creating the /run/pcscd mount point"))?;
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .map_err(io_err("opening the pcscd log"))?;
        let log_offset = log.metadata().map(|m| m.len()).unwrap_or(0);
        let log_err = log.try_clone().map_err(io_err("opening the pcscd log"))?;
        let child = Command::new("unshare")
            .args(["--mount", "--propagation", "private", "--", "sh", "-c"])
            .arg(r#"mount --bind "$0" /run/pcscd && exec "$1" --foreground --debug -c "$2""#)
            .arg(&run)
            .arg(&self.pcscd)
            .arg(self.dir.join("reader.conf.d"))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(io_err("starting pcscd"))?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let ports_up = listening(self.base_port) && listening(self.base_port + 1);
            if ports_up && self.socket_path().exists() {
                tracing::info!(port = self.base_port, socket = %self.socket_path().display(), "private pcscd up");
                return Ok(());
            }
            let reason = if !self.is_running() {
                Some("pcscd exited (running as root? unshare --mount allowed?)".to_owned())
            } else if Instant::now() > deadline {
                Some(format!(
                    "socket or reader ports {} not up after 10 s",
                    self.base_port
                ))
            } else {
                None
            };
            if let Some(reason) = reason {
                let log = self.log_since(log_offset);
                let _ = self.stop_pcscd();
                return Err(HarnessError::PcscdDidNotStart { reason, log });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops pcscd (SIGTERM, then SIGKILL after 5 s), as an operator or a crash would; badges on the readers are
    /// disconnected.
    pub fn stop_pcscd(&mut self) -> Result<(), HarnessError> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        if matches!(child.try_wait(), Ok(None)) {
            // `unshare` and `sh` exec into pcscd, so the child's pid is pcscd's.
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if matches!(child.try_wait(), Ok(None)) {
                child.kill().map_err(io_err("killing pcscd"))?;
            }
        }
        child.wait().map_err(io_err("waiting for pcscd"))?;
        Ok(())
    }

    fn log_since(&self, offset: u64) -> String {
        let mut text = String::new();
        if let Ok(mut f) = fs::File::open(self.log_path()) {
            let _ = f.seek(io::SeekFrom::Start(offset));
            let _ = f.read_to_string(&mut text);
        }
        let start = text.len().saturating_sub(4000);
        text.get(start..).unwrap_or_default().to_owned()
    }
}

impl Drop for PcscStack {
    fn drop(&mut self) {
        if let Err(e) = self.stop_pcscd() {
            tracing::warn!(error = %e, "could not stop the private pcscd");
        }
    }
}

/// One virtual reader of a [`PcscStack`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirtualReader {
    name: String,
    port: u16,
}

impl VirtualReader {
    /// The reader's PC/SC name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The TCP port vpcd listens on for this reader.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Puts `badge` on the reader until the returned handle is removed or dropped. pcscd polls vpcd every 400 ms:
    /// keep a badge on for more than 0.5 s to be seen, and wait for the removal event before placing the next one.
    pub fn place(&self, badge: &VirtualBadge) -> Result<PlacedBadge, HarnessError> {
        PlacedBadge::place(self.port, badge)
            .map_err(io_err(format!("placing a badge on {}", self.name)))
    }

    /// Places `badge`, holds it for `hold`, and takes it off.
    pub fn tap(&self, badge: &VirtualBadge, hold: Duration) -> Result<(), HarnessError> {
        let placed = self.place(badge)?;
        std::thread::sleep(hold);
        placed
            .remove()
            .map_err(io_err(format!("serving a badge on {}", self.name)))
    }
}

fn find_program(name: &str, package: &'static str) -> Result<PathBuf, HarnessError> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or(HarnessError::Missing {
            what: name.to_owned(),
            package,
        })
}

/// A port `p` with `p + 1` also free (vpcd numbers its readers' ports consecutively).
fn free_port_pair() -> Result<u16, HarnessError> {
    for _ in 0..50 {
        let first = TcpListener::bind("0.0.0.0:0").map_err(io_err("finding a free port"))?;
        let port = first
            .local_addr()
            .map_err(io_err("finding a free port"))?
            .port();
        if port < u16::MAX && TcpListener::bind(("0.0.0.0", port + 1)).is_ok() {
            return Ok(port);
        }
    }
    Err(HarnessError::NoFreePorts)
}

/// Whether something listens on `port`, from /proc/net/tcp: connecting to test it would insert a card.
fn listening(port: u16) -> bool {
    let wanted = format!(":{port:04X}");
    ["/proc/net/tcp", "/proc/net/tcp6"].iter().any(|table| {
        fs::read_to_string(table).is_ok_and(|t| {
            t.lines().skip(1).any(|l| {
                let cols: Vec<&str> = l.split_whitespace().collect();
                cols.len() > 3 && cols[1].ends_with(&wanted) && cols[3] == "0A"
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_listening_ports() {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().expect("addr").port();
        assert!(listening(port));
        drop(l);
        assert!(!listening(port));
        let p = free_port_pair().expect("ports");
        assert!(p < u16::MAX);
    }
}
