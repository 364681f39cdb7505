//! `GET /ws`: the live feed. Walls and stations subscribe to events and receive their live log, resuming after a
//! drop without a gap or a duplicate.
//!
//! Who may connect: a bearer token (admin, kiosk or station) given as the `Authorization` header, the `?token=`
//! query parameter, the original `?Authorization=` parameter, or the subprotocol pair `bearer, <token>` that a
//! browser's `new WebSocket(url, ["bearer", token])` sends (the server answers with the `bearer` subprotocol).
//! Without a token, a socket opens anonymously, as the original Live Wall's `$connect` did: it may follow public
//! walls only, one at a time (a `subscribe` to another public event moves it there, as the original's event
//! picker does), and a private or unknown event answers an error frame while the socket stays open. With
//! `?eventId=<event>` naming a wall that is not public it is refused with a JSON 401 before the upgrade, and a
//! token that is present but bad is refused too.
//!
//! The original client opens `${WS_URL}?v=1` at the deployment's root, so the feed is served at `/` as well as
//! `/ws`. That client re-subscribes after a drop without `since` and never reloads its snapshot, so on a socket
//! opened with `v=1` a `subscribe` without `since` is followed by a `snapshot` frame (which it merges).
//!
//! [`session`] runs one task per socket; presence is gathered in [`crate::hub`] and sent by [`presence`].

mod limit;
mod presence;
mod session;

pub use presence::presence_task;

use crate::auth::Principal;
use crate::db;
use crate::error::{Error, Result};
use crate::http::ui::StartPage;
use crate::hub::Kind;
use crate::state::AppState;
use axum::Extension;
use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use limit::ConnectLimiter;
use livewall_protocol::DeviceRole;
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;

/// The `/ws` route and `/` (an upgrade there is the feed, anything else `start_page`), with the
/// connection-rate limiter.
pub(crate) fn router(state: &AppState, start_page: StartPage) -> Router<AppState> {
    let cfg = &state.config.ws;
    let limiter = Arc::new(ConnectLimiter::new(cfg.connect_rate, cfg.connect_burst));
    Router::new()
        .route("/ws", get(upgrade))
        .route("/", get(root))
        .layer(Extension(limiter))
        .layer(Extension(start_page))
}

/// Whether a request asks for a WebSocket.
fn is_upgrade(req: &Request) -> bool {
    req.headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

async fn root(
    State(s): State<AppState>,
    Extension(limiter): Extension<Arc<ConnectLimiter>>,
    Extension(page): Extension<StartPage>,
    req: Request,
) -> Response {
    if is_upgrade(&req) {
        upgrade(State(s), Extension(limiter), req).await
    } else {
        page.respond(req).await
    }
}

/// Who is on the other end of a socket.
#[derive(Debug, Clone)]
pub(crate) enum Who {
    User(Principal),
    /// No token: a viewer of public walls, one at a time.
    Anonymous,
}

impl Who {
    /// What the socket counts as in presence.
    fn kind(&self) -> Kind {
        match self {
            Self::User(Principal::Admin { .. }) => Kind::Admin,
            Self::User(Principal::Device {
                role: DeviceRole::Station,
                ..
            }) => Kind::Station,
            Self::User(Principal::Device {
                role: DeviceRole::Kiosk,
                ..
            })
            | Self::Anonymous => Kind::Wall,
        }
    }

    /// The `role` label of the connection gauge.
    fn role_label(&self) -> &'static str {
        match self {
            Self::User(Principal::Admin { .. }) => "admin",
            Self::User(Principal::Device {
                role: DeviceRole::Station,
                ..
            }) => "station",
            Self::User(Principal::Device {
                role: DeviceRole::Kiosk,
                ..
            }) => "kiosk",
            Self::Anonymous => "anonymous",
        }
    }

    fn admin_session(&self) -> Option<String> {
        match self {
            Self::User(Principal::Admin { session, .. }) => Some(session.clone()),
            _ => None,
        }
    }

    fn device_id(&self) -> Option<String> {
        match self {
            Self::User(p) => p.device_id().map(str::to_owned),
            Self::Anonymous => None,
        }
    }

    /// 403 unless this socket may follow `event_id`. An anonymous viewer's event must have a public wall, which
    /// is checked in the same read as its log (the organiser may turn it off at any time).
    fn may_follow(&self, event_id: &str) -> Result<()> {
        match self {
            Self::User(p) => p.require_event(event_id),
            Self::Anonymous => Ok(()),
        }
    }

    fn is_anonymous(&self) -> bool {
        matches!(self, Self::Anonymous)
    }
}

#[derive(Debug, Default, Deserialize)]
struct WsQuery {
    token: Option<String>,
    /// The original client's name for the token parameter (its value may start with `Bearer `).
    #[serde(rename = "Authorization")]
    authorization: Option<String>,
    #[serde(rename = "eventId", alias = "event")]
    event_id: Option<String>,
    /// The original Live Wall client's marker (`?v=1`).
    v: Option<String>,
}

fn strip_bearer(v: &str) -> &str {
    let v = v.trim();
    v.strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))
        .unwrap_or(v)
        .trim()
}

/// The token from the `Sec-WebSocket-Protocol` pair `bearer, <token>`, if the client sent one.
fn protocol_token(parts: &Parts) -> Option<String> {
    let offered: Vec<&str> = parts
        .headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let at = offered
        .iter()
        .position(|p| p.eq_ignore_ascii_case("bearer"))?;
    offered
        .get(at + 1)
        .filter(|t| !t.is_empty())
        .map(|t| (*t).to_owned())
}

