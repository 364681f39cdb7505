//! Who is calling: JWT bearer tokens for admins (short-lived, from a password login) and for devices
//! (long-lived, bound to one event and role, revocable at once).
//!
//! Device tokens are derived from the device row, so an organiser can show a token again; revocation is checked
//! against an in-memory table of active devices, kept in step with the database by the device endpoints.

use crate::error::{Error, Result};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use livewall_protocol::{Device, DeviceRole, Role};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;
use std::sync::RwLock;

/// How long an admin login lasts.
pub const ADMIN_TOKEN_TTL_MS: i64 = 12 * 60 * 60 * 1000;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    evt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    iat: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exp: Option<i64>,
    /// The server-side session of an admin login (revocable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sid: Option<String>,
}

/// The shortest password an organiser account may have.
pub const MIN_PASSWORD_LEN: usize = 10;

/// Refuses a password shorter than [`MIN_PASSWORD_LEN`] characters.
pub fn check_password_strength(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(Error::validation(format!(
            "the password must be at least {MIN_PASSWORD_LEN} characters"
        )));
    }
    Ok(())
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Admin {
        id: String,
        username: String,
        /// The login session, checked against the database on every use.
        session: String,
        /// When the token expires (ms).
        expires_at: i64,
    },
    Device {
        id: String,
        role: DeviceRole,
        event_id: String,
    },
}

impl Principal {
    /// The caller's role.
    pub fn role(&self) -> Role {
        match self {
            Self::Admin { .. } => Role::Admin,
            Self::Device { role, .. } => (*role).into(),
        }
    }

    /// 403 unless an admin.
    pub fn require_admin(&self) -> Result<()> {
        match self {
            Self::Admin { .. } => Ok(()),
            Self::Device { role, .. } => Err(Error::Forbidden(format!(
                "this needs an admin token; a {} token cannot do it",
                role_name((*role).into())
            ))),
        }
    }

    /// 403 unless an admin or a device of this event (any role).
    pub fn require_event(&self, event_id: &str) -> Result<()> {
        match self {
            Self::Admin { .. } => Ok(()),
            Self::Device { event_id: own, .. } if own == event_id => Ok(()),
            Self::Device { event_id: own, .. } => Err(Error::Forbidden(format!(
                "this token is for event {own:?}, not {event_id:?}"
            ))),
        }
    }

    /// 403 unless an admin or a station of this event.
    pub fn require_station(&self, event_id: &str) -> Result<()> {
        self.require_event(event_id)?;
        match self {
            Self::Device {
                role: DeviceRole::Kiosk,
                ..
            } => Err(Error::Forbidden(
                "a kiosk token can only read the wall; posting connections needs a station token"
                    .into(),
            )),
            _ => Ok(()),
        }
    }

    /// The device id, when a device calls.
    pub fn device_id(&self) -> Option<&str> {
        match self {
            Self::Device { id, .. } => Some(id),
            Self::Admin { .. } => None,
        }
    }
}

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Admin => "admin",
        Role::Station => "station",
        Role::Kiosk => "kiosk",
    }
}

struct Grant {
    role: DeviceRole,
    event_id: String,
}

/// Signs and checks tokens.
pub struct Auth {
    /// Key of badge links, derived from the signing secret.
    badge_links: Vec<u8>,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    devices: RwLock<HashMap<String, Grant>>,
}

