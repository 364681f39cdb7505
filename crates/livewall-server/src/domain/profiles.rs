//! Changes to a person that walls must follow: an edit, hiding and un-hiding, deletion.

use super::connections;
use crate::auth::Auth;
use crate::db;
use crate::db::log::LogEntry;
use crate::error::Error;
use crate::error::Result;
use crate::ids;
use crate::import;
use crate::people;
use crate::state::AppState;
use livewall_protocol::{
    ConsentPatch, ConsentSource, CreateProfile, EventSettings, FieldError, Profile, ServerMessage,
    UpdateProfile,
};
use rusqlite::Transaction;

/// Appends the `node` entry that tells walls how `p` is shown now (or that they are hidden).
fn node_entry(
    tx: &Transaction<'_>,
    p: &Profile,
    settings: &EventSettings,
    now: i64,
) -> Result<LogEntry> {
    db::log::append(tx, &p.event_id, now, |seq| ServerMessage::Node {
        event_id: p.event_id.clone(),
        seq,
        node: people::person(p, settings),
        hidden: !p.on_wall(),
    })
}

/// The `node` entries that show new people on walls (hidden people are not shown).
fn shown(
    tx: &Transaction<'_>,
    settings: &EventSettings,
    people: &[Profile],
    now: i64,
) -> Result<Vec<LogEntry>> {
    people
        .iter()
        .filter(|p| p.on_wall())
        .map(|p| node_entry(tx, p, settings, now))
        .collect()
}

/// Creates one person; walls show them at once unless they are hidden.
pub async fn create(s: &AppState, event: String, req: CreateProfile) -> Result<Profile> {
    let now = ids::now_ms();
    s.write_logged(move |tx| {
        let settings = db::events::get(tx, &event)?.settings;
        let p = db::profiles::insert(tx, &event, &req, ConsentSource::Organiser, now)?;
        let entries = shown(tx, &settings, std::slice::from_ref(&p), now)?;
        Ok((p, entries))
    })
    .await
}

/// Creates many people, all or none (every refused item named with its index).
pub async fn create_many(
    s: &AppState,
    event: String,
    reqs: Vec<CreateProfile>,
) -> Result<Vec<Profile>> {
    let now = ids::now_ms();
    s.write_logged(move |tx| {
        let settings = db::events::get(tx, &event)?.settings;
        let created = db::profiles::insert_many(tx, &event, &reqs, ConsentSource::Organiser, now)?;
        let entries = shown(tx, &settings, &created, now)?;
        Ok((created, entries))
    })
    .await
}

/// Imports a parsed attendee file: every row, or with `skip_invalid` the rows without problems (the others are
/// answered, by line); a problem with the file itself (its header) imports nothing.
pub async fn import(
    s: &AppState,
    event: String,
    parsed: import::Parsed,
    skip_invalid: bool,
) -> Result<(u32, Vec<FieldError>)> {
    let now = ids::now_ms();
    s.write_logged(move |tx| {
        let settings = db::events::get(tx, &event)?.settings;
        let mut errors = parsed.preview.errors.clone();
        errors.extend(import::check_against_event(tx, &event, &parsed)?);
        errors.sort_by_key(|e| e.index);
        // Line 1 is the header: a problem there (or one without a line) is about the whole file.
        let file_level = errors.iter().any(|e| e.index.is_none_or(|l| l <= 1));
        if !errors.is_empty() && (!skip_invalid || file_level) {
            return Err(Error::Validation {
                message: format!(
                    "{} problem(s) in the file; nothing was imported. Fix them and import again{}.",
                    errors.len(),
                    if file_level {
                        ""
                    } else {
                        ", or import only the rows without problems"
                    }
                ),
                details: errors,
            });
        }
        let bad: std::collections::HashSet<u32> = errors.iter().filter_map(|e| e.index).collect();
        let good: Vec<_> = parsed
            .preview
            .profiles
            .iter()
            .zip(&parsed.lines)
            .filter(|(_, line)| !bad.contains(line))
            .map(|(p, _)| p.clone())
            .collect();
        let created = db::profiles::insert_many(tx, &event, &good, ConsentSource::Import, now)?;
        let entries = shown(tx, &settings, &created, now)?;
        Ok(((created.len() as u32, errors), entries))
    })
    .await
}

/// Applies an edit. Walls are told when what they show of the person changed, when the person was hidden (they
/// drop the person and their links) or un-hidden (the person, then every link that still exists, again).
pub async fn update(
    s: &AppState,
    event: String,
    id: String,
    req: UpdateProfile,
) -> Result<Profile> {
    let now = ids::now_ms();
    let auth = s.auth.clone();
    s.write_logged(move |tx| {
        let settings = db::events::get(tx, &event)?.settings;
        let (before, after) = db::profiles::update(tx, &event, &id, &req, now)?;
        let entries = changed(tx, &auth, &settings, &before, &after, now)?;
        Ok((after, entries))
    })
    .await
}

/// Records what the attendee chose on their own phone page.
pub async fn set_consent(
    s: &AppState,
    event: String,
    id: String,
    patch: ConsentPatch,
) -> Result<Profile> {
    let now = ids::now_ms();
    let auth = s.auth.clone();
    s.write_logged(move |tx| {
        let settings = db::events::get(tx, &event)?.settings;
        let before = db::profiles::get(tx, &event, &id)?;
        let consent =
            db::profiles::apply_consent(&before.consent, &patch, ConsentSource::Attendee, now);
        db::profiles::set_consent(tx, &event, &id, &consent, now)?;
        let after = db::profiles::get(tx, &event, &id)?;
        let entries = changed(tx, &auth, &settings, &before, &after, now)?;
        Ok((after, entries))
    })
    .await
}

/// What a change to a person tells walls (the node again when what they show changed; the person's links again
/// when they come back on the wall) and webhooks (`person.updated`).
fn changed(
    tx: &Transaction<'_>,
    auth: &Auth,
    settings: &EventSettings,
    before: &Profile,
    after: &Profile,
    now: i64,
) -> Result<Vec<LogEntry>> {
    let id = &after.id;
    let event = &after.event_id;
    {
        let mut entries = Vec::new();
        let shown_changed = people::person(before, settings) != people::person(after, settings);
        if before.on_wall() != after.on_wall() || (after.on_wall() && shown_changed) {
            entries.push(node_entry(tx, after, settings, now)?);
            if !before.on_wall() && after.on_wall() {
                entries.extend(connections::relog_links_of(tx, event, settings, id, now)?);
            }
        }
        let mut was = before.clone();
        was.updated_at = after.updated_at;
        if was != *after {
            super::webhooks::person_updated(tx, auth, after, now)?;
        }
        Ok(entries)
    }
}

/// Deletes a person with their badges and connections; walls drop each link, then the person.
pub async fn delete(s: &AppState, event: String, id: String) -> Result<()> {
    let now = ids::now_ms();
    let auth = s.auth.clone();
    s.write_logged(move |tx| {
        let settings = db::events::get(tx, &event)?.settings;
        let mut entries = connections::remove_all_of(tx, &auth, &event, &id, now)?;
        let p = db::profiles::delete(tx, &event, &id)?;
        if p.on_wall() {
            let gone = Profile { hidden: true, ..p };
            entries.push(node_entry(tx, &gone, &settings, now)?);
        }
        Ok(((), entries))
    })
    .await
}
