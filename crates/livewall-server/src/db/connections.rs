//! Queries on `connections`: the original "A met B" flow, moderation and per-person lists.

use crate::error::{Error, Result};
use crate::ids;
use crate::validate;
use livewall_protocol::{
    Connection, ConnectionOutcome, CreateConnection, EventSettings, PartyKey, PartyRef, Profile,
    ProfileConnection, ProfileConnections, ServerMessage,
};
use rusqlite::{OptionalExtension, Transaction, params};

use super::log::{self, LogEntry};
use super::{events, profiles};

/// What a connection post answers: the status and JSON body (stored verbatim for idempotent retries) and the
/// log entry to publish, if one was written.
#[derive(Debug)]
pub struct Posted {
    pub status: u16,
    pub body: String,
    pub entry: Option<LogEntry>,
}

/// Finds the person a request names; `side` ("from"/"to") goes into the 404 so the caller knows which side.
pub fn resolve(tx: &Transaction<'_>, event_id: &str, side: &str, r: &PartyRef) -> Result<Profile> {
    let found = match r {
        PartyRef::By(PartyKey::Email(e)) => profiles::find_by_email(tx, event_id, e)?,
        PartyRef::By(PartyKey::ProfileId(id)) => profiles::find_by_id(tx, event_id, id)?,
        PartyRef::By(PartyKey::TagUid(uid)) => match validate::tag_uid(uid) {
            Ok(uid) => profiles::find_by_tag(tx, event_id, &uid)?,
            Err(_) => None,
        },
        PartyRef::Text(t) if t.contains('@') => profiles::find_by_email(tx, event_id, t)?,
        PartyRef::Text(t) => match profiles::find_by_id(tx, event_id, t)? {
            Some(p) => Some(p),
            None => match validate::tag_uid(t) {
                Ok(uid) => profiles::find_by_tag(tx, event_id, &uid)?,
                Err(_) => None,
            },
        },
    };
    found.ok_or_else(|| {
        let what = match r {
            PartyRef::By(PartyKey::Email(e)) => format!("e-mail {e}"),
            PartyRef::By(PartyKey::ProfileId(id)) => format!("profile id {id}"),
            PartyRef::By(PartyKey::TagUid(uid)) => format!("badge {uid}"),
            PartyRef::Text(t) if t.contains('@') => format!("e-mail {t}"),
            PartyRef::Text(t) => format!("profile id or badge {t}"),
        };
        Error::UnknownAttendee(format!(
            "{side}: no attendee with {what} in event {event_id:?}"
        ))
    })
}

fn fingerprint(req: &CreateConnection) -> String {
    let text = serde_json::to_string(req).unwrap_or_default();
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Internal(format!("cannot serialise answer: {e}")))
}

