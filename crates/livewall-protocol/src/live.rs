//! The WebSocket protocol (`GET /ws`): JSON text frames, `action` from the client, `type` from the server.

use crate::{EventSettings, Millis, Person};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A position in an event's live log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[ts(export)]
pub struct LogPosition {
    /// Changes whenever the log's continuity is lost; a position from another epoch cannot be resumed.
    pub epoch: String,
    #[ts(type = "number")]
    pub seq: u64,
}

/// Client to server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "action", rename_all = "camelCase")]
#[ts(export)]
pub enum ClientMessage {
    /// Start receiving an event's live log, replaying everything after `since` first when given.
    #[serde(rename_all = "camelCase")]
    Subscribe {
        event_id: String,
        #[serde(default)]
        #[ts(optional, as = "Option<LogPosition>")]
        since: Option<LogPosition>,
    },
    #[serde(rename_all = "camelCase")]
    Unsubscribe {
        event_id: String,
    },
    Ping,
}

/// Who is watching or tapping for an event right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Presence {
    pub event_id: String,
    pub walls: u32,
    pub stations: u32,
    /// Devices (by id) with at least one live socket.
    pub devices: Vec<String>,
}

/// Who an announcement is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Audience {
    Walls,
    Stations,
    All,
}

/// Server to client. Every variant that carries `seq` is an entry of the event's live log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export)]
pub enum ServerMessage {
    /// Answer to `subscribe`. `recovered:false` means the requested position could not be resumed (or none was
    /// given): the client must (re)load the snapshot; live entries after `seq` follow.
    #[serde(rename_all = "camelCase")]
    Subscribed {
        event_id: String,
        epoch: String,
        #[ts(type = "number")]
        seq: u64,
        recovered: bool,
    },
    /// A new connection, in the original shape plus `eventId` and `seq`.
    #[serde(rename_all = "camelCase")]
    Connection {
        event_id: String,
        #[ts(type = "number")]
        seq: u64,
        #[ts(type = "number")]
        created_at: Millis,
        from: Person,
        to: Person,
    },
    /// A profile was added or changed (`hidden:false`), or hidden or deleted (`hidden:true`: drop the node and
    /// its links).
    #[serde(rename_all = "camelCase")]
    Node {
        event_id: String,
        #[ts(type = "number")]
        seq: u64,
        node: Person,
        hidden: bool,
    },
    /// A connection was removed by moderation.
    #[serde(rename_all = "camelCase")]
    Removed {
        event_id: String,
        #[ts(type = "number")]
        seq: u64,
        source: String,
        target: String,
    },
    /// The event's name or settings changed.
    #[serde(rename_all = "camelCase")]
    Event {
        event_id: String,
        #[ts(type = "number")]
        seq: u64,
        name: String,
        settings: EventSettings,
        /// How people are named changed (initials only switched): reload the snapshot, whose names follow the new
        /// setting, rather than wait for a frame per person.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        #[ts(optional, as = "Option<bool>")]
        reload: bool,
    },
    /// A banner for walls and/or stations; `message: null` clears it.
    #[serde(rename_all = "camelCase")]
    Announcement {
        event_id: String,
        #[ts(type = "number")]
        seq: u64,
        message: Option<String>,
        audience: Audience,
    },
    Presence(Presence),
    Pong,
    #[serde(rename_all = "camelCase")]
    Error {
        code: crate::ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional, as = "Option<String>")]
        event_id: Option<String>,
    },
}

impl ServerMessage {
    /// The log position of a log entry, `None` for control messages.
    pub fn seq(&self) -> Option<u64> {
        match self {
            Self::Connection { seq, .. }
            | Self::Node { seq, .. }
            | Self::Removed { seq, .. }
            | Self::Event { seq, .. }
            | Self::Announcement { seq, .. } => Some(*seq),
            Self::Subscribed { .. } | Self::Presence(_) | Self::Pong | Self::Error { .. } => None,
        }
    }
}
