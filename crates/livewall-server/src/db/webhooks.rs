//! Queries on `webhooks` (endpoints), `webhook_deliveries` (the outbox) and `webhook_attempts`.

use crate::error::{Error, Result};
use livewall_protocol::{
    DeliveryAttempt, DeliveryState, Webhook, WebhookDelivery, WebhookKind, WebhookState,
};
use rusqlite::{OptionalExtension, Row, Transaction, params};

const COLUMNS: &str = "w.id, w.event_id, w.url, w.secret, w.kinds, w.description, w.paused, w.paused_reason, \
     w.failures, w.created_at, w.updated_at, \
     (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.delivered_at IS NULL)";

fn kinds_of(text: &str) -> Vec<WebhookKind> {
    serde_json::from_str::<Vec<String>>(text)
        .unwrap_or_default()
        .iter()
        .filter_map(|k| WebhookKind::parse(k))
        .collect()
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Webhook> {
    let kinds: String = r.get(4)?;
    let paused: bool = r.get(6)?;
    Ok(Webhook {
        id: r.get(0)?,
        event_id: r.get(1)?,
        url: r.get(2)?,
        secret: r.get(3)?,
        kinds: kinds_of(&kinds),
        description: r.get(5)?,
        state: if paused {
            WebhookState::Paused
        } else {
            WebhookState::Active
        },
        paused_reason: r.get(7)?,
        failures: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
        pending: r.get(11)?,
    })
}

/// What an endpoint row holds, validated by the domain.
pub struct NewWebhook<'a> {
    pub id: &'a str,
    pub event_id: &'a str,
    pub url: &'a str,
    pub secret: &'a str,
    pub kinds: &'a [WebhookKind],
    pub description: Option<&'a str>,
    pub now: i64,
}

fn kinds_text(kinds: &[WebhookKind]) -> String {
    serde_json::to_string(&kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into())
}

pub fn insert(tx: &Transaction<'_>, w: &NewWebhook<'_>) -> Result<Webhook> {
    tx.execute(
        "INSERT INTO webhooks (id, event_id, url, secret, kinds, description, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![
            w.id,
            w.event_id,
            w.url,
            w.secret,
            kinds_text(w.kinds),
            w.description,
            w.now
        ],
    )?;
    get(tx, w.event_id, w.id)
}

/// The endpoint, or 404.
pub fn get(tx: &Transaction<'_>, event_id: &str, id: &str) -> Result<Webhook> {
    tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM webhooks w WHERE w.id = ?1 AND w.event_id = ?2"
    ))?
    .query_row([id, event_id], from_row)
    .optional()?
    .ok_or_else(|| Error::NotFound(format!("webhook {id:?} not found in event {event_id:?}")))
}

