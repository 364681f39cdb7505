//! The one error body every HTTP endpoint answers with: `{"error":{"code","message"}}`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Machine-readable error codes; the HTTP status is chosen by the server from the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    /// The request could not be read (malformed JSON, wrong types).
    BadRequest,
    /// No credentials, or credentials that are not valid (bad signature, expired, revoked).
    Unauthorized,
    /// Valid credentials that do not allow this (wrong role or wrong event).
    Forbidden,
    /// The event, profile or other resource does not exist.
    NotFound,
    /// No attendee of the event has this badge, e-mail or profile id: the tap itself is refused (404). Apart from
    /// `not_found` so a station can tell "unknown badge" from "unknown event".
    UnknownAttendee,
    /// The request conflicts with existing data (an e-mail or badge already used).
    Conflict,
    /// The request was read but its content is not acceptable (a self-connection, an empty name).
    Validation,
    /// The body is larger than the server accepts.
    PayloadTooLarge,
    /// Too many requests; retry later.
    RateLimited,
    /// The server failed; the details are in its log.
    Internal,
    /// The server is starting or stopping.
    Unavailable,
    /// The server's disk is full (or failing): nothing can be stored until space returns. Retry later.
    StorageFull,
}

/// One problem with one field of one item, for bulk and import errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FieldError {
    /// Zero-based index of the item in a bulk request, or one-based line number in an import.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub index: Option<u32>,
    /// The field (or CSV column) at fault.
    pub field: String,
    /// Why, in words a person understands.
    pub message: String,
}

/// The inside of an error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[ts(export)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    /// Per-item problems, when the request carried many items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<FieldError>>")]
    pub details: Vec<FieldError>,
}

/// `{"error":{"code","message"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[ts(export)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}