/// The token of an upgrade request and whether it came as a subprotocol (which must then be echoed).
fn token(parts: &Parts, q: &WsQuery) -> Result<(Option<String>, bool)> {
    if let Some(t) = crate::http::extract::bearer(&parts.headers)? {
        return Ok((Some(t.to_owned()), false));
    }
    if let Some(t) = q.token.as_deref().or(q.authorization.as_deref()) {
        let t = strip_bearer(t);
        if t.is_empty() {
            return Err(Error::Unauthorized("the token parameter is empty".into()));
        }
        return Ok((Some(t.to_owned()), false));
    }
    Ok((protocol_token(parts), true))
}

async fn upgrade(
    State(s): State<AppState>,
    Extension(limiter): Extension<Arc<ConnectLimiter>>,
    req: Request,
) -> Response {
    match accept(s, &limiter, req).await {
        Ok(r) => r,
        Err(e) => {
            let reason = match e {
                Error::RateLimited(_) => "rate",
                Error::Unauthorized(_) | Error::Forbidden(_) => "auth",
                _ => "other",
            };
            metrics::counter!("livewall_ws_refused_total", "reason" => reason).increment(1);
            let mut res = e.into_response();
            if reason == "rate" {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            res
        }
    }
}

/// Checks rate, token and upgrade headers, then hands the socket to its own task.
async fn accept(s: AppState, limiter: &ConnectLimiter, req: Request) -> Result<Response> {
    let (mut parts, _body) = req.into_parts();
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    let Query(q) = Query::<WsQuery>::try_from_uri(&parts.uri).map_err(|e| {
        Error::BadRequest(format!(
            "the query string could not be read: {}",
            e.body_text()
        ))
    })?;
    let (token, from_protocol) = token(&parts, &q)?;
    let who = match (token, q.event_id) {
        (Some(t), _) => Who::User(s.authenticate(&t).await?),
        (None, Some(event_id)) => {
            // Named at the upgrade (livewall's own wall page): refuse a wall that is not public right away.
            let id = s.config.event_named(Some(&event_id)).unwrap_or(event_id);
            let event_name = id.clone();
            let public =
                s.db.read(move |tx| match db::events::get(tx, &id) {
                    Ok(e) => Ok(e.settings.public_wall),
                    Err(Error::NotFound(_)) => Ok(false),
                    Err(e) => Err(e),
                })
                .await?;
            if !public {
                return Err(crate::http::extract::not_public(&event_name));
            }
            Who::Anonymous
        }
        (None, None) => Who::Anonymous,
    };
    let original_client = q.v.is_some();
    if s.shutdown.is_cancelled() {
        return Err(Error::Unavailable("the server is shutting down".into()));
    }
    // Counted only now that the socket would be accepted (see `limit`).
    let key =
        match (&who, peer) {
            (Who::User(p), _) => Some(limit::Key::Credential(match p {
                Principal::Admin { session, .. } => format!("admin:{session}"),
                Principal::Device { id, .. } => format!("device:{id}"),
            })),
            (Who::Anonymous, Some(ip)) => Some(limit::Key::Address(
                crate::http::extract::client_ip(&parts.headers, ip, &s.config.trusted_proxies),
            )),
            (Who::Anonymous, None) => None,
        };
    if let Some(key) = key
        && !limiter.allow(key)
    {
        return Err(Error::RateLimited(
            "too many new live connections; retry in a moment".into(),
        ));
    }
    let ws = WebSocketUpgrade::from_request_parts(&mut parts, &s)
        .await
        .map_err(|r| {
            Error::BadRequest(format!("this is the WebSocket endpoint: {}", r.body_text()))
        })?;
    let cfg = &s.config.ws;
    let mut ws = ws
        .read_buffer_size(cfg.buffer_bytes)
        .write_buffer_size(cfg.buffer_bytes)
        .max_message_size(cfg.max_message_bytes)
        .max_frame_size(cfg.max_message_bytes);
    if from_protocol {
        ws = ws.protocols(["bearer"]);
    }
    // Taken before answering, so a shutdown that starts now still waits for this socket.
    let track = s.hub.track();
    Ok(ws
        .on_failed_upgrade(|e| tracing::debug!(error = %e, "websocket upgrade failed"))
        .on_upgrade(move |socket| session::run(socket, s, who, original_client, track)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http;

    fn parts(headers: &[(&str, &str)], uri: &str) -> Parts {
        let mut b = http::Request::builder().uri(uri);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).expect("request").into_parts().0
    }

    #[test]
    fn tokens_are_found_in_every_accepted_place() {
        let q = |uri: &str| {
            Query::<WsQuery>::try_from_uri(&uri.parse().expect("uri"))
                .expect("query")
                .0
        };
        let p = parts(&[("authorization", "Bearer abc")], "/ws");
        assert_eq!(
            token(&p, &WsQuery::default()).expect("ok"),
            (Some("abc".into()), false)
        );
        let p = parts(&[], "/ws?token=t1");
        assert_eq!(
            token(&p, &q("/ws?token=t1")).expect("ok"),
            (Some("t1".into()), false)
        );
        let p = parts(&[], "/ws?Authorization=Bearer%20t2");
        assert_eq!(
            token(&p, &q("/ws?Authorization=Bearer%20t2")).expect("ok"),
            (Some("t2".into()), false)
        );
        let p = parts(&[("sec-websocket-protocol", "bearer, t3")], "/ws");
        assert_eq!(
            token(&p, &WsQuery::default()).expect("ok"),
            (Some("t3".into()), true)
        );
        let p = parts(&[("sec-websocket-protocol", "chat")], "/ws");
        assert_eq!(token(&p, &WsQuery::default()).expect("ok"), (None, true));
        let p = parts(&[("authorization", "Basic xyz")], "/ws");
        assert!(matches!(
            token(&p, &WsQuery::default()),
            Err(Error::Unauthorized(_))
        ));
    }
}
