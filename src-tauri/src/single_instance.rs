//! One kiosk per machine and data directory: a second start only brings the first one to the front.
//!
//! `tauri-plugin-single-instance` does this over the D-Bus session bus, which a kiosk started from a bare X
//! session (or under Xvfb) does not have. So the lock itself is an abstract Unix socket named after the data
//! directory (released by the kernel when the process dies, no stale files), and the plugin is added on top when a
//! session bus exists.

use std::io::Read;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixListener, UnixStream};
use std::path::Path;

use tauri::{AppHandle, Manager, Runtime};

/// A name unique to `data_dir` (FNV-1a of its path).
pub fn lock_name(data_dir: &Path) -> String {
    let hash = data_dir
        .as_os_str()
        .as_encoded_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("org.livewall.kiosk.h{hash:016x}")
}

/// Outcome of taking the lock.
pub enum Lock {
    /// This process is the kiosk; keep the listener alive for the app's lifetime.
    Acquired(UnixListener),
    /// Another kiosk runs (and was asked to come to the front).
    Taken,
}

/// Takes the kiosk lock for `data_dir`.
pub fn acquire(data_dir: &Path) -> std::io::Result<Lock> {
    let addr = SocketAddr::from_abstract_name(lock_name(data_dir).as_bytes())?;
    match UnixListener::bind_addr(&addr) {
        Ok(l) => Ok(Lock::Acquired(l)),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            // Knock: the first instance focuses its window when someone connects.
            let _ = UnixStream::connect_addr(&addr);
            Ok(Lock::Taken)
        }
        Err(e) => Err(e),
    }
}

/// Brings the kiosk window to the front whenever a second start knocks.
pub fn serve<R: Runtime>(app: AppHandle<R>, listener: UnixListener) {
    let spawned = std::thread::Builder::new()
        .name("kiosk-single-instance".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut sink = [0u8; 1];
                let _ = (&stream).read(&mut sink);
                focus(&app);
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot watch for second instances");
    }
}

/// Shows and focuses the kiosk window.
pub fn focus<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window("kiosk") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

/// True when a D-Bus session bus is reachable by address (the plugin cannot work without one).
pub fn has_session_bus() -> bool {
    if let Ok(addr) = std::env::var("DBUS_SESSION_BUS_ADDRESS") {
        return match addr.strip_prefix("unix:path=") {
            Some(path) => Path::new(path.split(',').next().unwrap_or(path)).exists(),
            None => !addr.is_empty(),
        };
    }
    std::env::var_os("XDG_RUNTIME_DIR").is_some_and(|d| Path::new(&d).join("bus").exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_on_the_same_directory_is_refused() {
        let dir = std::env::temp_dir().join(format!("livewall-single-{}", std::process::id()));
        let first = acquire(&dir).map_err(|e| e.to_string());
        assert!(matches!(first, Ok(Lock::Acquired(_))), "first lock");
        assert!(matches!(acquire(&dir), Ok(Lock::Taken)), "second lock");
        let other = acquire(&dir.join("other"));
        assert!(
            matches!(other, Ok(Lock::Acquired(_))),
            "another directory is another kiosk"
        );
        drop(first);
        assert!(
            matches!(acquire(&dir), Ok(Lock::Acquired(_))),
            "released with its owner"
        );
    }
}
