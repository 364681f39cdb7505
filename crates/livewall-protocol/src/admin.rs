//! Organiser tools: CSV import, announcements, live statistics and exports.

use crate::{Audience, CreateProfile, Event, FieldError, Millis, Person, Profile};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Answer of `POST /api/events/{event}/imports/preview`: what a CSV would create, and every problem found,
/// each with its line (`index`), column (`field`) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportPreview {
    /// Data rows read (header and blank lines excluded).
    pub rows: u32,
    /// The profiles the rows describe, in file order.
    pub profiles: Vec<CreateProfile>,
    /// Problems; the import commits only when this is empty.
    pub errors: Vec<FieldError>,
    /// Columns of the file that were not recognised and are ignored.
    pub ignored_columns: Vec<String>,
}

/// Answer of a committed import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportResult {
    pub created: u32,
    /// Rows left out because they had problems (only with `?skipInvalid=true`), with why.
    #[serde(default)]
    pub skipped: Vec<FieldError>,
}

/// Body of `POST /api/events/{event}/announcements`: `message: null` clears the banner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct Announce {
    pub message: Option<String>,
    pub audience: Audience,
}

/// The banner currently shown, part of the snapshot so a wall that joins later shows it too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CurrentAnnouncement {
    pub message: String,
    pub audience: Audience,
    #[ts(type = "number")]
    pub created_at: Millis,
}

/// One line of the most-connected leaderboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LeaderboardEntry {
    pub person: Person,
    pub connections: u32,
    /// When they reached that count: ties go to who got there first.
    #[ts(type = "number")]
    pub reached_at: Millis,
}

/// `GET /api/events/{event}/stats`: live figures for the organiser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct EventStats {
    /// Visible people.
    pub people: u32,
    pub hidden: u32,
    pub connections: u32,
    pub connections_last_10_min: u32,
    /// Connections made in each of the last 10 minutes, oldest first.
    pub taps_per_minute: Vec<u32>,
    /// The ten most connected visible people.
    pub top: Vec<LeaderboardEntry>,
}

/// `GET /api/events/{event}/export/everything.json`: the whole event for archiving or analysis (admin only). Like
/// every export, it leaves out people who did not agree to be shared as leads, and names them in connections by a
/// pseudonym only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct EventExport {
    pub event: Event,
    pub people: Vec<Profile>,
    pub connections: Vec<ExportedConnection>,
}

/// A connection in an export: ids, names and e-mails of both sides (a side without lead consent has a pseudonym
/// for its id and empty name and e-mail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ExportedConnection {
    pub id: String,
    #[ts(type = "number")]
    pub created_at: Millis,
    pub from_id: String,
    pub from_name: String,
    pub from_email: String,
    pub to_id: String,
    pub to_name: String,
    pub to_email: String,
    pub device_id: Option<String>,
    /// The station's name, when a station recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<String>")]
    pub device_name: Option<String>,
}
