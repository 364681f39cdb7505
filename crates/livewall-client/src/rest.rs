//! The REST API.

use crate::error::{ClientError, Result};
use livewall_protocol::{
    ConnectionOutcome, CreateConnection, ErrorBody, Event, LoginRequest, LoginResponse, Person,
    Snapshot,
};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// A client of one server, with an optional bearer token. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

/// The answer to a connection post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    /// 201 when the pair is new, 200 when they had already met.
    pub status: u16,
    pub outcome: ConnectionOutcome,
}

impl Client {
    /// A client of `base` (`http://host:port`, no trailing path).
    pub fn new(base: &str, token: Option<String>) -> Result<Self> {
        crate::init_tls();
        let base = base.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ClientError::Url(base));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .build()?;
        Ok(Self { http, base, token })
    }

    /// The server's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The bearer token in use.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The same client with another token.
    pub fn with_token(&self, token: impl Into<String>) -> Self {
        Self {
            token: Some(token.into()),
            ..self.clone()
        }
    }

    async fn send<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        idempotency_key: Option<&str>,
    ) -> Result<(StatusCode, String)> {
        let mut rb = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            rb = rb.bearer_auth(t);
        }
        if let Some(k) = idempotency_key {
            rb = rb.header("Idempotency-Key", k);
        }
        if let Some(b) = body {
            rb = rb.json(b);
        }
        let res = rb.send().await?;
        let status = res.status();
        let text = res.text().await?;
        if status.is_success() {
            return Ok((status, text));
        }
        let (code, message) = match serde_json::from_str::<ErrorBody>(&text) {
            Ok(e) => (Some(e.error.code), e.error.message),
            Err(_) => (
                None,
                if text.is_empty() {
                    status.to_string()
                } else {
                    text
                },
            ),
        };
        Err(ClientError::Server {
            status: status.as_u16(),
            code,
            message,
        })
    }

    async fn json<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T> {
        let (_, text) = self.send(method, path, body, None).await?;
        Ok(serde_json::from_str(&text)?)
    }

    /// Logs an organiser in and returns a client carrying the admin token.
    pub async fn login(&self, username: &str, password: &str) -> Result<(Self, LoginResponse)> {
        let req = LoginRequest {
            username: username.to_owned(),
            password: password.to_owned(),
        };
        let res: LoginResponse = self.json(Method::POST, "/api/login", Some(&req)).await?;
        Ok((self.with_token(res.token.clone()), res))
    }

    /// One event.
    pub async fn event(&self, event: &str) -> Result<Event> {
        self.json::<_, ()>(Method::GET, &format!("/api/events/{event}"), None)
            .await
    }

    /// The wall snapshot of an event.
    pub async fn wall(&self, event: &str) -> Result<Snapshot> {
        self.json::<_, ()>(Method::GET, &format!("/api/events/{event}/wall"), None)
            .await
    }

    /// A person by e-mail, profile id or badge UID (what a station shows after the first tap).
    pub async fn person(&self, event: &str, key: &str) -> Result<Person> {
        self.json::<_, ()>(
            Method::GET,
            &format!("/api/events/{event}/people/{key}"),
            None,
        )
        .await
    }

    /// Posts a connection; with a key, a retry gets the first answer.
    pub async fn post_connection(
        &self,
        event: &str,
        req: &CreateConnection,
        idempotency_key: Option<&str>,
    ) -> Result<Posted> {
        let (status, text) = self
            .send(
                Method::POST,
                &format!("/api/events/{event}/connections"),
                Some(req),
                idempotency_key,
            )
            .await?;
        Ok(Posted {
            status: status.as_u16(),
            outcome: serde_json::from_str(&text)?,
        })
    }

    /// Any JSON call, for what has no typed method yet: answers the parsed body.
    pub async fn call<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: &str,
        path: &str,
        body: Option<&B>,
    ) -> Result<T> {
        let m = Method::from_bytes(method.as_bytes())
            .map_err(|_| ClientError::Url(method.to_owned()))?;
        self.json(m, path, body).await
    }

    /// The WebSocket URL of this server for following `event`: with the token as a query parameter, or, without
    /// one, naming the (public) event the anonymous socket may follow.
    pub fn ws_url(&self, event: &str) -> String {
        let base = self.base.replacen("http", "ws", 1);
        match &self.token {
            Some(t) => format!("{base}/ws?token={t}"),
            None => format!("{base}/ws?eventId={event}"),
        }
    }
}
