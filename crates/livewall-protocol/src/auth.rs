//! Logins, roles and device tokens.

use crate::Millis;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a bearer token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Role {
    /// An organiser: everything.
    Admin,
    /// A tap-to-connect station: posts connections for its one event.
    Station,
    /// A wall display: reads its one event.
    Kiosk,
}

/// The roles a device token can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum DeviceRole {
    Station,
    Kiosk,
}

impl From<DeviceRole> for Role {
    fn from(r: DeviceRole) -> Self {
        match r {
            DeviceRole::Station => Role::Station,
            DeviceRole::Kiosk => Role::Kiosk,
        }
    }
}

/// Body of `POST /api/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// Body of `POST /api/password`: the organiser's current password and the new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ChangePassword {
    pub current: String,
    pub new: String,
}

/// Answer of `POST /api/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LoginResponse {
    /// Bearer token for `Authorization: Bearer ...`.
    pub token: String,
    #[ts(type = "number")]
    pub expires_at: Millis,
    pub username: String,
}

/// Body of `POST /api/events/{event}/devices`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct CreateDevice {
    /// A name the organiser recognises ("Hall A wall", "Booth 3 station").
    pub name: String,
    pub role: DeviceRole,
}

/// A kiosk or station registered for an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Device {
    pub id: String,
    pub event_id: String,
    pub name: String,
    pub role: DeviceRole,
    #[ts(type = "number")]
    pub created_at: Millis,
    #[ts(type = "number | null")]
    pub revoked_at: Option<Millis>,
}

/// A device with its bearer token (the token is derived from the device, so it can be shown again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeviceToken {
    pub device: Device,
    pub token: String,
    /// The device setup link: `{server}/setup#role=..&event=..&token=..`. Pasted into the desktop app's settings
    /// (or scanned as a QR code) it fills every field; the token sits in the fragment, which browsers never send.
    pub setup_link: String,
}
