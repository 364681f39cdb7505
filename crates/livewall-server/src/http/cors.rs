//! Cross-origin rules (tower-http's CORS layer) for the paths that browsers call from other sites: the original
//! wall is served from its own origin and reads `/interactions/wall` and `/events`, and its phone pages post
//! `/interactions`.
//!
//! Public reads carry no ambient credentials (tokens travel in the `Authorization` header, never in cookies), so
//! by default any origin may read them; writes are allowed only from the origins the organiser lists in
//! `--cors-origins`. A preflight is answered `204 No Content`.

use crate::config::CorsConfig;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// How long a browser may cache a preflight answer.
const MAX_AGE: Duration = Duration::from_secs(600);

fn listed(origins: &[String]) -> AllowOrigin {
    AllowOrigin::list(
        origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect::<Vec<_>>(),
    )
}

/// The policy of public reads (`GET`, `HEAD`).
pub(crate) fn reads(c: &CorsConfig) -> CorsLayer {
    let origin = if c.any_origin_reads {
        AllowOrigin::any()
    } else {
        listed(&c.origins)
    };
    CorsLayer::new()
        .allow_origin(origin)
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers([header::AUTHORIZATION, header::IF_NONE_MATCH])
        .expose_headers([header::ETAG])
        .max_age(MAX_AGE)
}

/// The policy of writes (`POST`): listed origins only.
pub(crate) fn writes(c: &CorsConfig) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(listed(&c.origins))
        .allow_methods([Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
        ])
        .max_age(MAX_AGE)
}

/// `OPTIONS` of a cross-origin path. The CORS layer answers preflights before this runs; a plain `OPTIONS` (no
/// `Access-Control-Request-Method`) gets an empty 204. The method must be routed so the layer sees it: the
/// router's method-not-allowed fallback would answer 405 first.
pub(crate) async fn options() -> StatusCode {
    StatusCode::NO_CONTENT
}

/// Turns the CORS layer's empty `200` preflight answer into `204 No Content`. Goes outside the CORS layer.
pub(crate) async fn preflight_no_content(req: Request, next: Next) -> Response {
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut res = next.run(req).await;
    if preflight && res.status() == StatusCode::OK {
        *res.status_mut() = StatusCode::NO_CONTENT;
    }
    res
}
