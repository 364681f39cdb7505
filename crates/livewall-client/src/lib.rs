//! The Rust client of the livewall server, used by the desktop app (kiosk, station, admin), the tests and tools.
//!
//! - [`rest::Client`]: the REST API over reqwest (rustls), errors decoded from the server's JSON error body.
//! - [`live::follow`]: the WebSocket live log of one event with the resume protocol: it subscribes from the last
//!   position it saw, de-duplicates by `seq`, reloads the snapshot when the server answers `recovered:false`, and
//!   reconnects with full-jitter exponential backoff (0.5 s to 20 s), except after a close code that says not to
//!   (`livewall_protocol::CloseCode::should_reconnect`), and reloads the snapshot when an `event` frame asks.
//! - [`cache::WallCache`]: SQLite copy of the last snapshot and every entry applied since, so a kiosk can draw its
//!   wall at start-up with no network.
//! - [`outbox::Outbox`]: durable queue of taps, each with an idempotency key, delivered in order and removed only
//!   once the server has answered, so a tap is delivered exactly once across crashes and restarts.
//!
//! - [`problem`]: why the server cannot be followed, in words (address, what failed, the fix).
//!
//! - [`wall`]: the wall rules applied to a snapshot (the golden cases of `livewall_protocol::fixtures`).
//!
//! It depends only on `livewall-protocol`; the server crate is not needed to talk to a server. Within it, `rest`
//! and `live` are the only modules that open connections; `cache` and `outbox` only touch their SQLite files
//! (through `local_db`); `wall`, `problem` and `backoff` are pure.

pub mod backoff;
pub mod cache;
pub mod error;
pub mod live;
mod local_db;
pub mod outbox;
pub mod problem;
pub mod rest;
pub mod wall;

pub use error::{ClientError, Result};
pub use rest::Client;

/// Installs the rustls crypto provider (ring) once per process; every TLS connection of this crate needs it.
pub fn init_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
