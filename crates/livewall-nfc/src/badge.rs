//! Which person a badge stands for: its UID, or the profile its NDEF URL points to.
//!
//! Badges printed for an event carry `{server}/p/{profileId}` so a phone tap opens the profile; stations resolve the
//! same URL to the profile id. Badges without such a URL (blank or foreign tags) are known by their UID, which the
//! server maps to a person. UIDs are static and can be cloned, so the server must treat either as a claim.

use serde::{Deserialize, Serialize};

/// A badge as the station sends it to the server.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum BadgeRef {
    /// Tag UID, uppercase hex without separators (e.g. `04A2B3C4D5E680`).
    Uid(String),
    /// Opaque profile id from a `{server}/p/{profileId}` URL.
    ProfileId(String),
}

impl BadgeRef {
    /// A UID reference from raw UID bytes.
    pub fn from_uid_bytes(uid: &[u8]) -> Self {
        Self::Uid(hex_upper(uid))
    }
}

/// Resolves tags to [`BadgeRef`]s for one livewall server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadgeResolver {
    server: String,
}

impl BadgeResolver {
    /// `server` is the base URL printed on badges, e.g. `https://wall.example.org` (a trailing `/` is ignored).
    pub fn new(server: impl Into<String>) -> Self {
        let mut server = server.into();
        while server.ends_with('/') {
            server.pop();
        }
        Self { server }
    }

    /// The profile id in `uri` when it is one of this server's profile URLs.
    pub fn profile_id(&self, uri: &str) -> Option<String> {
        let rest = uri
            .strip_prefix(self.server.as_str())?
            .strip_prefix("/p/")?;
        let id = rest
            .split(['?', '#'])
            .next()
            .unwrap_or_default()
            .trim_end_matches('/');
        (!id.is_empty() && !id.contains('/')).then(|| id.to_owned())
    }

    /// The badge's reference: the profile id of its URL if it has one of ours, else its UID.
    pub fn resolve(&self, uid_hex: &str, uri: Option<&str>) -> BadgeRef {
        uri.and_then(|u| self.profile_id(u)).map_or_else(
            || BadgeRef::Uid(uid_hex.to_ascii_uppercase()),
            BadgeRef::ProfileId,
        )
    }
}

/// Uppercase hex without separators.
pub fn hex_upper(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02X}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_profile_urls_of_our_server_only() {
        let r = BadgeResolver::new("https://wall.example.org/");
        assert_eq!(
            r.resolve("04aa", Some("https://wall.example.org/p/abc123")),
            BadgeRef::ProfileId("abc123".into())
        );
        assert_eq!(
            r.resolve("04aa", Some("https://wall.example.org/p/abc123/?x=1")),
            BadgeRef::ProfileId("abc123".into())
        );
        assert_eq!(
            r.resolve("04aa", Some("https://wall.example.org/p/abc123#top")),
            BadgeRef::ProfileId("abc123".into())
        );
        assert_eq!(
            r.resolve("04aa", Some("https://evil.example/p/abc123")),
            BadgeRef::Uid("04AA".into())
        );
        assert_eq!(
            r.resolve("04aa", Some("https://wall.example.org/p/")),
            BadgeRef::Uid("04AA".into())
        );
        assert_eq!(
            r.resolve("04aa", Some("https://wall.example.org/p/a/b")),
            BadgeRef::Uid("04AA".into())
        );
        assert_eq!(
            r.resolve("04aa", Some("https://wall.example.org.evil/p/a")),
            BadgeRef::Uid("04AA".into())
        );
        assert_eq!(r.resolve("04aa", None), BadgeRef::Uid("04AA".into()));
    }

    #[test]
    fn uid_hex_is_uppercase_without_separators() {
        assert_eq!(
            BadgeRef::from_uid_bytes(&[0x04, 0xa2, 0x0b]),
            BadgeRef::Uid("04A20B".into())
        );
        let json = serde_json::to_string(&BadgeRef::ProfileId("p1".into())).unwrap_or_default();
        assert_eq!(json, r#"{"kind":"profile_id","value":"p1"}"#);
    }
}
