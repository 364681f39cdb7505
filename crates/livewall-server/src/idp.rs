//! Attendee sign-in through an external identity provider: the original Live Wall's phone pages post connections
//! with the attendee's OpenID Connect ID token (Amazon Cognito there), so livewall verifies such tokens itself.
//!
//! Only RS256 is accepted; `iss`, `aud` and `exp` are required and checked, and the token must carry an `email`.
//! The provider's keys (JWKS) are fetched on first use and cached; a token signed with a key id not in the cache
//! fetches them again (key rotation), at most once per `min_refresh`, so forged key ids cannot make the server
//! flood the provider.

use crate::config::IdpConfig;
use crate::error::{Error, Result};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// How long one fetch of the key set may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// A verified attendee identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee {
    /// Lower-cased, as attendees are matched by e-mail case-insensitively.
    pub email: String,
}

#[derive(Debug, Deserialize)]
struct Claims {
    email: Option<String>,
    /// Cognito writes a boolean; some providers a string.
    #[serde(default)]
    email_verified: Option<serde_json::Value>,
    /// Cognito marks its ID tokens `id` and its access tokens `access`.
    #[serde(default)]
    token_use: Option<String>,
}

#[derive(Default)]
struct Keys {
    by_kid: HashMap<String, DecodingKey>,
    /// When the key set was last asked for (successfully or not).
    fetched_at: Option<Instant>,
    /// Why that fetch failed, if it did: until the next one, tokens with an unknown key get a 503, not a 401.
    failed: Option<String>,
}

/// Verifies ID tokens of one provider.
pub struct IdTokenVerifier {
    config: IdpConfig,
    http: reqwest::Client,
    keys: RwLock<Keys>,
    /// One fetch at a time; the others wait for it and use its result.
    fetching: tokio::sync::Mutex<()>,
}

impl IdTokenVerifier {
    /// A verifier for the configured provider; nothing is fetched until the first token arrives.
    pub fn new(config: IdpConfig) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .build()
            .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            config,
            http,
            keys: RwLock::default(),
            fetching: tokio::sync::Mutex::new(()),
        })
    }

    /// Checks `token` and answers who it names: 401 with the reason when it is not a valid ID token of the
    /// configured provider and audience, 503 when the provider's keys cannot be fetched.
    pub async fn verify(&self, token: &str) -> Result<Attendee> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| Error::Unauthorized("the bearer token is not a JSON Web Token".into()))?;
        if header.alg != Algorithm::RS256 {
            return Err(Error::Unauthorized(format!(
                "the ID token is signed with {:?}; only RS256 ID tokens of the attendee sign-in are accepted",
                header.alg
            )));
        }
        let kid = header.kid.ok_or_else(|| {
            Error::Unauthorized(
                "the ID token names no signing key (no \"kid\" in its header)".into(),
            )
        })?;
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&self.config.audience);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.leeway = 30;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|e| Error::Unauthorized(refusal(e.kind(), &self.config)))?;
        let claims = data.claims;
        if claims.token_use.as_deref().is_some_and(|u| u != "id") {
            return Err(Error::Unauthorized(
                "this is an access token; send the attendee's ID token".into(),
            ));
        }
        // The e-mail names the attendee, so only one the provider verified is trusted.
        let verified = match &claims.email_verified {
            Some(serde_json::Value::Bool(b)) => *b,
            Some(serde_json::Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        };
        if !verified {
            return Err(Error::Unauthorized(
                "the ID token does not say that its e-mail address is verified (\"email_verified\": true)".into(),
            ));
        }
        let email = claims
            .email
            .map(|e| e.trim().to_lowercase())
            .filter(|e| e.contains('@'))
            .ok_or_else(|| {
                Error::Unauthorized(
                    "the ID token has no \"email\" claim, so it does not say which attendee is calling"
                        .into(),
                )
            })?;
        Ok(Attendee { email })
    }

    fn cached(&self, kid: &str) -> Option<DecodingKey> {
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        keys.by_kid.get(kid).cloned()
    }

    async fn key(&self, kid: &str) -> Result<DecodingKey> {
        if let Some(k) = self.cached(kid) {
            return Ok(k);
        }
        let _one = self.fetching.lock().await;
        // Another request may have fetched the keys while this one waited.
        if let Some(k) = self.cached(kid) {
            return Ok(k);
        }
        let (last, failed) = {
            let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
            (keys.fetched_at, keys.failed.clone())
        };
        let unknown = || {
            Error::Unauthorized(format!(
                "the ID token is signed with a key ({kid:?}) that the identity provider does not publish"
            ))
        };
        if last.is_some_and(|t| t.elapsed() < self.config.min_refresh) {
            return Err(match failed {
                Some(why) => Error::Unavailable(why),
                None => unknown(),
            });
        }
        let fetched = self.fetch().await;
        let mut keys = self.keys.write().unwrap_or_else(|p| p.into_inner());
        keys.fetched_at = Some(Instant::now());
        match fetched {
            Ok(by_kid) => {
                keys.by_kid = by_kid;
                keys.failed = None;
            }
            Err(e) => {
                keys.failed = Some(e.to_string());
                return Err(e);
            }
        }
        tracing::info!(keys = keys.by_kid.len(), url = %self.config.jwks_url, "attendee sign-in keys fetched");
        keys.by_kid.get(kid).cloned().ok_or_else(unknown)
    }

    async fn fetch(&self) -> Result<HashMap<String, DecodingKey>> {
        let url = &self.config.jwks_url;
        let unavailable = |why: String| {
            tracing::warn!(%url, error = %why, "cannot fetch the attendee sign-in keys");
            Error::Unavailable(format!(
                "cannot fetch the identity provider's signing keys from {url}: {why}"
            ))
        };
        let res = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        if !res.status().is_success() {
            return Err(unavailable(format!("it answered {}", res.status())));
        }
        let set: JwkSet = res
            .json()
            .await
            .map_err(|e| unavailable(format!("not a JWK set: {e}")))?;
        let mut by_kid = HashMap::new();
        for jwk in &set.keys {
            let Some(kid) = jwk.common.key_id.clone() else {
                continue;
            };
            if jwk
                .common
                .public_key_use
                .as_ref()
                .is_some_and(|u| *u != PublicKeyUse::Signature)
            {
                continue;
            }
            match DecodingKey::from_jwk(jwk) {
                Ok(k) => {
                    by_kid.insert(kid, k);
                }
                Err(e) => {
                    tracing::warn!(%kid, error = %e, "skipping an unusable key of the JWK set")
                }
            }
        }
        Ok(by_kid)
    }
}

/// Why a token was refused, in words.
fn refusal(kind: &ErrorKind, config: &IdpConfig) -> String {
    match kind {
        ErrorKind::ExpiredSignature => "the ID token has expired: sign in again".into(),
        ErrorKind::ImmatureSignature => "the ID token is not valid yet (check the clocks)".into(),
        ErrorKind::InvalidIssuer => format!(
            "the ID token was not issued by the configured identity provider ({})",
            config.issuer
        ),
        ErrorKind::InvalidAudience => {
            "the ID token was issued for another application (its \"aud\" is not accepted here)"
                .into()
        }
        ErrorKind::InvalidSignature => "the ID token's signature does not verify".into(),
        ErrorKind::MissingRequiredClaim(c) => format!("the ID token has no {c:?} claim"),
        ErrorKind::InvalidAlgorithm => "the ID token's algorithm does not match its key".into(),
        _ => "the ID token cannot be read".into(),
    }
}
