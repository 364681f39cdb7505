//! The HTTP API: one module per resource, each with its own `router()`, merged here with the shared layers
//! (metrics, tracing, compression, body limit, JSON 404/405, panic to 500).

mod announcements;
mod avatars;
mod connections;
mod cors;
mod devices;
mod events;
mod export;
mod extract;
mod health;
mod imports;
mod login;
pub mod openapi;
mod original;
mod phone;
mod presence;
mod profiles;
mod security_headers;
pub mod ui;
mod wall;
mod webhooks;

pub use avatars::svg as avatar_svg;

use crate::error::Error;
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::trace::TraceLayer;

/// Every route of the server, with its layers.
pub fn router(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    let ui_dir = ui::ui_dir(state.config.ui_dir.as_deref());
    let live = crate::live::Upgrader::new(&state);
    Router::new()
        .merge(login::router())
        .merge(events::router())
        .merge(profiles::router())
        .merge(connections::router())
        .merge(wall::router(&state))
        .merge(devices::router())
        .merge(presence::router())
        .merge(live.router())
        .merge(ui::root(ui::StartPage::new(ui_dir.as_deref()), live))
        .merge(imports::router())
        .merge(export::router())
        .merge(webhooks::router())
        .merge(announcements::router())
        .merge(phone::router())
        .merge(original::router(&state))
        .merge(health::router())
        .merge(avatars::router())
        .merge(openapi::router())
        .merge(ui::router(ui_dir))
        .fallback(|| async { Error::NotFound("no such route".into()).into_response() })
        .method_not_allowed_fallback(|| async {
            (
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                axum::Json(livewall_protocol::ErrorBody {
                    error: livewall_protocol::ErrorDetail {
                        code: livewall_protocol::ErrorCode::BadRequest,
                        message: "this route does not accept that method".into(),
                        details: Vec::new(),
                    },
                }),
            )
                .into_response()
        })
        .layer(DefaultBodyLimit::max(max_body))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            state.config.http.body_timeout,
        ))
        .layer(axum::middleware::from_fn(security_headers::add))
        .layer(axum::middleware::from_fn(crate::metrics::track))
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(2)))
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                Error::Internal("a request handler panicked".into()).into_response()
            },
        ))
        .with_state(state)
}
