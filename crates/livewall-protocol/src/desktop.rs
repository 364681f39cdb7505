//! The desktop app's settings and what its windows learn about the device: saved by the settings screen, shown by
//! every window, carried by a device setup link or QR code.

use crate::{Role, Snapshot};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

impl Role {
    /// The desktop window label of the role, which the app's capability files are bound to.
    pub fn label(self) -> &'static str {
        match self {
            Self::Kiosk => "kiosk",
            Self::Station => "station",
            Self::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "kiosk" => Ok(Self::Kiosk),
            "station" => Ok(Self::Station),
            "admin" => Ok(Self::Admin),
            other => Err(format!(
                "{other:?} is not a role: use kiosk, station or admin"
            )),
        }
    }
}

/// Settings as saved by the settings screen (every field optional: a half-filled form is kept as typed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DesktopSettings {
    /// What this device is.
    #[ts(optional)]
    pub role: Option<Role>,
    /// Base URL of the server, e.g. `http://192.168.1.20:8080`.
    #[ts(optional)]
    pub server: Option<String>,
    /// Device token (kiosk or station) minted in the admin screens.
    #[ts(optional)]
    pub token: Option<String>,
    /// Event id.
    #[ts(optional)]
    pub event: Option<String>,
    /// Staff PIN: leaves the kiosk and opens the settings screen.
    #[ts(optional)]
    pub exit_pin: Option<String>,
}

/// What a device setup link or QR code carried. Every field the link names fills the settings form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeviceSetup {
    /// The device token.
    pub token: String,
    /// The server.
    pub server: Option<String>,
    /// The event.
    pub event: Option<String>,
    /// The role the token was minted for.
    pub role: Option<Role>,
}

/// The server running inside this app, for the one-laptop event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct EmbeddedServer {
    /// The address other devices and phones use (the LAN address, or `--public-url`).
    pub public_url: String,
    /// The address this machine's windows use.
    pub local_url: String,
    /// The first admin account, when this run created it.
    pub admin_user: Option<String>,
    /// Its generated password: answered until a window has shown it once.
    pub admin_password: Option<String>,
}

/// What a window needs to know about this device (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DesktopConfig {
    /// The running role, `None` while the settings screen is shown.
    pub role: Option<Role>,
    /// Server base URL, as configured or typed so far.
    pub server: Option<String>,
    /// Event id.
    pub event: Option<String>,
    /// Whether a device token is set.
    pub has_token: bool,
    /// Whether leaving the kiosk or opening the settings needs a PIN.
    pub has_exit_pin: bool,
    /// The server this app runs itself, if it does.
    pub embedded: Option<EmbeddedServer>,
    /// Why the settings screen is shown, if it is.
    pub problem: Option<String>,
    /// When the embedded server's port was taken: a free port it can start on instead.
    pub offer_port: Option<u16>,
    /// App version.
    pub version: String,
}

/// Why a wall cannot follow its event, in words: the address, what failed, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LinkProblem {
    /// The server address tried.
    pub address: String,
    /// What failed.
    pub what: String,
    /// What to do about it.
    pub fix: String,
}

/// What the kiosk window draws before anything comes from the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct KioskStart {
    /// The event shown.
    pub event_id: String,
    /// The server followed.
    pub server: String,
    /// The cached wall, if this kiosk ever saw one.
    pub snapshot: Option<Snapshot>,
}