/// The original flow: both people must exist in the event, nobody connects with themselves, a pair is stored
/// once. A new pair is logged (when both are visible) and answered 201; a known pair is answered 200 with
/// `duplicate:true` and nothing is logged. With an idempotency key, a retry gets the first answer verbatim.
pub fn post(
    tx: &Transaction<'_>,
    event_id: &str,
    req: &CreateConnection,
    device_id: Option<&str>,
    idempotency_key: Option<&str>,
    now: i64,
) -> Result<Posted> {
    let event = events::get(tx, event_id)?;
    let fp = fingerprint(req);
    if let Some(key) = idempotency_key {
        let stored: Option<(String, u16, String)> = tx
            .prepare_cached("SELECT fingerprint, status, body FROM idempotency WHERE event_id = ?1 AND key = ?2")?
            .query_row([event_id, key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        if let Some((stored_fp, status, body)) = stored {
            if stored_fp != fp {
                return Err(Error::validation(
                    "this Idempotency-Key was already used for a different connection; use a new key",
                ));
            }
            return Ok(Posted {
                status,
                body,
                entry: None,
            });
        }
    }
    let from = resolve(tx, event_id, "from", &req.from)?;
    let to = resolve(tx, event_id, "to", &req.to)?;
    if from.id == to.id {
        return Err(Error::validation(format!(
            "from and to are the same person ({}): nobody can connect with themselves",
            from.name
        )));
    }
    let (lo, hi) = if from.id < to.id {
        (&from.id, &to.id)
    } else {
        (&to.id, &from.id)
    };
    let existing: Option<(String, String, String, Option<String>, i64)> = tx
        .prepare_cached(
            "SELECT id, from_id, to_id, device_id, created_at FROM connections
             WHERE event_id = ?1 AND lo_id = ?2 AND hi_id = ?3",
        )?
        .query_row([event_id, lo.as_str(), hi.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let plain = EventSettings::default();
    let (status, outcome, entry) = match existing {
        Some((id, first_from, _, device, created_at)) => {
            let (f, t) = if first_from == from.id {
                (&from, &to)
            } else {
                (&to, &from)
            };
            let connection = Connection {
                id,
                event_id: event_id.to_owned(),
                created_at,
                from: profiles::person(f, &plain),
                to: profiles::person(t, &plain),
                device_id: device,
            };
            (
                200,
                ConnectionOutcome {
                    duplicate: true,
                    connection,
                    seq: None,
                },
                None,
            )
        }
        None => {
            let id = ids::new_id();
            tx.prepare_cached(
                "INSERT INTO connections (id, event_id, from_id, to_id, lo_id, hi_id, device_id, idempotency_key, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![id, event_id, from.id, to.id, lo, hi, device_id, idempotency_key, now])?;
            let entry = if from.hidden || to.hidden {
                None
            } else {
                Some(log::append(tx, event_id, now, |seq| {
                    ServerMessage::Connection {
                        event_id: event_id.to_owned(),
                        seq,
                        created_at: now,
                        from: profiles::person(&from, &event.settings),
                        to: profiles::person(&to, &event.settings),
                    }
                })?)
            };
            let connection = Connection {
                id,
                event_id: event_id.to_owned(),
                created_at: now,
                from: profiles::person(&from, &plain),
                to: profiles::person(&to, &plain),
                device_id: device_id.map(str::to_owned),
            };
            let seq = entry.as_ref().map(|e| e.seq);
            (
                201,
                ConnectionOutcome {
                    duplicate: false,
                    connection,
                    seq,
                },
                entry,
            )
        }
    };
    let body = to_json(&outcome)?;
    if let Some(key) = idempotency_key {
        tx.prepare_cached(
            "INSERT INTO idempotency (event_id, key, fingerprint, status, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![event_id, key, fp, status, body, now])?;
    }
    Ok(Posted {
        status,
        body,
        entry,
    })
}

struct Row {
    id: String,
    from: Profile,
    to: Profile,
    device_id: Option<String>,
    created_at: i64,
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

/// Every connection of the event, oldest first (for admins and exports).
pub fn list(tx: &Transaction<'_>, event_id: &str) -> Result<Vec<Connection>> {
    events::get(tx, event_id)?;
    let plain = EventSettings::default();
    Ok(rows_where(tx, event_id, "?2 = ?2", "")?
        .into_iter()
        .map(|r| Connection {
            id: r.id,
            event_id: event_id.to_owned(),
            created_at: r.created_at,
            from: profiles::person(&r.from, &plain),
            to: profiles::person(&r.to, &plain),
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
    let plain = EventSettings::default();
    let connections = rows_where(tx, event_id, "(from_id = ?2 OR to_id = ?2)", profile_id)?
        .into_iter()
        .filter_map(|r| {
            let initiated = r.from.id == me.id;
            let other = if initiated { r.to } else { r.from };
            (include_hidden || !other.hidden).then(|| ProfileConnection {
                connection_id: r.id,
                person: profiles::person(&other, &plain),
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

fn removed_entry(
    tx: &Transaction<'_>,
    event_id: &str,
    r: &Row,
    now: i64,
) -> Result<Option<LogEntry>> {
    if r.from.hidden || r.to.hidden {
        return Ok(None);
    }
    Ok(Some(log::append(tx, event_id, now, |seq| {
        ServerMessage::Removed {
            event_id: event_id.to_owned(),
            seq,
            source: r.from.id.clone(),
            target: r.to.id.clone(),
        }
    })?))
}

/// Moderation: removes one connection; walls drop the link through a `removed` entry.
pub fn delete(
    tx: &Transaction<'_>,
    event_id: &str,
    connection_id: &str,
    now: i64,
) -> Result<Option<LogEntry>> {
    let row = rows_where(tx, event_id, "id = ?2", connection_id)?
        .into_iter()
        .next()
        .ok_or_else(|| {
            Error::NotFound(format!(
                "connection {connection_id:?} not found in event {event_id:?}"
            ))
        })?;
    tx.execute("DELETE FROM connections WHERE id = ?1", [connection_id])?;
    removed_entry(tx, event_id, &row, now)
}

/// Removes every connection of a person (before deleting them), logging a `removed` entry for each visible one.
pub(crate) fn delete_all_of(
    tx: &Transaction<'_>,
    event_id: &str,
    p: &Profile,
    now: i64,
) -> Result<Vec<LogEntry>> {
    let rows = rows_where(tx, event_id, "(from_id = ?2 OR to_id = ?2)", &p.id)?;
    let mut entries = Vec::new();
    for r in &rows {
        tx.execute("DELETE FROM connections WHERE id = ?1", [&r.id])?;
        entries.extend(removed_entry(tx, event_id, r, now)?);
    }
    Ok(entries)
}

/// Logs again the links of a person who was just un-hidden, so walls draw them again.
pub(crate) fn relog_visible_links(
    tx: &Transaction<'_>,
    event_id: &str,
    settings: &EventSettings,
    profile_id: &str,
    now: i64,
) -> Result<Vec<LogEntry>> {
    let rows = rows_where(tx, event_id, "(from_id = ?2 OR to_id = ?2)", profile_id)?;
    let mut entries = Vec::new();
    for r in rows.iter().filter(|r| !r.from.hidden && !r.to.hidden) {
        entries.push(log::append(tx, event_id, now, |seq| {
            ServerMessage::Connection {
                event_id: event_id.to_owned(),
                seq,
                created_at: r.created_at,
                from: profiles::person(&r.from, settings),
                to: profiles::person(&r.to, settings),
            }
        })?);
    }
    Ok(entries)
}
