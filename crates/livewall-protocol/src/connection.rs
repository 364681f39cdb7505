//! Connections: "A met B", mutual and stored once per event.

use crate::{Millis, Person};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How a request names one side of a connection.
///
/// Either an object naming the key (`{"email":..}`, `{"profileId":..}`, `{"tagUid":..}`) or, as the original
/// clients send it, a bare string: an e-mail when it contains `@`, otherwise a profile id or else a badge UID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
#[ts(export)]
pub enum PartyRef {
    By(PartyKey),
    Text(String),
}

/// The explicit forms of [`PartyRef`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum PartyKey {
    Email(String),
    ProfileId(String),
    TagUid(String),
}

/// Body of `POST /api/events/{event}/connections`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CreateConnection {
    #[serde(alias = "source", alias = "fromEmail")]
    pub from: PartyRef,
    #[serde(alias = "target", alias = "toEmail")]
    pub to: PartyRef,
}

/// Body of the original `POST /interactions`: the same, with the event inside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LegacyInteraction {
    #[serde(alias = "event")]
    pub event_id: String,
    #[serde(alias = "source", alias = "fromEmail")]
    pub from: PartyRef,
    #[serde(alias = "target", alias = "toEmail")]
    pub to: PartyRef,
}

/// A stored connection, as answered to the poster and to admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Connection {
    pub id: String,
    pub event_id: String,
    #[ts(type = "number")]
    pub created_at: Millis,
    /// Who tapped first (the pair itself is mutual).
    pub from: Person,
    pub to: Person,
    /// The device that posted it, when a device did.
    pub device_id: Option<String>,
}

/// Answer of a connection post: 201 with `duplicate:false` when new, 200 with `duplicate:true` when the pair
/// already met (then `connection` is the first meeting and nothing is logged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionOutcome {
    pub duplicate: bool,
    pub connection: Connection,
    /// Position of the `connection` entry in the event's live log; absent for duplicates and for pairs that
    /// involve a hidden person (walls never see those).
    #[ts(optional, type = "number")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
}

/// One line of `GET /api/events/{event}/profiles/{id}/connections`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProfileConnection {
    pub connection_id: String,
    /// The other person.
    pub person: Person,
    #[ts(type = "number")]
    pub created_at: Millis,
    /// True when the profile asked about tapped first.
    pub initiated: bool,
}

/// Answer of `GET /api/events/{event}/profiles/{id}/connections`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProfileConnections {
    pub profile_id: String,
    pub connections: Vec<ProfileConnection>,
}
