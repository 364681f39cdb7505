//! Wire types shared by every livewall component.
//!
//! The server, the Rust client, the desktop app and the web UI all speak the JSON defined here, so a type changes
//! in one place. TypeScript copies for `ui/` are generated from these types by ts-rs (`cargo test -p
//! livewall-protocol` writes `ui/src/bindings/`), and with the `openapi` feature the types also describe themselves
//! for the server's generated OpenAPI document.
//!
//! The original system's shapes are kept: the wall snapshot
//! `{"type":"snapshot","nodes":[{"id","name","avatar"}],"links":[{"source","target","createdAt"}]}` and the live
//! `{"type":"connection","createdAt",...,"from":{"id","name","avatar","major"},"to":{...}}` event. Timestamps are
//! milliseconds since the Unix epoch.
//!
//! Besides types, three small rules live here because every side needs the same answer: [`tag::TagUid`] (what a
//! badge UID is), [`profile::profile_path`] / [`profile::profile_id_in`] (the badge link) and [`close::CloseCode`]
//! (what each close code means, generated for the UI), and [`i18n`] (which language a screen speaks). [`fixtures`] holds the golden wall rules every client test
//! suite runs. Nothing here does I/O or depends on another livewall crate.

pub mod admin;
pub mod auth;
pub mod close;
pub mod connection;
pub mod desktop;
pub mod error;
pub mod event;
pub mod i18n;
pub mod live;
pub mod original;
pub mod patch;
pub mod profile;
pub mod station;
pub mod tag;
pub mod wall;
pub mod webhook;

pub use admin::*;
pub use auth::*;
pub use close::CloseCode;
pub use connection::*;
pub use desktop::*;
pub use error::*;
pub use event::*;
pub use live::*;
pub use original::*;
pub use profile::*;
pub use station::*;
pub use tag::{TagUid, TagUidError};
pub use wall::*;
pub use webhook::*;

/// Milliseconds since the Unix epoch, the unit of every timestamp on the wire.
pub type Millis = i64;

/// Golden fixtures shared by every client test suite, so the clients cannot drift apart.
pub mod fixtures {
    /// The wall rules: a snapshot and frames in, the wall that must result out (see the file's `about`).
    pub const WALL_RULES: &str = include_str!("../fixtures/wall-rules.json");
    /// How a screen picks its language (see [`crate::i18n::negotiate`]).
    pub const LANGUAGES: &str = include_str!("../fixtures/languages.json");
}
