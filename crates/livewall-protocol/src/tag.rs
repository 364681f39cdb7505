//! NFC tag UIDs: the one rule for what a badge UID looks like, used wherever a UID is read, typed or stored.

use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

/// A badge's UID in canonical form: uppercase hex without separators, 4, 7 or 10 bytes (the single, double and
/// triple UID sizes of ISO/IEC 14443-3). Built only by [`TagUid::parse`] or [`TagUid::from_bytes`], so a value of
/// this type is always canonical; deserialising checks the same rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "04A1B2C3D4E5F6"))]
#[serde(try_from = "String", into = "String")]
#[ts(export, type = "string")]
pub struct TagUid(String);

/// Why a text is not a badge UID, in words for the person who typed or scanned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagUidError {
    /// Nothing was given.
    Empty,
    /// A character other than hex digits and separators.
    NotHex(String),
    /// Hex, but not 4, 7 or 10 bytes.
    WrongLength { input: String, digits: usize },
}

impl fmt::Display for TagUidError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("type or scan a badge UID"),
            Self::NotHex(input) => write!(
                f,
                "{input:?} is not a badge UID: use hex digits 0-9 and A-F (for example 04A1B2C3D4E5F6)"
            ),
            Self::WrongLength { input, digits } => write!(
                f,
                "a badge UID has 4, 7 or 10 bytes (8, 14 or 20 hex digits); {input:?} has {digits} digit{}",
                if *digits == 1 { "" } else { "s" }
            ),
        }
    }
}

impl std::error::Error for TagUidError {}

impl TagUid {
    /// Reads a UID as people and readers write it: any case, an optional `0x`, separated by `:`, `-`, `.` or
    /// spaces (`04:a1:b2:c3` and `04A1B2C3` are the same badge).
    pub fn parse(input: &str) -> Result<Self, TagUidError> {
        let raw = input.trim();
        if raw.is_empty() {
            return Err(TagUidError::Empty);
        }
        let body = raw
            .strip_prefix("0x")
            .or_else(|| raw.strip_prefix("0X"))
            .unwrap_or(raw);
        let hex: String = body
            .chars()
            .filter(|c| !matches!(c, ':' | '-' | '.' | ' ' | '\t'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(TagUidError::NotHex(raw.to_owned()));
        }
        if !matches!(hex.len(), 8 | 14 | 20) {
            return Err(TagUidError::WrongLength {
                input: raw.to_owned(),
                digits: hex.len(),
            });
        }
        Ok(Self(hex))
    }

    /// The UID a reader reported, if it has a badge's size.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        use fmt::Write;
        if !matches!(bytes.len(), 4 | 7 | 10) {
            return None;
        }
        let mut s = String::with_capacity(bytes.len() * 2);
        for b in bytes {
            let _ = write!(s, "{b:02X}");
        }
        Some(Self(s))
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for the id a phone shows when held to a reader: 4 bytes starting `08`, the ISO 14443-3 "random UID"
    /// that changes on every tap, so it can never name a person.
    pub fn is_random(&self) -> bool {
        self.0.len() == 8 && self.0.starts_with("08")
    }
}

impl fmt::Display for TagUid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::ops::Deref for TagUid {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TagUid {
    type Error = TagUidError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<TagUid> for String {
    fn from(u: TagUid) -> Self {
        u.0
    }
}

impl std::str::FromStr for TagUid {
    type Err = TagUidError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn every_way_of_writing_a_uid_is_one_uid() {
        for s in [
            "04a1b2c3",
            "04:A1:B2:C3",
            " 04 a1 b2 c3 ",
            "0x04A1B2C3",
            "04-a1-b2-c3",
            "04.A1.B2.C3",
        ] {
            assert_eq!(
                TagUid::parse(s).map(String::from),
                Ok("04A1B2C3".into()),
                "{s}"
            );
        }
        assert_eq!(
            TagUid::parse("04A1B2C3D4E5F6").map(String::from),
            Ok("04A1B2C3D4E5F6".into())
        );
        assert!(TagUid::parse("04A1B2C3D4E5F60718AB").is_ok(), "10 bytes");
    }

    #[test]
    fn what_is_not_a_uid_is_said_in_words() {
        assert_eq!(TagUid::parse("  "), Err(TagUidError::Empty));
        assert!(matches!(
            TagUid::parse("hello"),
            Err(TagUidError::NotHex(_))
        ));
        let e = TagUid::parse("04A1B2C").unwrap_err();
        assert_eq!(
            e.to_string(),
            "a badge UID has 4, 7 or 10 bytes (8, 14 or 20 hex digits); \"04A1B2C\" has 7 digits"
        );
        assert!(
            TagUid::parse("04A1B2C3D4").is_err(),
            "5 bytes is no UID size"
        );
    }

    #[test]
    fn bytes_and_the_wire() {
        let u = TagUid::from_bytes(&[0x04, 0xa1, 0xb2, 0xc3]).unwrap();
        assert_eq!(u.as_str(), "04A1B2C3");
        assert!(TagUid::from_bytes(&[1, 2, 3]).is_none());
        assert!(TagUid::parse("08123456").unwrap().is_random());
        assert!(!u.is_random());
        assert_eq!(serde_json::to_string(&u).unwrap(), "\"04A1B2C3\"");
        assert!(serde_json::from_str::<TagUid>("\"04:a1:b2:c3\"").is_ok());
        assert!(serde_json::from_str::<TagUid>("\"nope\"").is_err());
    }
}
