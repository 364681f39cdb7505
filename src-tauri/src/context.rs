//! The app's shared state about this device: settings, the running role's parts, the embedded server, and why
//! the settings screen was opened. Managed by Tauri; every command reads it through `State<AppCtx>`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::embedded::{Embedded, EmbeddedConfig};
use crate::settings::{Launch, Saved};
use crate::{kiosk, station};

/// Locks `m`, going on with the data of a panicked holder (every value here stays consistent between calls).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Everything shared by the commands about this device.
pub struct AppCtx {
    /// Where settings, cache and outbox live.
    pub data_dir: PathBuf,
    /// NFC reader name filter.
    pub reader_filter: Option<String>,
    pub(crate) embedded_config: Option<EmbeddedConfig>,
    pub(crate) embedded: Mutex<Option<Arc<Embedded>>>,
    pub(crate) saved: Mutex<Saved>,
    pub(crate) launched: Mutex<Option<Launch>>,
    pub(crate) station: Mutex<Option<Arc<station::Station>>>,
    pub(crate) kiosk: Mutex<Option<Arc<kiosk::Kiosk>>>,
    pub(crate) problem: Mutex<Option<String>>,
    pub(crate) offer_port: Mutex<Option<u16>>,
    pub(crate) exit_allowed: AtomicBool,
    pub(crate) lock: Mutex<Option<std::os::unix::net::UnixListener>>,
}

impl AppCtx {
    /// The saved settings (merged with the command line).
    pub fn saved(&self) -> Saved {
        lock(&self.saved).clone()
    }

    pub(crate) fn set_saved(&self, s: Saved) {
        *lock(&self.saved) = s;
    }

    /// The running role's settings.
    pub fn launched(&self) -> Option<Launch> {
        lock(&self.launched).clone()
    }

    /// The staff PIN of the running role, if it has one (exit and settings ask for it).
    pub(crate) fn staff_pin(&self) -> Option<String> {
        self.launched().and_then(|l| l.exit_pin)
    }

    /// The embedded server, when this app runs one.
    pub fn embedded(&self) -> Option<Arc<Embedded>> {
        lock(&self.embedded).clone()
    }

    /// The running station, if this device is one now.
    pub fn station(&self) -> Option<Arc<station::Station>> {
        lock(&self.station).clone()
    }

    /// The running kiosk, if this device is one now.
    pub fn kiosk(&self) -> Option<Arc<kiosk::Kiosk>> {
        lock(&self.kiosk).clone()
    }

    pub(crate) fn problem(&self) -> Option<String> {
        lock(&self.problem).clone()
    }

    pub(crate) fn offer_port(&self) -> Option<u16> {
        *lock(&self.offer_port)
    }

    pub(crate) fn set_problem(&self, problem: impl Into<String>, offer_port: Option<u16>) {
        *lock(&self.problem) = Some(problem.into());
        *lock(&self.offer_port) = offer_port;
    }

    pub(crate) fn clear_problem(&self) {
        *lock(&self.problem) = None;
        *lock(&self.offer_port) = None;
    }

    /// Lets the kiosk window close (after the exit chord and PIN).
    pub fn allow_exit(&self) {
        self.exit_allowed.store(true, Ordering::SeqCst);
    }
}

impl AppCtx {
    /// A fresh context for `data_dir`, nothing running yet.
    pub(crate) fn new(
        data_dir: PathBuf,
        reader_filter: Option<String>,
        embedded_config: Option<EmbeddedConfig>,
        saved: Saved,
    ) -> Self {
        Self {
            data_dir,
            reader_filter,
            embedded_config,
            embedded: Mutex::new(None),
            saved: Mutex::new(saved),
            launched: Mutex::new(None),
            station: Mutex::new(None),
            kiosk: Mutex::new(None),
            problem: Mutex::new(None),
            offer_port: Mutex::new(None),
            exit_allowed: AtomicBool::new(false),
            lock: Mutex::new(None),
        }
    }

    /// Whether the kiosk window may close now.
    pub(crate) fn exit_allowed(&self) -> bool {
        self.exit_allowed.load(Ordering::SeqCst)
    }
}
