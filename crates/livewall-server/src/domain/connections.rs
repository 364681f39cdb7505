//! "A met B": the one write path of a meeting, whoever reports it (a station's REST post, the original clients'
//! `/interactions`, an attendee's phone, the demo), and moderation.

use super::webhooks::{self, Link};
use crate::auth::Auth;
use crate::db::{self, log::LogEntry};
use crate::error::{Error, Result};
use crate::ids;
use crate::people;
use crate::state::AppState;
use livewall_protocol::{
    Connection, ConnectionOutcome, CreateConnection, EventSettings, Millis, Profile, ServerMessage,
    WebhookKind,
};
use rusqlite::Transaction;

/// A reported meeting.
#[derive(Debug, Clone)]
pub struct Meeting {
    pub event: String,
    pub req: CreateConnection,
    /// The station that posted it, if a station did.
    pub device: Option<String>,
    /// The client's `Idempotency-Key`: a retry with it gets the first answer again.
    pub key: Option<String>,
    /// When it happened (ms).
    pub at: Millis,
}

impl Meeting {
    /// A meeting reported now, by no device and without a key.
    pub fn now(event: impl Into<String>, req: CreateConnection) -> Self {
        Self {
            event: event.into(),
            req,
            device: None,
            key: None,
            at: ids::now_ms(),
        }
    }
}

/// What recording a meeting came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Recorded {
    /// A new pair: stored, and logged for walls when both people are visible (`seq` in the outcome).
    Created(ConnectionOutcome),
    /// They had met already: nothing changed, nothing logged.
    Duplicate(ConnectionOutcome),
    /// A retry of a keyed request: the first answer, verbatim, and whether that one created the pair.
    Replayed { created: bool, body: String },
}

impl Recorded {
    /// Whether this request (or the first one it retries) created the pair.
    pub fn created(&self) -> bool {
        match self {
            Self::Created(_) => true,
            Self::Duplicate(_) => false,
            Self::Replayed { created, .. } => *created,
        }
    }
}

/// Records one meeting and publishes what walls must see; counts it in the metrics.
pub async fn record(s: &AppState, m: Meeting) -> Result<Recorded> {
    let mut all = record_all(s, vec![m]).await?;
    all.pop()
        .ok_or_else(|| Error::Internal("a recorded meeting went missing".into()))
}

/// Records meetings in one transaction, all or none (a seeded or imported evening).
pub async fn record_all(s: &AppState, meetings: Vec<Meeting>) -> Result<Vec<Recorded>> {
    let auth = s.auth.clone();
    let recorded = s
        .write_logged(move |tx| {
            let mut out = Vec::with_capacity(meetings.len());
            let mut entries = Vec::new();
            for m in &meetings {
                let (r, entry) = record_in(tx, &auth, m)?;
                out.push(r);
                entries.extend(entry);
            }
            Ok((out, entries))
        })
        .await?;
    for r in &recorded {
        if let Recorded::Created(o) = r {
            metrics::counter!("livewall_connections_created_total").increment(1);
            tracing::debug!(
                event = %o.connection.event_id,
                from = %o.connection.from.id,
                to = %o.connection.to.id,
                seq = ?o.seq,
                "connection recorded"
            );
        }
    }
    Ok(recorded)
}

fn fingerprint(req: &CreateConnection) -> String {
    let text = serde_json::to_string(req).unwrap_or_default();
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
}

/// The rules: both people must exist in the event, nobody connects with themselves, a pair is stored once
/// (whichever way round it is reported), a new pair is logged when both are visible, and a keyed retry gets the
/// first answer.
fn record_in(
    tx: &Transaction<'_>,
    auth: &Auth,
    m: &Meeting,
) -> Result<(Recorded, Option<LogEntry>)> {
    let event = db::events::get(tx, &m.event)?;
    let fp = fingerprint(&m.req);
    if let Some(key) = &m.key
        && let Some(stored) = db::idempotency::find(tx, &m.event, key)?
    {
        if stored.fingerprint != fp {
            return Err(Error::validation(
                "this Idempotency-Key was already used for a different connection; use a new key",
            ));
        }
        return Ok((
            Recorded::Replayed {
                created: stored.created,
                body: stored.body,
            },
            None,
        ));
    }
    let from = db::profiles::resolve(tx, &m.event, "from", &m.req.from)?;
    let to = db::profiles::resolve(tx, &m.event, "to", &m.req.to)?;
    if from.id == to.id {
        return Err(Error::SamePerson(format!(
            "from and to are the same person ({}): nobody can connect with themselves",
            from.name
        )));
    }
    let (lo, hi) = db::connections::ordered(&from.id, &to.id);
    let (created, outcome, entry) = match db::connections::find_pair(tx, &m.event, lo, hi)? {
        Some(pair) => {
            let (f, t) = if pair.first_from == from.id {
                (&from, &to)
            } else {
                (&to, &from)
            };
            let outcome = ConnectionOutcome {
                duplicate: true,
                connection: answer(&m.event, pair.id, pair.created_at, f, t, pair.device_id),
                seq: None,
            };
            (false, outcome, None)
        }
        None => {
            let id = ids::new_id();
            db::connections::insert(
                tx,
                &db::connections::NewRow {
                    id: &id,
                    event_id: &m.event,
                    from: &from.id,
                    to: &to.id,
                    device_id: m.device.as_deref(),
                    idempotency_key: m.key.as_deref(),
                    created_at: m.at,
                },
            )?;
            let link = Link {
                id: &id,
                from: &from,
                to: &to,
                device_id: m.device.as_deref(),
                created_at: m.at,
            };
            webhooks::connection(tx, auth, WebhookKind::ConnectionCreated, &link, m.at)?;
            let entry = if !from.on_wall() || !to.on_wall() {
                None
            } else {
                Some(link_entry(
                    tx,
                    &m.event,
                    &event.settings,
                    m.at,
                    m.at,
                    &from,
                    &to,
                )?)
            };
            let outcome = ConnectionOutcome {
                duplicate: false,
                connection: answer(&m.event, id, m.at, &from, &to, m.device.clone()),
                seq: entry.as_ref().map(|e| e.seq),
            };
            (true, outcome, entry)
        }
    };
    if let Some(key) = &m.key {
        let body = serde_json::to_string(&outcome)
            .map_err(|e| Error::Internal(format!("cannot serialise answer: {e}")))?;
        db::idempotency::store(
            tx,
            &m.event,
            key,
            &db::idempotency::Stored {
                fingerprint: fp,
                created,
                body,
            },
            m.at,
        )?;
    }
    let recorded = if created {
        Recorded::Created(outcome)
    } else {
        Recorded::Duplicate(outcome)
    };
    Ok((recorded, entry))
}

