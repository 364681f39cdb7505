//! Which person a badge stands for: its UID, or the profile its NDEF URL points to.
//!
//! Badges printed for an event carry `{server}/p/{profileId}` so a phone tap opens the profile; stations resolve the
//! same URL to the profile id. Badges without such a URL (blank or foreign tags) are known by their UID, which the
//! server maps to a person. UIDs are static and can be cloned, so the server must treat either as a claim.

pub use livewall_protocol::BadgeRef;

/// Resolves tags to [`BadgeRef`]s for one livewall server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadgeResolver {
    servers: Vec<String>,
}

fn trimmed(server: impl Into<String>) -> String {
    let mut server = server.into();
    while server.ends_with('/') {
        server.pop();
    }
    server
}

impl BadgeResolver {
    /// `server` is the base URL printed on badges, e.g. `https://wall.example.org` (a trailing `/` is ignored).
    pub fn new(server: impl Into<String>) -> Self {
        Self {
            servers: vec![trimmed(server)],
        }
    }

    /// Also accepts badges printed with `other` (the same server under another address: a laptop's LAN address
    /// on badges while its own windows use the loopback one).
    #[must_use]
    pub fn also(mut self, other: impl Into<String>) -> Self {
        let other = trimmed(other);
        if !self.servers.contains(&other) {
            self.servers.push(other);
        }
        self
    }

    /// The profile id in `uri` when it is one of this server's profile URLs.
    pub fn profile_id(&self, uri: &str) -> Option<String> {
        self.servers
            .iter()
            .find_map(|s| livewall_protocol::profile_id_in(uri, s))
            .map(str::to_owned)
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
        let lan = r.clone().also("http://192.168.1.20:8080/");
        assert_eq!(
            lan.resolve("04aa", Some("http://192.168.1.20:8080/p/abc123")),
            BadgeRef::ProfileId("abc123".into())
        );
        assert_eq!(
            r.resolve("04aa", Some("http://192.168.1.20:8080/p/abc123")),
            BadgeRef::Uid("04AA".into())
        );
    }

    #[test]
    fn uid_hex_is_uppercase_without_separators() {
        assert_eq!(hex_upper(&[0x04, 0xa2, 0x0b]), "04A20B");
        let json = serde_json::to_string(&BadgeRef::ProfileId("p1".into())).unwrap_or_default();
        assert_eq!(json, r#"{"kind":"profile_id","value":"p1"}"#);
    }
}
