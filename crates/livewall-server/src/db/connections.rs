//! Queries on `connections`: one row per pair of people who met, and the lists organisers read. What a new
//! meeting means (duplicates, self-connections, what walls are told) is decided in [`crate::domain::connections`].

use crate::error::{Error, Result};
use crate::people;
use livewall_protocol::{Connection, Profile, ProfileConnection, ProfileConnections};
use rusqlite::{OptionalExtension, Transaction, params};

use super::{events, profiles};

/// The stored meeting of a pair.
#[derive(Debug)]
pub struct Pair {
    pub id: String,
    /// Who tapped first, so the pair is always told in that order.
    pub first_from: String,
    pub device_id: Option<String>,
    pub created_at: i64,
}

/// A pair's two ids in the order the table keys it by (`lo_id < hi_id`), so A-B and B-A are one pair.
pub fn ordered<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a < b { (a, b) } else { (b, a) }
}

/// The meeting of the pair `(lo, hi)` (ids in order, see [`ordered`]), if they met.
pub fn find_pair(tx: &Transaction<'_>, event_id: &str, lo: &str, hi: &str) -> Result<Option<Pair>> {
    Ok(tx
        .prepare_cached(
            "SELECT id, from_id, device_id, created_at FROM connections
             WHERE event_id = ?1 AND lo_id = ?2 AND hi_id = ?3",
        )?
        .query_row([event_id, lo, hi], |r| {
            Ok(Pair {
                id: r.get(0)?,
                first_from: r.get(1)?,
                device_id: r.get(2)?,
                created_at: r.get(3)?,
            })
        })
        .optional()?)
}

/// A new meeting row.
#[derive(Debug)]
pub struct NewRow<'a> {
    pub id: &'a str,
    pub event_id: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub device_id: Option<&'a str>,
    pub idempotency_key: Option<&'a str>,
    pub created_at: i64,
}

/// Stores a meeting.
pub fn insert(tx: &Transaction<'_>, row: &NewRow<'_>) -> Result<()> {
    let (lo, hi) = ordered(row.from, row.to);
    tx.prepare_cached(
        "INSERT INTO connections (id, event_id, from_id, to_id, lo_id, hi_id, device_id, idempotency_key, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        row.id,
        row.event_id,
        row.from,
        row.to,
        lo,
        hi,
        row.device_id,
        row.idempotency_key,
        row.created_at
    ])?;
    Ok(())
}

/// A stored meeting with both people loaded.
#[derive(Debug)]
pub struct Row {
    pub id: String,
    pub from: Profile,
    pub to: Profile,
    pub device_id: Option<String>,
    pub created_at: i64,
}

fn rows_where(tx: &Transaction<'_>, event_id: &str, clause: &str, arg: &str) -> Result<Vec<Row>> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT id, from_id, to_id, device_id, created_at FROM connections WHERE event_id = ?1 AND {clause}
         ORDER BY created_at, rowid"
    ))?;
    let raw = stmt
        .query_map([event_id, arg], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut cache = std::collections::HashMap::<String, Profile>::new();
    let mut load = |id: &str| -> Result<Profile> {
        if let Some(p) = cache.get(id) {
            return Ok(p.clone());
        }
        let p = profiles::get(tx, event_id, id)?;
        cache.insert(id.to_owned(), p.clone());
        Ok(p)
    };
    raw.into_iter()
        .map(|(id, f, t, device_id, created_at)| {
            Ok(Row {
                id,
                from: load(&f)?,
                to: load(&t)?,
                device_id,
                created_at,
            })
        })
        .collect()
}

/// Every meeting of one person, oldest first.
/// Every meeting of the event with both people, oldest first.
pub fn all_rows(tx: &Transaction<'_>, event_id: &str) -> Result<Vec<Row>> {
    rows_where(tx, event_id, "?2 = ?2", "")
}

pub fn rows_of(tx: &Transaction<'_>, event_id: &str, profile_id: &str) -> Result<Vec<Row>> {
    rows_where(tx, event_id, "(from_id = ?2 OR to_id = ?2)", profile_id)
}

/// One meeting by id, or 404.
pub fn row(tx: &Transaction<'_>, event_id: &str, connection_id: &str) -> Result<Row> {
    rows_where(tx, event_id, "id = ?2", connection_id)?
        .into_iter()
        .next()
        .ok_or_else(|| {
            Error::NotFound(format!(
                "connection {connection_id:?} not found in event {event_id:?}"
            ))
        })
}

/// Deletes one meeting row.
pub fn delete(tx: &Transaction<'_>, connection_id: &str) -> Result<()> {
    tx.execute("DELETE FROM connections WHERE id = ?1", [connection_id])?;
    Ok(())
}

/// Every connection of the event, oldest first (for admins and exports).
pub fn list(tx: &Transaction<'_>, event_id: &str) -> Result<Vec<Connection>> {
    events::get(tx, event_id)?;
    Ok(rows_where(tx, event_id, "?2 = ?2", "")?
        .into_iter()
        .map(|r| Connection {
            id: r.id,
            event_id: event_id.to_owned(),
            created_at: r.created_at,
            from: people::named(&r.from),
            to: people::named(&r.to),
            device_id: r.device_id,
        })
        .collect())
}

/// Everyone a person met, whichever side tapped first. Hidden partners are left out unless `include_hidden`.
pub fn of_profile(
    tx: &Transaction<'_>,
    event_id: &str,
    profile_id: &str,
    include_hidden: bool,
) -> Result<ProfileConnections> {
    let me = profiles::get(tx, event_id, profile_id)?;
    let connections = rows_of(tx, event_id, profile_id)?
        .into_iter()
        .filter_map(|r| {
            let initiated = r.from.id == me.id;
            let other = if initiated { r.to } else { r.from };
            (include_hidden || other.on_wall()).then(|| ProfileConnection {
                connection_id: r.id,
                person: people::named(&other),
                created_at: r.created_at,
                initiated,
            })
        })
        .collect();
    Ok(ProfileConnections {
        profile_id: profile_id.to_owned(),
        connections,
    })
}
