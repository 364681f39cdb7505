//! Profiles: the attendees of one event.

use crate::Millis;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An attendee as the organiser sees it (with e-mail and badges).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Profile {
    pub id: String,
    pub event_id: String,
    pub name: String,
    pub email: String,
    pub avatar: Option<String>,
    pub major: Option<String>,
    pub company: Option<String>,
    /// NFC tag UIDs bound to this person: uppercase hex, no separators.
    pub tags: Vec<crate::TagUid>,
    /// Hidden people never appear on walls, leaderboards or profile pages.
    pub hidden: bool,
    /// What the attendee agreed to: being shown on the wall, being shared as a lead.
    pub consent: Consent,
    #[ts(type = "number")]
    pub created_at: Millis,
    #[ts(type = "number")]
    pub updated_at: Millis,
}

impl Profile {
    /// Whether walls and leaderboards show this person: not hidden by moderation, and agreed to be shown.
    pub fn on_wall(&self) -> bool {
        !self.hidden && self.consent.wall
    }

    /// Whether the person's contact details may leave the event (exports, webhooks).
    pub fn shareable(&self) -> bool {
        self.consent.lead
    }
}

/// An attendee's consent, as last set (by an import, the organiser, or the attendee on their phone page).
///
/// Being shown on the wall is the default (tapping a badge at a wall's station is the act of being shown);
/// sharing as a lead is not: exports and webhooks leave out the contact details of anyone who has not said yes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Consent {
    /// Shown on the wall (name, photo, links). Off hides the person live, like moderation does.
    pub wall: bool,
    /// Contact details may leave the event as a lead (CRM exports, webhooks).
    pub lead: bool,
    /// When either flag was last set; absent while they are the defaults.
    #[ts(optional, as = "Option<f64>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Millis>,
    /// Who set them last.
    #[ts(optional, as = "Option<ConsentSource>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ConsentSource>,
}

impl Default for Consent {
    fn default() -> Self {
        Self {
            wall: true,
            lead: false,
            updated_at: None,
            source: None,
        }
    }
}

/// Who set an attendee's consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum ConsentSource {
    /// A CSV or JSON import.
    Import,
    /// The organiser, in the admin app or API.
    Organiser,
    /// The attendee, on their own phone page.
    Attendee,
}

impl ConsentSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Import => "import",
            Self::Organiser => "organiser",
            Self::Attendee => "attendee",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "import" => Some(Self::Import),
            "organiser" => Some(Self::Organiser),
            "attendee" => Some(Self::Attendee),
            _ => None,
        }
    }
}

/// A change to consent: absent flags are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct ConsentPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<bool>")]
    pub wall: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<bool>")]
    pub lead: Option<bool>,
}

impl ConsentPatch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self.wall.is_none() && self.lead.is_none()
    }
}

/// Body of `POST /api/events/{event}/profiles`, and one item of a bulk create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct CreateProfile {
    /// Optional id (for imports that keep their ids); generated when absent.
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub id: Option<String>,
    pub name: String,
    pub email: String,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub avatar: Option<String>,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub major: Option<String>,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub company: Option<String>,
    #[serde(default)]
    #[ts(optional, as = "Option<Vec<String>>")]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub hidden: Option<bool>,
    /// Consent given at registration (absent: shown on the wall, not shared as a lead).
    #[serde(default)]
    #[ts(optional, as = "Option<ConsentPatch>")]
    pub consent: Option<ConsentPatch>,
}

/// Body of `PATCH /api/events/{event}/profiles/{id}`: absent fields are kept, `null` clears optional ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct UpdateProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<String>")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<String>")]
    pub email: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::patch::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[ts(optional, as = "Option<Option<String>>")]
    pub avatar: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::patch::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[ts(optional, as = "Option<Option<String>>")]
    pub major: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::patch::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[ts(optional, as = "Option<Option<String>>")]
    pub company: Option<Option<String>>,
    /// Replaces the whole set of badges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<Vec<String>>")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<bool>")]
    pub hidden: Option<bool>,
    /// Consent as the organiser records it (for example from a signed form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<ConsentPatch>")]
    pub consent: Option<ConsentPatch>,
}

/// Body of `POST /api/events/{event}/profiles/bulk`: all are created, or none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct BulkCreateProfiles {
    pub profiles: Vec<CreateProfile>,
}

/// Answer of a bulk create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BulkCreated {
    pub created: Vec<Profile>,
}

/// One page of `GET /api/events/{event}/profiles?offset=&limit=&q=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProfilePage {
    pub items: Vec<Profile>,
    /// How many profiles match, over all pages.
    pub total: u32,
    pub offset: u32,
    pub limit: u32,
}

/// `GET /api/events/{event}/profiles/{id}/badge-link`: what to write on the person's badge. The link carries the
/// badge's key, which the phone page asks for before it lets anyone act as that person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BadgeLink {
    /// `/p/{id}?k=<key>`, to put after the server's address.
    pub path: String,
    /// The whole link when the server knows its public address (`--public-url`).
    pub url: Option<String>,
}

/// A person as anyone may see them: no e-mail, no badges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Person {
    pub id: String,
    /// The name to show: the full name, or the initials when the event shows initials only.
    pub name: String,
    /// Up to three initials ("Elijah Zhou" -> "EZ"), computed by the server, for avatar discs; clients never derive
    /// them again.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[ts(optional, as = "Option<String>")]
    pub initials: String,
    pub avatar: Option<String>,
    pub major: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
}

/// The path of a person's profile page, the link printed on their badge: `/p/{id}?k={key}`. Built and read
/// here only, so the server, the badge writer and the station agree on it.
pub fn profile_path(id: &str, key: &str) -> String {
    format!("{}?k={key}", profile_page(id))
}

/// The profile page itself, without the badge key (the page's own links and forms).
pub fn profile_page(id: &str) -> String {
    format!("/p/{id}")
}

/// The profile id in `uri` when it is a profile link of the server at `base` (`https://wall.example.org`, no
/// trailing slash); a link of another server, or with anything after the id but a query or fragment, is not.
pub fn profile_id_in<'a>(uri: &'a str, base: &str) -> Option<&'a str> {
    let rest = uri.strip_prefix(base)?.strip_prefix("/p/")?;
    let id = rest
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('/');
    (!id.is_empty() && !id.contains('/')).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_links_are_read_as_they_are_built() {
        let base = "https://wall.example.org";
        let link = format!("{base}{}", profile_path("abc123", "k1"));
        assert_eq!(link, "https://wall.example.org/p/abc123?k=k1");
        assert_eq!(profile_id_in(&link, base), Some("abc123"));
        assert_eq!(
            profile_id_in("https://wall.example.org/p/abc123/#top", base),
            Some("abc123")
        );
        assert_eq!(profile_id_in("https://evil.example/p/abc123", base), None);
        assert_eq!(
            profile_id_in("https://wall.example.org.evil/p/a", base),
            None
        );
        assert_eq!(profile_id_in("https://wall.example.org/p/", base), None);
        assert_eq!(profile_id_in("https://wall.example.org/p/a/b", base), None);
    }
}