/// The answer to the device that posted: both people by their full names (the device knows who tapped).
fn answer(
    event: &str,
    id: String,
    created_at: Millis,
    from: &Profile,
    to: &Profile,
    device_id: Option<String>,
) -> Connection {
    Connection {
        id,
        event_id: event.to_owned(),
        created_at,
        from: people::named(from),
        to: people::named(to),
        device_id,
    }
}

/// The `connection` entry walls draw a link from, with both people shown under the event's settings.
fn link_entry(
    tx: &Transaction<'_>,
    event: &str,
    settings: &EventSettings,
    created_at: Millis,
    logged_at: Millis,
    from: &Profile,
    to: &Profile,
) -> Result<LogEntry> {
    db::log::append(tx, event, logged_at, |seq| ServerMessage::Connection {
        event_id: event.to_owned(),
        seq,
        created_at,
        from: people::person(from, settings),
        to: people::person(to, settings),
    })
}

/// Moderation: removes one connection; walls drop the link through a `removed` entry.
pub async fn remove(s: &AppState, event: String, connection_id: String) -> Result<()> {
    let now = ids::now_ms();
    let auth = s.auth.clone();
    s.write_logged(move |tx| {
        let row = db::connections::row(tx, &event, &connection_id)?;
        db::connections::delete(tx, &row.id)?;
        Ok((
            (),
            removed_entry(tx, &auth, &event, &row, now)?
                .into_iter()
                .collect(),
        ))
    })
    .await
}

fn removed_entry(
    tx: &Transaction<'_>,
    auth: &Auth,
    event: &str,
    r: &db::connections::Row,
    now: Millis,
) -> Result<Option<LogEntry>> {
    let link = Link {
        id: &r.id,
        from: &r.from,
        to: &r.to,
        device_id: r.device_id.as_deref(),
        created_at: r.created_at,
    };
    webhooks::connection(tx, auth, WebhookKind::ConnectionRemoved, &link, now)?;
    // Walls never saw a link with a hidden person, so there is nothing to take down.
    if !r.from.on_wall() || !r.to.on_wall() {
        return Ok(None);
    }
    Ok(Some(db::log::append(tx, event, now, |seq| {
        ServerMessage::Removed {
            event_id: event.to_owned(),
            seq,
            source: r.from.id.clone(),
            target: r.to.id.clone(),
        }
    })?))
}

/// Removes every connection of a person (before deleting them), with a `removed` entry for each visible one.
pub(super) fn remove_all_of(
    tx: &Transaction<'_>,
    auth: &Auth,
    event: &str,
    profile_id: &str,
    now: Millis,
) -> Result<Vec<LogEntry>> {
    let mut entries = Vec::new();
    for r in db::connections::rows_of(tx, event, profile_id)? {
        db::connections::delete(tx, &r.id)?;
        entries.extend(removed_entry(tx, auth, event, &r, now)?);
    }
    Ok(entries)
}

/// Logs again the links of a person who was just un-hidden, so walls draw them again: walls dropped them when
/// the person was hidden, and only the links that still exist come back.
pub(super) fn relog_links_of(
    tx: &Transaction<'_>,
    event: &str,
    settings: &EventSettings,
    profile_id: &str,
    now: Millis,
) -> Result<Vec<LogEntry>> {
    db::connections::rows_of(tx, event, profile_id)?
        .iter()
        .filter(|r| r.from.on_wall() && r.to.on_wall())
        .map(|r| link_entry(tx, event, settings, r.created_at, now, &r.from, &r.to))
        .collect()
}
