//! What a receiver of an event's live log may see *now*. Log entries are stored as they were written; a replay
//! (a wall resuming from an old position) renders each one again under the current rules, exactly as the snapshot
//! does: a person since hidden or deleted leaves the wall (`removed` for their links, a hidden `node`), names
//! follow the event's current initials setting, the event frame carries the current settings, and walls never
//! get the text of an announcement meant for stations. Every entry keeps its `seq`, so the replay has no gap.

use crate::db::{self, log::LogEntry};
use crate::error::{Error, Result};
use crate::people;
use bytes::Bytes;
use livewall_protocol::{Event, Profile, ServerMessage};
use rusqlite::Transaction;
use std::collections::HashMap;

/// Renders `entries` of `event` for a receiver (`walls`: a kiosk or an anonymous viewer) under today's rules.
pub fn render(
    tx: &Transaction<'_>,
    event: &Event,
    entries: &[LogEntry],
    walls: bool,
) -> Result<Vec<Bytes>> {
    let mut people: HashMap<String, Option<Profile>> = HashMap::new();
    let mut current = |id: &str| -> Result<Option<Profile>> {
        if let Some(p) = people.get(id) {
            return Ok(p.clone());
        }
        let p = db::profiles::find_by_id(tx, &event.id, id)?.filter(|p| p.on_wall());
        people.insert(id.to_owned(), p.clone());
        Ok(p)
    };
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let msg: ServerMessage = serde_json::from_slice(&e.bytes).map_err(|err| {
            Error::Internal(format!(
                "log entry {} of {:?} is unreadable: {err}",
                e.seq, event.id
            ))
        })?;
        let now = match msg {
            ServerMessage::Connection {
                event_id,
                seq,
                created_at,
                from,
                to,
            } => match (current(&from.id)?, current(&to.id)?) {
                (Some(f), Some(t)) => ServerMessage::Connection {
                    event_id,
                    seq,
                    created_at,
                    from: people::person(&f, &event.settings),
                    to: people::person(&t, &event.settings),
                },
                _ => ServerMessage::Removed {
                    event_id,
                    seq,
                    source: from.id,
                    target: to.id,
                },
            },
            ServerMessage::Node {
                event_id,
                seq,
                node,
                ..
            } => match current(&node.id)? {
                Some(p) => ServerMessage::Node {
                    event_id,
                    seq,
                    node: people::person(&p, &event.settings),
                    hidden: false,
                },
                None => ServerMessage::Node {
                    event_id,
                    seq,
                    node: people::gone(node.id),
                    hidden: true,
                },
            },
            ServerMessage::Event {
                event_id,
                seq,
                reload,
                ..
            } => ServerMessage::Event {
                event_id,
                seq,
                name: event.name.clone(),
                settings: event.settings.clone(),
                reload,
            },
            other if walls => db::log::for_walls(&other).unwrap_or(other),
            other => other,
        };
        let text = serde_json::to_string(&now)
            .map_err(|err| Error::Internal(format!("cannot serialise log entry: {err}")))?;
        out.push(Bytes::from(text));
    }
    Ok(out)
}
