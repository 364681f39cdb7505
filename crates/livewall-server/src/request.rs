//! What every request carries, read the same way by the REST API (`http`) and the live socket
//! (`live`): its bearer token and the caller it stands for, and the client's address.

use crate::auth::Principal;
use crate::error::Error;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

/// The bearer token of a request, if it has one: `Authorization: Bearer ...`.
pub fn bearer(headers: &axum::http::HeaderMap) -> Result<Option<&str>, Error> {
    let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| Error::Unauthorized("the Authorization header is not readable text".into()))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| {
            Error::Unauthorized("the Authorization header must be 'Bearer <token>'".into())
        })?;
    Ok(Some(token.trim()))
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let MaybePrincipal(who) = MaybePrincipal::from_request_parts(parts, state).await?;
        who.ok_or_else(|| {
            Error::Unauthorized(
                "this needs a bearer token: send Authorization: Bearer <token>".into(),
            )
        })
    }
}

/// An organiser: a valid admin token, refused before anything else of the request is read (401 without a token,
/// 403 with a device's).
#[derive(Debug, Clone)]
pub struct Admin(pub Principal);

impl FromRequestParts<AppState> for Admin {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let p = Principal::from_request_parts(parts, state).await?;
        p.require_admin()?;
        Ok(Self(p))
    }
}

/// A caller that may be anonymous (public walls). A token that is present but bad is still refused with 401.
#[derive(Debug, Clone)]
pub struct MaybePrincipal(pub Option<Principal>);

impl FromRequestParts<AppState> for MaybePrincipal {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match bearer(&parts.headers)? {
            Some(token) => Ok(Self(Some(state.authenticate(token).await?))),
            None => Ok(Self(None)),
        }
    }
}

impl MaybePrincipal {
    /// May this caller read the event's wall? Anyone may when the organiser made the wall public.
    pub fn require_read(&self, event_id: &str, public: bool) -> Result<(), Error> {
        match &self.0 {
            Some(p) => p.require_event(event_id),
            None if public => Ok(()),
            None => Err(not_public(event_id)),
        }
    }

    /// Turns "no such event" into the same 401 a private event answers when the caller has no token, so an
    /// anonymous caller cannot tell which private events exist.
    pub fn hide_missing<T>(&self, event_id: &str, r: Result<T, Error>) -> Result<T, Error> {
        match (r, &self.0) {
            (Err(Error::NotFound(_)), None) => Err(not_public(event_id)),
            (r, _) => r,
        }
    }
}

/// The anonymous refusal of a wall that is private or does not exist (one answer for both).
pub fn not_public(event_id: &str) -> Error {
    Error::Unauthorized(format!(
        "there is no public wall {event_id:?} (it does not exist, or it needs a token): send Authorization: Bearer <token>"
    ))
}

/// The client's address: the TCP peer, or, when the peer is one of `--trusted-proxies`, the nearest address in
/// `X-Forwarded-For` that is not itself a trusted proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub std::net::IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        Ok(Self(client_ip(
            &parts.headers,
            peer,
            &state.config.trusted_proxies,
        )))
    }
}

/// See [`ClientIp`].
pub fn client_ip(
    headers: &axum::http::HeaderMap,
    peer: std::net::IpAddr,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|a| !trusted.contains(a))
        .unwrap_or(peer)
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

/// The token of a WebSocket upgrade: the `Authorization` header, else a query parameter (`query`: `?token=`, or
/// the original client's `?Authorization=Bearer ...`), else the `Sec-WebSocket-Protocol` pair `bearer, <token>`.
/// Also says whether it came as a subprotocol (which must then be echoed).
pub fn socket_token(parts: &Parts, query: Option<&str>) -> Result<(Option<String>, bool), Error> {
    if let Some(t) = bearer(&parts.headers)? {
        return Ok((Some(t.to_owned()), false));
    }
    if let Some(t) = query {
        let t = strip_bearer(t);
        if t.is_empty() {
            return Err(Error::Unauthorized("the token parameter is empty".into()));
        }
        return Ok((Some(t.to_owned()), false));
    }
    Ok((protocol_token(parts), true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "203.0.113.9, 10.0.0.2".parse().expect("header"),
        );
        let proxy: std::net::IpAddr = "10.0.0.1".parse().expect("ip");
        let other: std::net::IpAddr = "198.51.100.4".parse().expect("ip");
        let trusted = [
            "10.0.0.1".parse().expect("ip"),
            "10.0.0.2".parse().expect("ip"),
        ];
        assert_eq!(
            client_ip(&h, other, &trusted),
            other,
            "an untrusted peer's header is ignored"
        );
        assert_eq!(
            client_ip(&h, proxy, &trusted),
            "203.0.113.9".parse::<std::net::IpAddr>().expect("ip")
        );
        assert_eq!(
            client_ip(&h, proxy, &[]),
            proxy,
            "nothing trusted by default"
        );
        assert_eq!(
            client_ip(&axum::http::HeaderMap::new(), proxy, &trusted),
            proxy
        );
    }
}
