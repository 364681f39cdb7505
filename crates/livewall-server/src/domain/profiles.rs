//! Changes to a person that walls must follow: an edit, hiding and un-hiding, deletion.

use super::connections;
use crate::db;
use crate::error::Result;
use crate::ids;
use crate::people;
use crate::state::AppState;
use livewall_protocol::{Profile, UpdateProfile};

/// Applies an edit. Walls are told when what they show of the person changed, when the person was hidden (they
/// drop the person and their links) or un-hidden (the person, then every link that still exists, again).
pub async fn update(
    s: &AppState,
    event: String,
    id: String,
    req: UpdateProfile,
) -> Result<Profile> {
    let now = ids::now_ms();
    s.write_logged(move |tx| {
        let settings = db::events::get(tx, &event)?.settings;
        let (before, after) = db::profiles::update(tx, &event, &id, &req, now)?;
        let mut entries = Vec::new();
        let shown_changed = people::person(&before, &settings) != people::person(&after, &settings);
        if before.hidden != after.hidden || (!after.hidden && shown_changed) {
            entries.push(db::profiles::node_entry(tx, &after, &settings, now)?);
            if before.hidden && !after.hidden {
                entries.extend(connections::relog_links_of(
                    tx, &event, &settings, &id, now,
                )?);
            }
        }
        Ok((after, entries))
    })
    .await
}

/// Deletes a person with their badges and connections; walls drop each link, then the person.
pub async fn delete(s: &AppState, event: String, id: String) -> Result<()> {
    let now = ids::now_ms();
    s.write_logged(move |tx| {
        let settings = db::events::get(tx, &event)?.settings;
        let mut entries = connections::remove_all_of(tx, &event, &id, now)?;
        let p = db::profiles::delete(tx, &event, &id)?;
        if !p.hidden {
            let gone = Profile { hidden: true, ..p };
            entries.push(db::profiles::node_entry(tx, &gone, &settings, now)?);
        }
        Ok(((), entries))
    })
    .await
}
