//! A stand-in for the attendees' identity provider (Amazon Cognito for the original Live Wall): a real HTTP server
//! on loopback publishing a JWK set, and RS256 ID tokens signed with the matching private keys.
//!
//! The two key pairs are fixed test fixtures (`fixtures/idp-key-N.der`, PKCS#1, and their public JWKs), made once
//! with `openssl genrsa 2048`; they sign nothing outside tests.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const KEYS_DER: [&[u8]; 2] = [
    include_bytes!("../fixtures/idp-key-1.der"),
    include_bytes!("../fixtures/idp-key-2.der"),
];
const KEYS_JWK: [&str; 2] = [
    include_str!("../fixtures/idp-key-1.jwk.json"),
    include_str!("../fixtures/idp-key-2.jwk.json"),
];

/// The audience (app client id) tokens are issued for.
pub const AUDIENCE: &str = "livewall-test-client";

#[derive(Default)]
struct Published {
    /// Indexes (0 or 1) of the keys in the JWK set.
    keys: Mutex<Vec<usize>>,
    fetches: AtomicUsize,
}

/// A running identity provider.
pub struct TestIdentityProvider {
    /// `http://127.0.0.1:<port>`, also the tokens' issuer.
    pub issuer: String,
    published: Arc<Published>,
    task: tokio::task::JoinHandle<()>,
}

async fn jwks(State(p): State<Arc<Published>>) -> axum::Json<Value> {
    p.fetches.fetch_add(1, Ordering::SeqCst);
    let keys: Vec<Value> = p
        .keys
        .lock()
        .unwrap()
        .iter()
        .map(|&i| serde_json::from_str(KEYS_JWK[i]).unwrap())
        .collect();
    axum::Json(json!({ "keys": keys }))
}

impl TestIdentityProvider {
    /// Starts it, publishing key 0 only.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let published = Arc::new(Published {
            keys: Mutex::new(vec![0]),
            fetches: AtomicUsize::new(0),
        });
        let app = Router::new()
            .route("/.well-known/jwks.json", get(jwks))
            .with_state(published.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            issuer: format!("http://{addr}"),
            published,
            task,
        }
    }

    /// Where the key set is.
    pub fn jwks_url(&self) -> String {
        format!("{}/.well-known/jwks.json", self.issuer)
    }

    /// The `serve` flags that make a livewall server trust this provider (with no wait between key refetches).
    pub fn server_args(&self) -> Vec<String> {
        vec![
            "--attendee-issuer".into(),
            self.issuer.clone(),
            "--attendee-jwks-url".into(),
            self.jwks_url(),
            "--attendee-audience".into(),
            AUDIENCE.into(),
            "--attendee-jwks-min-refresh-ms".into(),
            "0".into(),
        ]
    }

    /// Publishes exactly these keys (0 and/or 1) from now on, as a key rotation does.
    pub fn publish(&self, keys: &[usize]) {
        *self.published.keys.lock().unwrap() = keys.to_vec();
    }

    /// How many times the key set was fetched.
    pub fn fetches(&self) -> usize {
        self.published.fetches.load(Ordering::SeqCst)
    }

    /// The claims of a valid ID token for `email`, valid for an hour; change them to make a bad one.
    pub fn claims(&self, email: &str) -> Value {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        json!({
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": format!("sub-{email}"),
            "email": email,
            "email_verified": true,
            "token_use": "id",
            "iat": now,
            "exp": now + 3600,
        })
    }

    /// `claims` signed RS256 with key `key` (0 or 1), naming it by its key id.
    pub fn sign(&self, key: usize, claims: &Value) -> String {
        self.sign_naming(key, key, claims)
    }

    /// `claims` signed with key `key` but naming key `named` in the header (a forged signature when they differ).
    pub fn sign_naming(&self, key: usize, named: usize, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(format!("test-key-{}", named + 1));
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_rsa_der(KEYS_DER[key])).unwrap()
    }

    /// A valid ID token for `email`, signed with key 0.
    pub fn token(&self, email: &str) -> String {
        self.sign(0, &self.claims(email))
    }
}

impl Drop for TestIdentityProvider {
    fn drop(&mut self) {
        self.task.abort();
    }
}
