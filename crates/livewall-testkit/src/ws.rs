//! A WebSocket client for `/ws` tests: JSON frames in and out, with timeouts so a missing frame fails the test
//! instead of hanging it.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub use tokio_tungstenite;

/// How long a test waits for one expected frame.
pub const FRAME_TIMEOUT: Duration = Duration::from_secs(15);

/// `ws://host:port/ws` for `http://host:port`.
pub fn ws_url(base: &str) -> String {
    format!("{}/ws", base.replacen("http://", "ws://", 1))
}

/// An upgrade request for `/ws` with `Authorization: Bearer <token>` when a token is given.
pub fn request(base: &str, token: Option<&str>) -> tungstenite::handshake::client::Request {
    let mut req = ws_url(base).into_client_request().unwrap();
    if let Some(t) = token {
        req.headers_mut().insert(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {t}")).unwrap(),
        );
    }
    req
}

/// Opens `/ws` with `req`, returning the handshake error (for example an HTTP 401) instead of panicking.
pub async fn try_connect(
    req: impl IntoClientRequest + Unpin,
) -> Result<WsClient, tungstenite::Error> {
    let (ws, _res) = tokio_tungstenite::connect_async(req).await?;
    Ok(WsClient { ws })
}

/// Opens `/ws` with a bearer token in the header; panics when refused.
pub async fn connect(base: &str, token: Option<&str>) -> WsClient {
    try_connect(request(base, token))
        .await
        .unwrap_or_else(|e| panic!("cannot open /ws: {e}"))
}

/// The body and status of a refused upgrade.
pub fn refusal(e: &tungstenite::Error) -> (u16, Value) {
    match e {
        tungstenite::Error::Http(res) => {
            let body = res
                .body()
                .as_deref()
                .map(serde_json::from_slice)
                .and_then(Result::ok)
                .unwrap_or(Value::Null);
            (res.status().as_u16(), body)
        }
        other => panic!("expected an HTTP refusal, got {other}"),
    }
}

/// A test's WebSocket connection.
pub struct WsClient<S = MaybeTlsStream<TcpStream>> {
    pub ws: WebSocketStream<S>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> WsClient<S> {
    /// Wraps a stream that already completed the handshake (for sockets with special options).
    pub fn from_stream(ws: WebSocketStream<S>) -> Self {
        Self { ws }
    }

    /// Sends a JSON text frame.
    pub async fn send_json(&mut self, v: &Value) {
        self.send(Message::text(v.to_string())).await;
    }

    /// Sends any frame.
    pub async fn send(&mut self, m: Message) {
        self.ws
            .send(m)
            .await
            .unwrap_or_else(|e| panic!("cannot send: {e}"));
    }

    /// The next frame that is not a ping or pong, or `None` when the stream ended or errored.
    pub async fn next_message(&mut self) -> Option<Message> {
        loop {
            let m = tokio::time::timeout(FRAME_TIMEOUT, self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("no frame within {FRAME_TIMEOUT:?}"));
            match m {
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(m)) => return Some(m),
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// The next JSON text frame; panics on a close, a non-JSON frame or a timeout.
    pub async fn recv_json(&mut self) -> Value {
        match self.next_message().await {
            Some(Message::Text(t)) => serde_json::from_str(t.as_str())
                .unwrap_or_else(|e| panic!("not JSON ({e}): {}", t.as_str())),
            other => panic!("expected a JSON text frame, got {other:?}"),
        }
    }

    /// The next frame of `type` `ty`, skipping others (presence changes arrive whenever they happen).
    pub async fn recv_type(&mut self, ty: &str) -> Value {
        loop {
            let v = self.recv_json().await;
            if v["type"] == ty {
                return v;
            }
            if v["type"] == "error" && ty != "error" {
                panic!("expected a {ty:?} frame, got an error: {v}");
            }
        }
    }

    /// The next `n` log entries (frames with a `seq`), skipping presence.
    pub async fn entries(&mut self, n: usize) -> Vec<Value> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let v = self.recv_json().await;
            if v.get("seq").is_some() && v["type"] != "subscribed" {
                out.push(v);
            } else if v["type"] == "error" {
                panic!("error frame while waiting for entries: {v}");
            }
        }
        out
    }

    /// Subscribes to `event` (resuming from `since` = (epoch, seq) when given) and returns the `subscribed` frame.
    pub async fn subscribe(&mut self, event: &str, since: Option<(&str, u64)>) -> Value {
        let mut msg = json!({"action": "subscribe", "eventId": event});
        if let Some((epoch, seq)) = since {
            msg["since"] = json!({"epoch": epoch, "seq": seq});
        }
        self.send_json(&msg).await;
        self.recv_type("subscribed").await
    }

    /// Sends the `ping` action and waits for `pong` (proves the socket is still served).
    pub async fn ping_pong(&mut self) {
        self.send_json(&json!({"action": "ping"})).await;
        self.recv_type("pong").await;
    }

    /// Reads until the server's close frame and returns its code; `None` when the connection ended without one.
    pub async fn close_code(&mut self) -> Option<u16> {
        loop {
            match self.next_message().await {
                Some(Message::Close(frame)) => return frame.map(|f: CloseFrame| u16::from(f.code)),
                Some(_) => {}
                None => return None,
            }
        }
    }
}
