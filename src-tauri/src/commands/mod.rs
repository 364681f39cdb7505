//! The Tauri commands, one file per role (and one for the settings every window reads). Which window may call which is decided by `capabilities/*.json` (bound to
//! window labels) over the per-command permissions `build.rs` generates.

pub mod admin;
pub mod kiosk;
pub mod settings;
pub mod station;
