//! Events (the conference, meetup or party a wall belongs to) and their settings.

use crate::Millis;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What an organiser can switch per event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct EventSettings {
    /// Walls show initials instead of full names (privacy on a public screen).
    pub initials_only: bool,
    /// Anyone may read the wall snapshot and subscribe without a token.
    pub public_wall: bool,
    /// A join or landing URL the wall shows as a QR code.
    #[ts(optional, as = "Option<String>")]
    pub join_url: Option<String>,
    /// The language of the wall, station and phone page chrome (`en`, `de`, `fr`, `es`, `ar`); absent: each
    /// screen follows its browser's language (see [`crate::i18n::negotiate`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<String>")]
    pub language: Option<String>,
    /// Which of the wall's features are on (a kiosk can still toggle each by key).
    pub wall: WallFeatures,
}

/// The wall's features an organiser switches per event. Each is also toggled on the wall by a key (see the
/// README's "Wall keys").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct WallFeatures {
    /// "Ada connected with Grace": a banner for each new link, queued.
    pub spotlight: bool,
    /// A scrolling line of the most recent links.
    pub ticker: bool,
    /// Streak toasts ("3 in 10 minutes") and milestones ("1,000th connection").
    pub streaks: bool,
    /// Medal and crown rings around the top connectors.
    pub medals: bool,
    /// Today's connections and the rate per minute.
    pub counters: bool,
    /// Search for a person (the camera flies to them).
    pub search: bool,
    /// "How am I connected to ...": the shortest chain between two people.
    pub path_finder: bool,
    /// Colour people by their cluster (community detection) instead of their field.
    pub clusters: bool,
    /// Where the activity is: a heat view of recent links.
    pub heat: bool,
    /// Kiosk tour: the camera pans and zooms to each new link, then back out.
    pub tour: bool,
}

impl Default for WallFeatures {
    fn default() -> Self {
        Self {
            spotlight: true,
            ticker: true,
            streaks: true,
            medals: true,
            counters: true,
            search: true,
            path_finder: true,
            clusters: false,
            heat: false,
            tour: false,
        }
    }
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Event {
    /// A short, URL-safe id (`[a-z0-9-]`), chosen by the organiser or generated.
    pub id: String,
    pub name: String,
    /// First day, `YYYY-MM-DD` (or a full ISO 8601 date-time).
    pub starts_at: Option<String>,
    /// Last day, `YYYY-MM-DD` (or a full ISO 8601 date-time).
    pub ends_at: Option<String>,
    pub settings: EventSettings,
    #[ts(type = "number")]
    pub created_at: Millis,
    #[ts(type = "number")]
    pub updated_at: Millis,
}

/// Body of `POST /api/events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct CreateEvent {
    /// Optional id; generated when absent.
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub starts_at: Option<String>,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub ends_at: Option<String>,
    #[serde(default)]
    #[ts(optional, as = "Option<EventSettings>")]
    pub settings: Option<EventSettings>,
}

/// Body of `PATCH /api/events/{event}`: absent fields are kept, `null` dates are cleared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct UpdateEvent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<String>")]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::patch::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[ts(optional, as = "Option<Option<String>>")]
    pub starts_at: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::patch::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[ts(optional, as = "Option<Option<String>>")]
    pub ends_at: Option<Option<String>>,
    /// Merged into the current settings (JSON merge patch): absent fields are kept, `null` clears `joinUrl`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<EventSettingsPatch>")]
    pub settings: Option<EventSettingsPatch>,
}

/// A partial [`EventSettings`] for `PATCH /api/events/{event}`: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct EventSettingsPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<bool>")]
    pub initials_only: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<bool>")]
    pub public_wall: Option<bool>,
    #[serde(
        default,
        deserialize_with = "crate::patch::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[ts(optional, as = "Option<Option<String>>")]
    pub join_url: Option<Option<String>>,
    /// `null` goes back to each screen's browser language.
    #[serde(
        default,
        deserialize_with = "crate::patch::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[ts(optional, as = "Option<Option<String>>")]
    pub language: Option<Option<String>>,
    /// Replaces the whole set of wall features (absent ones take their defaults).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<WallFeatures>")]
    pub wall: Option<WallFeatures>,
}

impl EventSettingsPatch {
    /// `current` with this patch applied.
    pub fn apply(&self, current: &EventSettings) -> EventSettings {
        EventSettings {
            initials_only: self.initials_only.unwrap_or(current.initials_only),
            public_wall: self.public_wall.unwrap_or(current.public_wall),
            join_url: match &self.join_url {
                Some(v) => v.clone(),
                None => current.join_url.clone(),
            },
            language: match &self.language {
                Some(v) => v.clone(),
                None => current.language.clone(),
            },
            wall: self.wall.unwrap_or(current.wall),
        }
    }
}
