//! The banner an organiser shows on an event's walls and stations.

use crate::db;
use crate::error::{Error, Result};
use crate::ids;
use crate::state::AppState;
use livewall_protocol::{Announce, CurrentAnnouncement, ServerMessage};

/// Longest banner, in characters: it must stay readable across a room.
pub const MAX_CHARS: usize = 280;

/// Shows (or with an empty or `null` message, clears) the banner, and logs it so walls joining later show it too.
pub async fn announce(
    s: &AppState,
    event: String,
    req: Announce,
) -> Result<Option<CurrentAnnouncement>> {
    let message = match req.message.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(m) if m.chars().count() > MAX_CHARS => {
            return Err(Error::validation(format!(
                "message is longer than {MAX_CHARS} characters"
            )));
        }
        Some(m) => Some(m.to_owned()),
    };
    let now = ids::now_ms();
    s.write_logged(move |tx| {
        let current = message.clone().map(|message| CurrentAnnouncement {
            message,
            audience: req.audience,
            created_at: now,
        });
        db::announcements::set(tx, &event, current.as_ref())?;
        let entry = db::log::append(tx, &event, now, |seq| ServerMessage::Announcement {
            event_id: event.clone(),
            seq,
            message,
            audience: req.audience,
        })?;
        Ok((current, vec![entry]))
    })
    .await
}
