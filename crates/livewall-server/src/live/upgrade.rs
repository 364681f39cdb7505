//! The upgrade of `GET /ws` (and of `/`, for the original client): rate, token and headers checked, then the
//! socket handed to its own task in [`super::session`].

use super::connect_limit::{self, ConnectLimiter};
use super::peer::Who;
use super::session;
use crate::auth::Principal;
use crate::db;
use crate::error::{Error, Result};
use crate::request;
use crate::state::AppState;
use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;

/// The live socket's entry: the connection-rate limiter shared by `/ws` and the original client's `/`.
#[derive(Clone)]
pub(crate) struct Upgrader {
    limiter: Arc<ConnectLimiter>,
}

impl Upgrader {
    pub(crate) fn new(state: &AppState) -> Self {
        let cfg = &state.config.ws;
        Self {
            limiter: Arc::new(ConnectLimiter::new(cfg.connect_rate, cfg.connect_burst)),
        }
    }

    /// The `/ws` route.
    pub(crate) fn router(&self) -> Router<AppState> {
        let this = self.clone();
        Router::new().route(
            "/ws",
            get(move |State(s): State<AppState>, req: Request| async move {
                this.upgrade(s, req).await
            }),
        )
    }

    /// Answers an upgrade request (from `/ws`, or `/` when [`is_upgrade`] says it asks for one).
    pub(crate) async fn upgrade(&self, s: AppState, req: Request) -> Response {
        match accept(s, &self.limiter, req).await {
            Ok(r) => r,
            Err(e) => refused(e),
        }
    }
}

/// Whether a request asks for a WebSocket.
pub(crate) fn is_upgrade(req: &Request) -> bool {
    req.headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
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

/// The JSON refusal of an upgrade, counted by reason.
fn refused(e: Error) -> Response {
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

/// The token of an upgrade request (see [`request::socket_token`]) from its headers and query.
fn token(parts: &Parts, q: &WsQuery) -> Result<(Option<String>, bool)> {
    request::socket_token(parts, q.token.as_deref().or(q.authorization.as_deref()))
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
                s.db.read(move |tx| db::events::public_wall(tx, &id))
                    .await?;
            if !public {
                return Err(request::not_public(&event_name));
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
    let key = match (&who, peer) {
        (Who::User(p), _) => Some(connect_limit::Key::Credential(match p {
            Principal::Admin { session, .. } => format!("admin:{session}"),
            Principal::Device { id, .. } => format!("device:{id}"),
        })),
        (Who::Anonymous, Some(ip)) => Some(connect_limit::Key::Address(request::client_ip(
            &parts.headers,
            ip,
            &s.config.trusted_proxies,
        ))),
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
        .read_buffer_size(cfg.read_buffer_bytes)
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
