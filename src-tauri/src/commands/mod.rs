//! The Tauri commands, one file per role. Which window may call which is decided by `capabilities/*.json` (bound to
//! window labels) over the per-command permissions `build.rs` generates.

pub mod admin;
pub mod common;
pub mod kiosk;
pub mod station;
