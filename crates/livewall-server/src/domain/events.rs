//! Changes to an event that walls must follow.

use crate::db;
use crate::error::Result;
use crate::ids;
use crate::state::AppState;
use livewall_protocol::{CloseCode, Event, UpdateEvent};

/// Applies an edit. Walls get an `event` entry when the name or settings changed; when "initials only" changed,
/// every visible person is sent again under the new setting (the server names people, walls never re-derive
/// initials). Anonymous viewers of a wall that is no longer public are closed with [`CloseCode::NotPublic`].
pub async fn update(s: &AppState, event: String, req: UpdateEvent) -> Result<Event> {
    let now = ids::now_ms();
    let e = s
        .write_logged(move |tx| {
            let before = db::events::get(tx, &event)?;
            let (e, entry) = db::events::update(tx, &event, req, now)?;
            let mut entries: Vec<_> = entry.into_iter().collect();
            if before.settings.initials_only != e.settings.initials_only {
                for p in db::profiles::visible(tx, &event)? {
                    entries.push(db::profiles::node_entry(tx, &p, &e.settings, now)?);
                }
            }
            Ok((e, entries))
        })
        .await?;
    if !e.settings.public_wall {
        let closed = s.hub.close_anonymous(&e.id, CloseCode::NotPublic);
        if closed > 0 {
            tracing::info!(event = %e.id, closed, "wall is no longer public; anonymous viewers closed");
        }
    }
    Ok(e)
}
