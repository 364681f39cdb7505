//! Input checks shared by the HTTP resources: each answers a message a person understands.
use livewall_protocol::TagUid;

use crate::error::{Error, Result};

/// Longest accepted display name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// A trimmed, non-empty name of at most [`MAX_NAME_CHARS`] characters.
pub fn name(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::validation(format!("{field} must not be empty")));
    }
    if v.chars().count() > MAX_NAME_CHARS {
        return Err(Error::validation(format!(
            "{field} is longer than {MAX_NAME_CHARS} characters"
        )));
    }
    Ok(v.to_owned())
}

/// A plausible e-mail address, returned trimmed. Uniqueness uses [`email_key`].
pub fn email(value: &str) -> Result<String> {
    let v = value.trim();
    let ok = v.len() <= 254
        && !v.chars().any(char::is_whitespace)
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        });
    if ok {
        Ok(v.to_owned())
    } else {
        Err(Error::validation(format!(
            "email {value:?} is not a valid e-mail address"
        )))
    }
}

/// The case-insensitive form an e-mail is unique by within an event.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// An optional short text (major, company): trimmed, empty means none.
pub fn optional_text(field: &str, value: Option<&str>) -> Result<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > MAX_NAME_CHARS => Err(Error::validation(format!(
            "{field} is longer than {MAX_NAME_CHARS} characters"
        ))),
        Some(v) => Ok(Some(v.to_owned())),
    }
}

/// An avatar: an `https://` URL naming its host by name, or a picture this server serves (`/avatars/...`).
///
/// Walls and phone pages load avatars in every visitor's browser, so nothing else is accepted: no plain http, no
/// IP addresses (a link-local or private address would make browsers probe the venue's network), no credentials
/// in the URL, no protocol-relative `//host` or `/\host` forms that browsers resolve to another site.
pub fn avatar(value: Option<&str>) -> Result<Option<String>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let refuse = |why: &str| {
        Err(Error::validation(format!(
            "avatar {v:?} {why}: use an https:// URL or a picture under /avatars/"
        )))
    };
    if v.len() > 2048 {
        return refuse("is longer than 2048 characters");
    }
    if v.chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return refuse("contains spaces, control characters or backslashes");
    }
    if let Some(path) = v.strip_prefix('/') {
        if v.starts_with("/avatars/") && !path.contains("..") && !path.starts_with('/') {
            return Ok(Some(v.to_owned()));
        }
        return refuse("is a path outside this server's /avatars/");
    }
    let Ok(url) = url::Url::parse(v) else {
        return refuse("is not a URL");
    };
    if url.scheme() != "https" {
        return refuse("is not https");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return refuse("carries a user name or password");
    }
    match url.host() {
        Some(url::Host::Domain(d)) if !d.eq_ignore_ascii_case("localhost") && d.contains('.') => {
            Ok(Some(v.to_owned()))
        }
        Some(url::Host::Domain(_)) => refuse("names a local host"),
        Some(_) => refuse("names an IP address instead of a host name"),
        None => refuse("names no host"),
    }
}

/// An NFC tag UID in canonical form (the one rule is [`TagUid`]); a 422 naming the problem otherwise.
pub fn tag_uid(value: &str) -> Result<TagUid> {
    TagUid::parse(value).map_err(|e| Error::validation(format!("badge: {e}")))
}

/// An id chosen by a client: 1 to 64 of `[a-z0-9-_]`.
pub fn client_id(field: &str, value: &str) -> Result<String> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(value.to_owned())
    } else {
        Err(Error::validation(format!(
            "{field} {value:?} must be 1 to 64 characters of a-z, 0-9, '-' or '_'"
        )))
    }
}

/// A date `YYYY-MM-DD` or an ISO 8601 date-time starting with one.
pub fn date(field: &str, value: Option<&str>) -> Result<Option<String>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let b = v.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let month = v.get(5..7).and_then(|m| m.parse::<u8>().ok()).unwrap_or(0);
    let day = v.get(8..10).and_then(|d| d.parse::<u8>().ok()).unwrap_or(0);
    let ok = v.len() <= 40
        && digits(0..4)
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && (v.len() == 10 || b.get(10) == Some(&b'T'));
    if ok {
        Ok(Some(v.to_owned()))
    } else {
        Err(Error::validation(format!(
            "{field} {v:?} must be a date like 2026-11-22 or a date-time like 2026-11-22T09:00"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_uids_are_canonical() {
        assert_eq!(
            tag_uid("04:a1:b2:c3:d4:e5:f6").ok().as_deref(),
            Some("04A1B2C3D4E5F6")
        );
        assert_eq!(tag_uid("DEADBEEF").ok().as_deref(), Some("DEADBEEF"));
        assert!(tag_uid("xyz").is_err());
        assert!(tag_uid("DEADBE").is_err());
    }

    #[test]
    fn emails() {
        assert!(email(" Ada@Example.org ").is_ok());
        assert!(email("no-at-sign").is_err());
        assert!(email("a@b@c").is_err());
        assert_eq!(email_key("Ada@Example.ORG"), "ada@example.org");
    }

    #[test]
    fn dates() {
        assert!(date("startsAt", Some("2026-11-22")).is_ok());
        assert!(date("startsAt", Some("2026-11-22T09:00")).is_ok());
        assert!(date("startsAt", Some("22/11/2026")).is_err());
        assert!(date("startsAt", Some("2026-13-01")).is_err());
    }
}
