//! The livewall server: REST and WebSocket API over SQLite.
//!
//! Stations post connections ("A met B"), walls load a snapshot and follow the event's live log, organisers
//! manage events, attendees and device tokens. This crate is the middle of the workspace: it depends on
//! `livewall-protocol` for every wire type, and the desktop app embeds it to run a whole event on one laptop.
//!
//! Layout, and what each room may touch (each only what is below it; `tests/layering.rs` refuses import cycles):
//! - transports: [`http`] (one module per resource) and [`live`] (the `/ws` feed: hub, sessions, replay,
//!   presence) translate requests into calls and outcomes into answers; [`request`] reads credentials for both.
//! - [`domain`]: the rules of every write walls see, each owning its transaction and answering an outcome.
//! - [`db`]: SQL only, one module per table, the live log in [`db::log`].
//! - leaves: [`people`] (how a person is shown, initials), [`validate`], [`auth`] (tokens; [`idp`] attendees' ID
//!   tokens), [`error`], [`config`], [`ids`]. [`state`] ties them together.
//!
//! [`run`] serves an [`app`] on a listener until a shutdown future resolves, so tests and the desktop app bring
//! their own listener and shutdown.

pub mod auth;
pub mod config;
pub mod db;
pub mod delivery;
pub mod demo;
pub mod domain;
pub mod error;
pub mod exports;
pub mod http;
pub mod idp;
pub mod ids;
pub mod import;
pub mod live;
pub mod metrics;
pub mod people;
pub mod request;
pub mod serve;
pub mod state;
pub mod validate;

pub use config::Config;
pub use error::{Error, Result};
pub use state::AppState;

use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;

/// The whole HTTP application for `state`.
pub fn app(state: AppState) -> axum::Router {
    // Install the recorder before the first request so early requests are counted too.
    let _ = metrics::handle();
    http::router(state)
}

/// Serves `state` on `listener` until `shutdown` resolves, then stops accepting and finishes in-flight requests.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let token = state.shutdown.clone();
    tokio::spawn(async move {
        shutdown.await;
        token.cancel();
    });
    let (hub, stop) = (state.hub.clone(), state.shutdown.clone());
    tokio::spawn(async move {
        stop.cancelled().await;
        let n = hub.close_all(livewall_protocol::CloseCode::GoingAway);
        tracing::debug!(sockets = n, "closing the live sockets");
    });
    let hub = state.hub.clone();
    let sweep_stop = state.shutdown.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            tokio::select! {
                _ = every.tick() => hub.sweep(),
                _ = sweep_stop.cancelled() => break,
            }
        }
    });
    tokio::spawn(live::presence_task(
        state.hub.clone(),
        state.config.ws.presence_interval,
        state.shutdown.clone(),
    ));
    delivery::spawn(state.clone());
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, db = %state.db.path().display(), "livewall server listening");
    }
    let stop = state.shutdown.clone();
    let hub = state.hub.clone();
    let send_buffer = state.config.ws.tcp_send_buffer;
    let state_grace = state.config.shutdown_grace;
    let limits = serve::Limits {
        header_timeout: state.config.http.header_timeout,
        max_connections: state.config.http.max_connections,
        grace: state.config.shutdown_grace + Duration::from_secs(1),
    };
    // Live frames are small: without NODELAY, Nagle's algorithm would hold them back for an ACK.
    let tune = move |tcp: &tokio::net::TcpStream| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        if let Some(n) = send_buffer
            && let Err(e) = socket2::SockRef::from(tcp).set_send_buffer_size(n)
        {
            tracing::debug!(error = %e, "cannot set the TCP send buffer");
        }
    };
    serve::serve(listener, app(state), limits, stop, tune).await;
    // Upgraded sockets are not the accept loop's: the hub closed them all (`Hub::close_all`) with 1001.
    let open = hub.session_count();
    // Each socket's close handshake is bounded by the grace; the margin covers the write that precedes it.
    let wait = state_grace + Duration::from_millis(500);
    if tokio::time::timeout(wait, hub.wait_sessions())
        .await
        .is_err()
    {
        tracing::warn!(open, "some live sockets did not close in time");
    }
    Ok(())
}
