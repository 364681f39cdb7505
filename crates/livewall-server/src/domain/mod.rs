//! The rules of every change that walls see: what a write is allowed to do, what it means, and which live-log
//! entries it appends. Each function owns its transaction (through [`AppState::write_logged`], which publishes the
//! entries in commit order) and answers an outcome, never an HTTP status: [`crate::db`] runs the SQL, and
//! the HTTP resources (and the demo, the phone page, the original clients' routes) translate the outcome.
//!
//! What each module may touch: `db` (queries), `people` (how a person is shown), `state` (the transaction and the
//! hub); never `http` or `live`.
//!
//! [`AppState::write_logged`]: crate::state::AppState::write_logged

pub mod announcements;
pub mod connections;
pub mod events;
pub mod profiles;
pub mod webhooks;