/// How many endpoints exist, on every event.
pub fn count(tx: &Transaction<'_>) -> Result<usize> {
    let n: i64 = tx.query_row("SELECT COUNT(*) FROM webhooks", [], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// The event's endpoints, oldest first.
pub fn list(tx: &Transaction<'_>, event_id: &str) -> Result<Vec<Webhook>> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM webhooks w WHERE w.event_id = ?1 ORDER BY w.created_at, w.rowid"
    ))?;
    let rows = stmt.query_map([event_id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The endpoints of the event that want `kind`, with the number their next message gets (taken now).
pub fn subscribers(
    tx: &Transaction<'_>,
    event_id: &str,
    kind: WebhookKind,
) -> Result<Vec<(String, u64)>> {
    let mut stmt =
        tx.prepare_cached("SELECT id, kinds FROM webhooks WHERE event_id = ?1 ORDER BY rowid")?;
    let ids: Vec<String> = stmt
        .query_map([event_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .filter_map(|r| match r {
            Ok((id, kinds)) => kinds_of(&kinds).contains(&kind).then_some(Ok(id)),
            Err(e) => Some(Err(e)),
        })
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let seq: i64 = tx.query_row(
            "UPDATE webhooks SET last_seq = last_seq + 1 WHERE id = ?1 RETURNING last_seq",
            [&id],
            |r| r.get(0),
        )?;
        out.push((id, seq.max(0) as u64));
    }
    Ok(out)
}

/// Saves an edited endpoint.
pub fn save(tx: &Transaction<'_>, w: &Webhook, now: i64) -> Result<()> {
    tx.execute(
        "UPDATE webhooks SET url = ?2, kinds = ?3, description = ?4, paused = ?5, paused_reason = ?6,
             failures = ?7, updated_at = ?8 WHERE id = ?1",
        params![
            w.id,
            w.url,
            kinds_text(&w.kinds),
            w.description,
            w.state == WebhookState::Paused,
            w.paused_reason,
            w.failures,
            now
        ],
    )?;
    Ok(())
}

pub fn delete(tx: &Transaction<'_>, event_id: &str, id: &str) -> Result<()> {
    let n = tx.execute(
        "DELETE FROM webhooks WHERE id = ?1 AND event_id = ?2",
        [id, event_id],
    )?;
    if n == 0 {
        return Err(Error::NotFound(format!(
            "webhook {id:?} not found in event {event_id:?}"
        )));
    }
    Ok(())
}

/// Queues one message for one endpoint.
pub fn enqueue(
    tx: &Transaction<'_>,
    id: &str,
    webhook_id: &str,
    seq: u64,
    kind: WebhookKind,
    body: &str,
    now: i64,
) -> Result<()> {
    tx.execute(
        "INSERT INTO webhook_deliveries (id, webhook_id, seq, kind, body, next_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![id, webhook_id, seq as i64, kind.as_str(), body, now],
    )?;
    Ok(())
}

/// A message whose turn it is: the oldest undelivered one of an active endpoint, due now.
#[derive(Debug, Clone)]
pub struct Due {
    pub delivery_id: String,
    pub webhook_id: String,
    pub url: String,
    pub secret: String,
    pub body: String,
    pub attempts: u32,
}

/// Each active endpoint's head message (deliveries to one endpoint go one at a time, in order), when due by
/// `now`; and the earliest time a head that is not yet due will be.
pub fn due(tx: &Transaction<'_>, now: i64, limit: u32) -> Result<(Vec<Due>, Option<i64>)> {
    let mut stmt = tx.prepare_cached(
        "SELECT d.id, w.id, w.url, w.secret, d.body, d.attempts, d.next_at FROM webhooks w
         JOIN webhook_deliveries d ON d.id = (
             SELECT id FROM webhook_deliveries WHERE webhook_id = w.id AND delivered_at IS NULL
             ORDER BY seq LIMIT 1)
         WHERE w.paused = 0 ORDER BY d.next_at",
    )?;
    let mut ready = Vec::new();
    let mut next = None;
    let rows = stmt.query_map([], |r| {
        Ok((
            Due {
                delivery_id: r.get(0)?,
                webhook_id: r.get(1)?,
                url: r.get(2)?,
                secret: r.get(3)?,
                body: r.get(4)?,
                attempts: r.get(5)?,
            },
            r.get::<_, i64>(6)?,
        ))
    })?;
    for row in rows {
        let (d, at) = row?;
        if at <= now && ready.len() < limit as usize {
            ready.push(d);
        } else if at > now {
            next = Some(next.map_or(at, |n: i64| n.min(at)));
        } else {
            next = Some(now);
        }
    }
    Ok((ready, next))
}

/// Records one attempt; `next_at` `None` marks the delivery done.
pub fn record_attempt(
    tx: &Transaction<'_>,
    delivery_id: &str,
    a: &DeliveryAttempt,
    next_at: Option<i64>,
) -> Result<u32> {
    let attempts: u32 = tx
        .query_row(
            "UPDATE webhook_deliveries SET attempts = attempts + 1,
                 delivered_at = CASE WHEN ?2 IS NULL THEN ?3 ELSE NULL END, next_at = COALESCE(?2, next_at)
             WHERE id = ?1 RETURNING attempts",
            params![delivery_id, next_at, a.at],
            |r| r.get(0),
        )
        .optional()?
        // Deleted with its endpoint while in flight: nothing to record.
        .unwrap_or(0);
    if attempts > 0 {
        tx.execute(
            "INSERT OR REPLACE INTO webhook_attempts (delivery_id, n, at, status, error, duration_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![delivery_id, attempts, a.at, a.status, a.error, a.duration_ms],
        )?;
        // Only the recent attempts are kept.
        tx.execute(
            "DELETE FROM webhook_attempts WHERE delivery_id = ?1 AND n <= ?2",
            params![delivery_id, attempts.saturating_sub(ATTEMPTS_KEPT)],
        )?;
    }
    Ok(attempts)
}

/// How many attempts of one delivery are kept for the organiser to look at.
const ATTEMPTS_KEPT: u32 = 10;

/// The endpoint's failure count after an attempt: reset by a success, else one more. Answers the new count.
pub fn count_failure(tx: &Transaction<'_>, webhook_id: &str, failed: bool) -> Result<u32> {
    Ok(tx
        .query_row(
            "UPDATE webhooks SET failures = CASE WHEN ?2 THEN failures + 1 ELSE 0 END WHERE id = ?1
             RETURNING failures",
            params![webhook_id, failed],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

/// Pauses an endpoint (deliveries wait).
pub fn pause(tx: &Transaction<'_>, webhook_id: &str, reason: &str, now: i64) -> Result<()> {
    tx.execute(
        "UPDATE webhooks SET paused = 1, paused_reason = ?2, updated_at = ?3 WHERE id = ?1",
        params![webhook_id, reason, now],
    )?;
    Ok(())
}

fn delivery_from_row(r: &Row<'_>) -> rusqlite::Result<WebhookDelivery> {
    let kind: String = r.get(2)?;
    let delivered_at: Option<i64> = r.get(6)?;
    Ok(WebhookDelivery {
        id: r.get(0)?,
        webhook_id: r.get(1)?,
        kind: WebhookKind::parse(&kind).unwrap_or(WebhookKind::ConnectionCreated),
        seq: r.get::<_, i64>(3)?.max(0) as u64,
        body: r.get(4)?,
        attempts: r.get(5)?,
        state: if delivered_at.is_some() {
            DeliveryState::Delivered
        } else {
            DeliveryState::Pending
        },
        next_attempt_at: if delivered_at.is_some() {
            None
        } else {
            Some(r.get(7)?)
        },
        delivered_at,
        created_at: r.get(8)?,
        recent: Vec::new(),
    })
}

const DELIVERY_COLUMNS: &str =
    "id, webhook_id, kind, seq, body, attempts, delivered_at, next_at, created_at";

fn attempts_of(tx: &Transaction<'_>, delivery_id: &str) -> Result<Vec<DeliveryAttempt>> {
    let mut stmt = tx.prepare_cached(
        "SELECT at, status, error, duration_ms FROM webhook_attempts WHERE delivery_id = ?1 ORDER BY n DESC",
    )?;
    let rows = stmt.query_map([delivery_id], |r| {
        Ok(DeliveryAttempt {
            at: r.get(0)?,
            status: r.get(1)?,
            error: r.get(2)?,
            duration_ms: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The endpoint's most recent messages, newest first, with their attempts.
pub fn deliveries(
    tx: &Transaction<'_>,
    webhook_id: &str,
    limit: u32,
) -> Result<Vec<WebhookDelivery>> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = ?1 ORDER BY seq DESC LIMIT ?2"
    ))?;
    let mut list = stmt
        .query_map(params![webhook_id, limit], delivery_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for d in &mut list {
        d.recent = attempts_of(tx, &d.id)?;
    }
    Ok(list)
}

/// One message of the endpoint, or 404.
pub fn delivery(tx: &Transaction<'_>, webhook_id: &str, id: &str) -> Result<WebhookDelivery> {
    let mut d = tx
        .prepare_cached(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?1 AND webhook_id = ?2"
        ))?
        .query_row([id, webhook_id], delivery_from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("delivery {id:?} not found")))?;
    d.recent = attempts_of(tx, &d.id)?;
    Ok(d)
}

/// Queues a message again (delivered or not), due at once, with the same id.
pub fn requeue(tx: &Transaction<'_>, id: &str, now: i64) -> Result<()> {
    tx.execute(
        "UPDATE webhook_deliveries SET delivered_at = NULL, next_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// Forgets delivered messages older than `before` (pending ones are kept whatever their age).
pub fn prune(tx: &Transaction<'_>, before: i64) -> Result<usize> {
    Ok(tx.execute(
        "DELETE FROM webhook_deliveries WHERE delivered_at IS NOT NULL AND delivered_at < ?1",
        [before],
    )?)
}
