//! The wall snapshot: everything a wall needs to draw, in the original shape.

use crate::{CurrentAnnouncement, EventSettings, Millis};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The constant `"snapshot"` tag of [`Snapshot`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[ts(export)]
pub enum SnapshotTag {
    #[default]
    #[serde(rename = "snapshot")]
    Snapshot,
}

/// A person on the wall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WallNode {
    pub id: String,
    /// The name to show (the initials when the event shows initials only).
    pub name: String,
    /// Up to three initials, computed by the server, for the avatar disc.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[ts(optional, as = "Option<String>")]
    pub initials: String,
    pub avatar: Option<String>,
    #[serde(default)]
    pub major: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
}

/// A connection on the wall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WallLink {
    pub source: String,
    pub target: String,
    #[ts(type = "number")]
    pub created_at: Millis,
}

/// `GET /api/events/{event}/wall`: the original snapshot plus the log position it reflects.
///
/// `epoch` and `seq` are read in the same database snapshot as the data, so a wall that subscribes with
/// `since: {epoch, seq}` misses nothing and sees nothing twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Snapshot {
    #[serde(rename = "type")]
    pub kind: SnapshotTag,
    pub event_id: String,
    pub event_name: String,
    pub epoch: String,
    #[ts(type = "number")]
    pub seq: u64,
    pub settings: EventSettings,
    pub nodes: Vec<WallNode>,
    pub links: Vec<WallLink>,
    /// The banner shown now, if any.
    #[serde(default)]
    pub announcement: Option<CurrentAnnouncement>,
}
