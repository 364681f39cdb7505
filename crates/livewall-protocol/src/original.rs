//! The original Live Wall's own wire shapes (UBC BizTech's `serverless-biztechapp` backend), answered on its paths
//! so its unmodified clients work against livewall: the event picker's `GET /events` and the attendee's
//! `POST /interactions {"eventType":"CONNECTION","eventParam":<profile id>}`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The only `eventType` the original connection post knows.
pub const ORIGINAL_CONNECTION: &str = "CONNECTION";

/// One entry of `GET /events`, the original event picker's list (public walls only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OriginalEvent {
    pub id: String,
    /// The event's name (`ename` in the original).
    pub ename: String,
    /// The year of its first day (or of its creation when it has no dates).
    pub year: i32,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

/// Body of the original `POST /interactions`: the caller (from the bearer ID token's `email`) met the person whose
/// profile id is `eventParam`, in the server's default event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OriginalInteraction {
    /// `"CONNECTION"`; anything else is refused with 400 as the original did.
    pub event_type: String,
    /// The profile id of the person met.
    pub event_param: String,
}

/// The original connection post's answer: `{"message":"Connection created with Ada","name":"Ada Lovelace"}`, or
/// `{"message":"Connection has already been made"}` for a pair that had already met (both 200).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OriginalAnswer {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<String>")]
    pub name: Option<String>,
}
