//! `GET /api/openapi.json`: the API document, generated from the handlers and the protocol types.

use crate::state::AppState;
use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The generated OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "livewall", description = "Live who-met-whom wall: REST API. Live updates: WebSocket at /ws."),
    modifiers(&BearerAuth),
    paths(
        super::login::login, super::login::logout, super::login::logout_all, super::login::change_password,
        super::events::list, super::events::create, super::events::show, super::events::update, super::events::remove,
        super::profiles::list, super::profiles::create, super::profiles::bulk_create, super::profiles::show,
        super::profiles::badge_link, super::profiles::update, super::profiles::remove, super::profiles::connections, super::profiles::person,
        super::connections::create, super::connections::list, super::connections::remove,
        super::wall::wall,
        super::devices::list, super::devices::create, super::devices::show, super::devices::revoke,
        super::presence::presence,
        super::original::interaction, super::original::wall, super::original::events,
        super::health::healthz, super::health::readyz, super::health::metrics_text,
        super::avatars::avatar,
        super::imports::preview, super::imports::commit, super::export::export,
        super::announcements::announce, super::announcements::stats,
        super::webhooks::list, super::webhooks::create, super::webhooks::update, super::webhooks::remove,
        super::webhooks::deliveries, super::webhooks::resend,
    ),
    components(schemas(livewall_protocol::ErrorBody, livewall_protocol::PartyKey, livewall_protocol::Presence))
)]
pub struct ApiDoc;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route(
        "/api/openapi.json",
        get(|| async { axum::Json(ApiDoc::openapi()) }),
    )
}