impl Auth {
    /// Keys from a shared secret (HS256).
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        // Device tokens have no expiry (they are revoked instead); admin tokens carry `exp`, which is checked.
        validation.required_spec_claims.clear();
        validation.leeway = 30;
        Self {
            badge_links: hmac_sha256(secret, b"livewall badge links v1").to_vec(),
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            devices: RwLock::new(HashMap::new()),
        }
    }

    fn sign(&self, claims: &Claims) -> Result<String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| Error::Internal(format!("cannot sign token: {e}")))
    }

    /// A token for the admin login session `session`, expiring at `exp_ms`.
    pub fn admin_token(
        &self,
        id: &str,
        username: &str,
        session: &str,
        now_ms: i64,
        exp_ms: i64,
    ) -> Result<String> {
        self.sign(&Claims {
            sub: id.to_owned(),
            role: Role::Admin,
            evt: None,
            name: Some(username.to_owned()),
            iat: now_ms / 1000,
            exp: Some(exp_ms / 1000),
            sid: Some(session.to_owned()),
        })
    }

    /// The token of a device: the same every time it is asked for.
    pub fn device_token(&self, d: &Device) -> Result<String> {
        self.sign(&Claims {
            sub: d.id.clone(),
            role: d.role.into(),
            evt: Some(d.event_id.clone()),
            name: None,
            iat: d.created_at / 1000,
            exp: None,
            sid: None,
        })
    }

    /// The key in a badge's link (`/p/{id}?k=<key>`): it proves that whoever opens the link has held that badge
    /// (or was given its link), which an e-mail address alone does not. Stable, so printed badges keep working.
    pub fn badge_key(&self, profile_id: &str) -> String {
        hex::encode(&hmac_sha256(&self.badge_links, profile_id.as_bytes())[..12])
    }

    /// A stable pseudonym for a person who has not agreed to be shared (`anon-` and 16 hex digits): the same in
    /// every export and webhook of the event, so counts and pairs stay right, but not the profile id, which would
    /// let a receiver look the person up.
    pub fn pseudonym(&self, event_id: &str, profile_id: &str) -> String {
        let msg = format!("pseudonym\0{event_id}\0{profile_id}");
        format!(
            "anon-{}",
            hex::encode(&hmac_sha256(&self.badge_links, msg.as_bytes())[..8])
        )
    }

    /// Whether `key` is the badge key of `profile_id`.
    pub fn badge_key_matches(&self, profile_id: &str, key: &str) -> bool {
        same_secret(&self.badge_key(profile_id), key.trim())
    }

    /// Lets a device's token in (at start-up and when minted).
    pub fn grant(&self, d: &Device) {
        if d.revoked_at.is_some() {
            return;
        }
        if let Ok(mut devices) = self.devices.write() {
            devices.insert(
                d.id.clone(),
                Grant {
                    role: d.role,
                    event_id: d.event_id.clone(),
                },
            );
        }
    }

    /// Refuses a device's token from now on.
    pub fn revoke(&self, device_id: &str) {
        if let Ok(mut devices) = self.devices.write() {
            devices.remove(device_id);
        }
    }

    /// Refuses the tokens of every device of an event (the event was deleted).
    pub fn revoke_event(&self, event_id: &str) {
        if let Ok(mut devices) = self.devices.write() {
            devices.retain(|_, g| g.event_id != event_id);
        }
    }

    /// Checks a bearer token: 401 when it is malformed, badly signed, expired or revoked.
    pub fn verify(&self, token: &str) -> Result<Principal> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                Error::Unauthorized(match e.kind() {
                    ErrorKind::ExpiredSignature => "the token has expired; log in again".to_owned(),
                    ErrorKind::InvalidSignature => {
                        "the token's signature is not valid for this server".to_owned()
                    }
                    _ => "the bearer token is not a valid livewall token".to_owned(),
                })
            })?;
        let c = data.claims;
        match c.role {
            Role::Admin => {
                // Admin tokens must expire and name their session; older ones are not accepted.
                let (Some(exp), Some(session)) = (c.exp, c.sid) else {
                    return Err(Error::Unauthorized(
                        "this admin token has no expiry or session: log in again".into(),
                    ));
                };
                Ok(Principal::Admin {
                    id: c.sub,
                    username: c.name.unwrap_or_default(),
                    session,
                    expires_at: exp.saturating_mul(1000),
                })
            }
            Role::Station | Role::Kiosk => {
                let devices = self
                    .devices
                    .read()
                    .map_err(|_| Error::Internal("device table lock poisoned".into()))?;
                let grant = devices
                    .get(&c.sub)
                    .filter(|g| Some(&g.event_id) == c.evt.as_ref())
                    .ok_or_else(|| {
                        Error::Unauthorized("this device token has been revoked".into())
                    })?;
                Ok(Principal::Device {
                    id: c.sub,
                    role: grant.role,
                    event_id: grant.event_id.clone(),
                })
            }
        }
    }
}

pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    use hmac::Mac;
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// An argon2id hash of a password (slow on purpose: call from a blocking thread).
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .map_err(|e| Error::Internal(format!("cannot make salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("cannot hash password: {e}")))
}

/// A real hash of a throw-away password, so a login for an unknown user costs as much as a real check.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("livewall-dummy-password").unwrap_or_default())
}

/// Checks passwords against argon2 hashes reusing one block of working memory (19 MiB for the default cost): the
/// allocator would otherwise keep a fresh block per check on some systems (large aligned allocations fragment), and
/// memory grew with every failed login.
pub struct PasswordChecker {
    memory: Vec<argon2::Block>,
}

impl Default for PasswordChecker {
    fn default() -> Self {
        Self::new()
    }
}

impl PasswordChecker {
    /// A checker; its memory is taken at the first check, for the cost the hash asks for, and kept.
    pub fn new() -> Self {
        Self { memory: Vec::new() }
    }

    /// True when `password` matches the PHC string `hash` (slow on purpose: call from a blocking thread).
    pub fn verify(&mut self, password: &str, hash: &str) -> bool {
        let Ok(h) = PasswordHash::new(hash) else {
            return false;
        };
        let Ok(algorithm) = argon2::Algorithm::try_from(h.algorithm) else {
            return false;
        };
        let version = h
            .version
            .and_then(|v| argon2::Version::try_from(v).ok())
            .unwrap_or_default();
        let Ok(params) = argon2::Params::try_from(&h) else {
            return false;
        };
        let (Some(salt), Some(expected)) = (h.salt, h.hash) else {
            return false;
        };
        let mut salt_buf = [0u8; 64];
        let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
            return false;
        };
        let blocks = params.block_count();
        if self.memory.len() < blocks {
            self.memory.resize(blocks, argon2::Block::default());
        }
        let mut out = vec![0u8; expected.len()];
        let ok = Argon2::new(algorithm, version, params)
            .hash_password_into_with_memory(
                password.as_bytes(),
                salt,
                &mut out,
                &mut self.memory[..blocks],
            )
            .is_ok();
        let (a, b) = (out.as_slice(), expected.as_bytes());
        ok && a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// True when `password` matches `hash` (slow on purpose: call from a blocking thread).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Reads the token-signing secret stored beside the database, creating it (mode 0600) on first start.
pub fn load_or_create_secret(path: &Path) -> Result<Vec<u8>> {
    use std::io::Write;
    match std::fs::read_to_string(path) {
        Ok(s) if s.trim().len() >= 32 => return Ok(s.trim().as_bytes().to_vec()),
        Ok(_) => {
            return Err(Error::Internal(format!(
                "the secret file {} is too short (it needs at least 32 characters)",
                path.display()
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(Error::Internal(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    }
    let secret = hex::encode(rand::random::<[u8; 32]>());
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .map_err(|e| Error::Internal(format!("cannot create {}: {e}", path.display())))?;
    f.write_all(secret.as_bytes())
        .map_err(|e| Error::Internal(format!("cannot write {}: {e}", path.display())))?;
    tracing::info!(path = %path.display(), "generated a new token-signing secret");
    Ok(secret.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(role: DeviceRole) -> Device {
        Device {
            id: "dev1".into(),
            event_id: "ev".into(),
            name: "Hall A".into(),
            role,
            created_at: 1_700_000_000_000,
            revoked_at: None,
        }
    }

    #[test]
    fn device_tokens_are_stable_and_revocable() {
        let auth = Auth::new(b"0123456789abcdef0123456789abcdef");
        let d = device(DeviceRole::Station);
        let t1 = auth.device_token(&d).expect("sign");
        assert_eq!(t1, auth.device_token(&d).expect("sign"));
        assert!(
            matches!(auth.verify(&t1), Err(Error::Unauthorized(_))),
            "not granted yet"
        );
        auth.grant(&d);
        assert_eq!(
            auth.verify(&t1).expect("valid"),
            Principal::Device {
                id: "dev1".into(),
                role: DeviceRole::Station,
                event_id: "ev".into()
            }
        );
        auth.revoke("dev1");
        assert!(matches!(auth.verify(&t1), Err(Error::Unauthorized(_))));
    }

    #[test]
    fn foreign_and_expired_tokens_are_refused() {
        let a = Auth::new(b"0123456789abcdef0123456789abcdef");
        let b = Auth::new(b"fedcba9876543210fedcba9876543210");
        let t = a
            .admin_token("adm", "root", "s1", 1_000_000, 2_000_000)
            .expect("sign");
        assert!(matches!(b.verify(&t), Err(Error::Unauthorized(_))));
        assert!(
            matches!(a.verify(&t), Err(Error::Unauthorized(_))),
            "issued in 1970, long expired"
        );
        let now = crate::ids::now_ms();
        let t = a
            .admin_token("adm", "root", "s1", now, now + ADMIN_TOKEN_TTL_MS)
            .expect("sign");
        assert!(matches!(a.verify(&t), Ok(Principal::Admin { .. })));
        let no_exp = a
            .sign(&Claims {
                sub: "adm".into(),
                role: Role::Admin,
                evt: None,
                name: None,
                iat: now / 1000,
                exp: None,
                sid: Some("s1".into()),
            })
            .expect("sign");
        assert!(
            matches!(a.verify(&no_exp), Err(Error::Unauthorized(_))),
            "an admin token without exp"
        );
        assert!(matches!(a.verify("garbage"), Err(Error::Unauthorized(_))));
    }

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse").expect("hash");
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
        let mut checker = PasswordChecker::new();
        assert!(
            checker.verify("correct horse", &h),
            "the same answer with reused memory"
        );
        assert!(!checker.verify("wrong", &h));
        assert!(checker.verify("correct horse", &h));
        assert!(!checker.verify("x", "not a hash"));
    }
}
