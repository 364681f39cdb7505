//! A real HTTP server on loopback that receives webhooks: it records every request and answers from a script
//! (a status, or no answer at all until the sender gives up), then 204 once the script is used up.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One received request.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: String,
    /// The status it was answered with (`None`: it got no answer).
    pub answered: Option<u16>,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// What to answer to the next request.
#[derive(Debug, Clone, Copy)]
pub enum Reply {
    Status(u16),
    /// Hold the request for this long before answering 204 (longer than the sender's timeout: a timeout).
    Hang(Duration),
}

#[derive(Default)]
struct Inner {
    script: VecDeque<Reply>,
    received: Vec<Received>,
}

/// The receiver; dropping it stops the server.
pub struct Receiver {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let reply = inner.lock().unwrap().script.pop_front();
    let body = String::from_utf8_lossy(&body).into_owned();
    let mut rec = Received {
        headers,
        body,
        answered: None,
    };
    let status = match reply {
        Some(Reply::Hang(d)) => {
            inner.lock().unwrap().received.push(rec);
            tokio::time::sleep(d).await;
            return StatusCode::NO_CONTENT;
        }
        Some(Reply::Status(s)) => StatusCode::from_u16(s).unwrap(),
        None => StatusCode::NO_CONTENT,
    };
    rec.answered = Some(status.as_u16());
    inner.lock().unwrap().received.push(rec);
    status
}

impl Receiver {
    /// Starts on a free loopback port, answering from `script` first.
    pub async fn start(script: &[Reply]) -> Self {
        let inner = Arc::new(Mutex::new(Inner {
            script: script.iter().copied().collect(),
            received: Vec::new(),
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(inner.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: format!("http://{addr}/hook"),
            inner,
            task,
        }
    }

    /// Queues more answers.
    pub fn then(&self, replies: &[Reply]) {
        self.inner.lock().unwrap().script.extend(replies);
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// The requests answered 2xx, in order.
    pub fn accepted(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.answered.is_some_and(|s| (200..300).contains(&s)))
            .collect()
    }
}
