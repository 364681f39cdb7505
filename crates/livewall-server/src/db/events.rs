//! Queries on the `events` table.

use crate::error::{Error, Result};
use crate::ids;
use crate::validate;
use livewall_protocol::{CreateEvent, Event, EventSettings, UpdateEvent};
use rusqlite::{OptionalExtension, Row, Transaction, params};

const COLUMNS: &str = "id, name, starts_at, ends_at, settings, created_at, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Event> {
    let settings: String = r.get(4)?;
    Ok(Event {
        id: r.get(0)?,
        name: r.get(1)?,
        starts_at: r.get(2)?,
        ends_at: r.get(3)?,
        settings: serde_json::from_str(&settings).unwrap_or_default(),
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

fn validate_settings(settings: EventSettings) -> Result<EventSettings> {
    let join_url = match settings.join_url.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(u) if (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= 2048 => {
            Some(u.to_owned())
        }
        Some(u) => {
            return Err(Error::validation(format!(
                "settings.joinUrl {u:?} must be an http(s) URL"
            )));
        }
    };
    let language = match settings.language.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(l) if livewall_protocol::i18n::is_supported(l) => Some(l.to_owned()),
        Some(l) => {
            return Err(Error::validation(format!(
                "settings.language {l:?} is not offered: use one of {}, or null to follow each screen's browser",
                livewall_protocol::i18n::LANGUAGES.join(", ")
            )));
        }
    };
    Ok(EventSettings {
        join_url,
        language,
        ..settings
    })
}

/// The event, or 404.
pub fn get(tx: &Transaction<'_>, id: &str) -> Result<Event> {
    tx.prepare_cached(&format!("SELECT {COLUMNS} FROM events WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("event {id:?} not found")))
}

/// Every event, newest first.
pub fn list(tx: &Transaction<'_>) -> Result<Vec<Event>> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM events ORDER BY created_at DESC, id"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Creates an event with a fresh log epoch.
pub fn insert(tx: &Transaction<'_>, req: CreateEvent, now: i64) -> Result<Event> {
    let id = match req.id.as_deref() {
        Some(id) => validate::client_id("id", id)?,
        None => ids::new_id(),
    };
    let event = Event {
        name: validate::name("name", &req.name)?,
        starts_at: validate::date("startsAt", req.starts_at.as_deref())?,
        ends_at: validate::date("endsAt", req.ends_at.as_deref())?,
        settings: validate_settings(req.settings.unwrap_or_default())?,
        created_at: now,
        updated_at: now,
        id,
    };
    check_dates(&event)?;
    let settings = serde_json::to_string(&event.settings)
        .map_err(|e| Error::Internal(format!("cannot serialise settings: {e}")))?;
    let inserted = tx.execute(
        "INSERT INTO events (id, name, starts_at, ends_at, settings, epoch, last_seq, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?7)",
        params![event.id, event.name, event.starts_at, event.ends_at, settings, ids::new_epoch(), now],
    );
    match inserted {
        Ok(_) => Ok(event),
        Err(e) if super::is_unique_violation(&e) => Err(Error::Conflict(format!(
            "an event with id {:?} already exists",
            event.id
        ))),
        Err(e) => Err(e.into()),
    }
}

fn check_dates(e: &Event) -> Result<()> {
    if let (Some(s), Some(t)) = (&e.starts_at, &e.ends_at)
        && t < s
    {
        return Err(Error::validation(format!(
            "endsAt {t} is before startsAt {s}"
        )));
    }
    Ok(())
}

/// Applies a partial update; answers the event before and after (what walls are told is the domain's call).
pub fn update(
    tx: &Transaction<'_>,
    id: &str,
    req: UpdateEvent,
    now: i64,
) -> Result<(Event, Event)> {
    let before = get(tx, id)?;
    let mut e = before.clone();
    if let Some(name) = req.name.as_deref() {
        e.name = validate::name("name", name)?;
    }
    if let Some(v) = req.starts_at {
        e.starts_at = validate::date("startsAt", v.as_deref())?;
    }
    if let Some(v) = req.ends_at {
        e.ends_at = validate::date("endsAt", v.as_deref())?;
    }
    if let Some(patch) = &req.settings {
        e.settings = validate_settings(patch.apply(&before.settings))?;
    }
    check_dates(&e)?;
    e.updated_at = now;
    let settings = serde_json::to_string(&e.settings)
        .map_err(|err| Error::Internal(format!("cannot serialise settings: {err}")))?;
    tx.execute(
        "UPDATE events SET name = ?2, starts_at = ?3, ends_at = ?4, settings = ?5, updated_at = ?6 WHERE id = ?1",
        params![id, e.name, e.starts_at, e.ends_at, settings, now],
    )?;
    Ok((before, e))
}

/// Whether the event exists and its wall is public (one answer for "no such event" and "private").
pub fn public_wall(tx: &Transaction<'_>, id: &str) -> Result<bool> {
    match get(tx, id) {
        Ok(e) => Ok(e.settings.public_wall),
        Err(Error::NotFound(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Deletes an event and everything in it.
pub fn delete(tx: &Transaction<'_>, id: &str) -> Result<()> {
    if tx.execute("DELETE FROM events WHERE id = ?1", [id])? == 0 {
        return Err(Error::NotFound(format!("event {id:?} not found")));
    }
    Ok(())
}
