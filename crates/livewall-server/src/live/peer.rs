//! Who is on the other end of a live socket, and what that lets them follow.

use super::hub::Kind;
use crate::auth::Principal;
use crate::error::Result;
use livewall_protocol::DeviceRole;

/// Who is on the other end of a socket.
#[derive(Debug, Clone)]
pub(crate) enum Who {
    User(Principal),
    /// No token: a viewer of public walls, one at a time.
    Anonymous,
}

impl Who {
    /// What the socket counts as in presence.
    pub(crate) fn kind(&self) -> Kind {
        match self {
            Self::User(Principal::Admin { .. }) => Kind::Admin,
            Self::User(Principal::Device {
                role: DeviceRole::Station,
                ..
            }) => Kind::Station,
            Self::User(Principal::Device {
                role: DeviceRole::Kiosk,
                ..
            })
            | Self::Anonymous => Kind::Wall,
        }
    }

    /// The `role` label of the connection gauge.
    pub(crate) fn role_label(&self) -> &'static str {
        match self {
            Self::User(Principal::Admin { .. }) => "admin",
            Self::User(Principal::Device {
                role: DeviceRole::Station,
                ..
            }) => "station",
            Self::User(Principal::Device {
                role: DeviceRole::Kiosk,
                ..
            }) => "kiosk",
            Self::Anonymous => "anonymous",
        }
    }

    pub(crate) fn admin_session(&self) -> Option<String> {
        match self {
            Self::User(Principal::Admin { session, .. }) => Some(session.clone()),
            _ => None,
        }
    }

    pub(crate) fn device_id(&self) -> Option<String> {
        match self {
            Self::User(p) => p.device_id().map(str::to_owned),
            Self::Anonymous => None,
        }
    }

    /// 403 unless this socket may follow `event_id`. An anonymous viewer's event must have a public wall, which
    /// is checked in the same read as its log (the organiser may turn it off at any time).
    pub(crate) fn may_follow(&self, event_id: &str) -> Result<()> {
        match self {
            Self::User(p) => p.require_event(event_id),
            Self::Anonymous => Ok(()),
        }
    }

    pub(crate) fn is_anonymous(&self) -> bool {
        matches!(self, Self::Anonymous)
    }
}
