//! Changes to an event that walls must follow.

use crate::db;
use crate::error::Result;
use crate::ids;
use crate::state::AppState;
use livewall_protocol::{CloseCode, Event, ServerMessage, UpdateEvent};

/// Applies an edit. Walls get an `event` entry when the name or settings changed; when "initials only" changed, it
/// asks them to reload the snapshot, whose names follow the new setting (the server names people, walls never
/// re-derive initials). Anonymous viewers of a wall that is no longer public are closed with [`CloseCode::NotPublic`].
pub async fn update(s: &AppState, event: String, req: UpdateEvent) -> Result<Event> {
    let now = ids::now_ms();
    let e = s
        .write_logged(move |tx| {
            let (before, e) = db::events::update(tx, &event, req, now)?;
            let mut entries = Vec::new();
            if e.name != before.name || e.settings != before.settings {
                // Walls name people as the server sends them: when "initials only" changes, one frame asks them to
                // reload the snapshot instead of one frame per person (which would overflow a big event's queues).
                let reload = e.settings.initials_only != before.settings.initials_only;
                entries.push(db::log::append(tx, &event, now, |seq| {
                    ServerMessage::Event {
                        event_id: event.clone(),
                        seq,
                        name: e.name.clone(),
                        settings: e.settings.clone(),
                        reload,
                    }
                })?);
            }
            Ok((e, entries))
        })
        .await?;
    // The publication above is done once the writer is free again: anonymous viewers get the settings frame
    // before they are closed.
    s.db.barrier().await?;
    if !e.settings.public_wall {
        let closed = s.hub.close_anonymous(&e.id, CloseCode::NotPublic);
        if closed > 0 {
            tracing::info!(event = %e.id, closed, "wall is no longer public; anonymous viewers closed");
        }
    }
    Ok(e)
}
