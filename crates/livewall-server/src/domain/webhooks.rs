//! Webhooks: which endpoints an organiser may register, what each change tells them, and how a failed attempt
//! is retried and when an endpoint is paused. Messages are queued in the transaction of the change they tell
//! about (so a crash between the commit and the send cannot lose one); [`crate::delivery`] sends them.

use crate::auth::Auth;
use crate::config::WebhookConfig;
use crate::db;
use crate::error::{Error, Result};
use crate::ids;
use crate::people;
use crate::state::AppState;
use livewall_protocol::{
    CreateWebhook, DeliveryAttempt, Millis, Profile, UpdateWebhook, Webhook, WebhookConnection,
    WebhookData, WebhookDelivery, WebhookKind, WebhookPayload, WebhookPerson, WebhookState,
};
use rand::Rng;
use rusqlite::Transaction;

/// Endpoints per event: enough for a CRM, an automation tool and a spare.
const MAX_PER_EVENT: usize = 10;

fn check_url(url: &str) -> Result<String> {
    let url = url.trim();
    let parsed = url::Url::parse(url)
        .map_err(|e| Error::validation(format!("url {url:?} is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::validation(format!(
            "url {url:?} must be an http:// or https:// address"
        )));
    }
    if url.len() > 2048 {
        return Err(Error::validation("url must be at most 2048 characters"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::validation(
            "url must not carry a user name or password: the signature proves who is calling",
        ));
    }
    Ok(url.to_owned())
}

fn check_kinds(kinds: Option<Vec<WebhookKind>>) -> Result<Vec<WebhookKind>> {
    let mut kinds = kinds.unwrap_or_else(|| WebhookKind::ALL.to_vec());
    kinds.sort();
    kinds.dedup();
    if kinds.is_empty() {
        return Err(Error::validation(
            "kinds must name at least one of connection.created, connection.removed, person.updated",
        ));
    }
    Ok(kinds)
}

fn check_description(d: Option<&str>) -> Result<Option<String>> {
    match d.map(str::trim) {
        None | Some("") => Ok(None),
        Some(d) if d.chars().count() <= 200 => Ok(Some(d.to_owned())),
        Some(_) => Err(Error::validation(
            "description must be at most 200 characters",
        )),
    }
}

/// A new signing secret: `whsec_` and 24 random bytes in base64 (the Standard Webhooks form).
fn new_secret() -> String {
    use base64::Engine;
    let bytes: [u8; 24] = rand::rng().random();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// Registers an endpoint for the event's changes from now on.
pub async fn create(s: &AppState, event: String, req: CreateWebhook) -> Result<Webhook> {
    let url = check_url(&req.url)?;
    let kinds = check_kinds(req.kinds)?;
    let description = check_description(req.description.as_deref())?;
    let now = ids::now_ms();
    s.db.write(move |tx| {
        db::events::get(tx, &event)?;
        if db::webhooks::list(tx, &event)?.len() >= MAX_PER_EVENT {
            return Err(Error::Conflict(format!(
                "an event can have at most {MAX_PER_EVENT} webhooks: delete one first"
            )));
        }
        let id = format!("wh_{}", ids::new_id());
        let w = db::webhooks::insert(
            tx,
            &db::webhooks::NewWebhook {
                id: &id,
                event_id: &event,
                url: &url,
                secret: &new_secret(),
                kinds: &kinds,
                description: description.as_deref(),
                now,
            },
        )?;
        Ok((w, db::webhooks::count(tx)?))
    })
    .await
    .map(|(w, endpoints)| {
        s.webhooks.set_endpoints(endpoints);
        w
    })
}

/// Edits an endpoint; resuming it clears its failures, and its waiting messages go out at once.
pub async fn update(
    s: &AppState,
    event: String,
    id: String,
    req: UpdateWebhook,
) -> Result<Webhook> {
    let url = req.url.as_deref().map(check_url).transpose()?;
    let kinds = req.kinds.map(|k| check_kinds(Some(k))).transpose()?;
    let description = match &req.description {
        Some(d) => Some(check_description(d.as_deref())?),
        None => None,
    };
    let now = ids::now_ms();
    let w =
        s.db.write(move |tx| {
            let mut w = db::webhooks::get(tx, &event, &id)?;
            if let Some(u) = url {
                w.url = u;
            }
            if let Some(k) = kinds {
                w.kinds = k;
            }
            if let Some(d) = description {
                w.description = d;
            }
            match req.paused {
                Some(true) if w.state == WebhookState::Active => {
                    w.state = WebhookState::Paused;
                    w.paused_reason = Some("paused by the organiser".into());
                }
                Some(false) => {
                    w.state = WebhookState::Active;
                    w.paused_reason = None;
                    w.failures = 0;
                }
                _ => {}
            }
            db::webhooks::save(tx, &w, now)?;
            db::webhooks::get(tx, &event, &id)
        })
        .await?;
    s.webhooks.ring();
    Ok(w)
}

pub async fn delete(s: &AppState, event: String, id: String) -> Result<()> {
    let endpoints =
        s.db.write(move |tx| {
            db::webhooks::delete(tx, &event, &id)?;
            db::webhooks::count(tx)
        })
        .await?;
    s.webhooks.set_endpoints(endpoints);
    Ok(())
}

pub async fn list(s: &AppState, event: String) -> Result<Vec<Webhook>> {
    s.db.read(move |tx| {
        db::events::get(tx, &event)?;
        db::webhooks::list(tx, &event)
    })
    .await
}

/// The endpoint's recent messages, newest first.
pub async fn deliveries(
    s: &AppState,
    event: String,
    id: String,
    limit: u32,
) -> Result<Vec<WebhookDelivery>> {
    s.db.read(move |tx| {
        db::webhooks::get(tx, &event, &id)?;
        db::webhooks::deliveries(tx, &id, limit.clamp(1, 500))
    })
    .await
}

/// "Send again": the message goes out once more with the same id (the receiver's idempotency key), now.
pub async fn resend(
    s: &AppState,
    event: String,
    id: String,
    delivery: String,
) -> Result<WebhookDelivery> {
    let now = ids::now_ms();
    let d =
        s.db.write(move |tx| {
            db::webhooks::get(tx, &event, &id)?;
            db::webhooks::delivery(tx, &id, &delivery)?;
            db::webhooks::requeue(tx, &delivery, now)?;
            db::webhooks::delivery(tx, &id, &delivery)
        })
        .await?;
    s.webhooks.ring();
    Ok(d)
}

/// Queues `data` for every endpoint of the event that wants `kind`, in the caller's transaction (`data` is only
/// built when one does).
fn enqueue(
    tx: &Transaction<'_>,
    event_id: &str,
    kind: WebhookKind,
    data: impl FnOnce() -> Result<WebhookData>,
    at: Millis,
) -> Result<usize> {
    let subscribers = db::webhooks::subscribers(tx, event_id, kind)?;
    if subscribers.is_empty() {
        return Ok(0);
    }
    let data = data()?;
    for (webhook_id, seq) in &subscribers {
        let id = format!("msg_{}", ids::new_id());
        let body = serde_json::to_string(&WebhookPayload {
            id: id.clone(),
            kind,
            event_id: event_id.to_owned(),
            seq: *seq,
            occurred_at: ids::rfc3339(at),
            data: data.clone(),
        })
        .map_err(|e| Error::Internal(format!("cannot serialise a webhook message: {e}")))?;
        db::webhooks::enqueue(tx, &id, webhook_id, *seq, kind, &body, at)?;
    }
    Ok(subscribers.len())
}

fn lead(auth: &Auth, p: &Profile) -> livewall_protocol::Lead {
    people::lead(p, || auth.pseudonym(&p.event_id, &p.id))
}

/// A link between two people: `connection.created` or `connection.removed`.
pub(crate) struct Link<'a> {
    pub id: &'a str,
    pub from: &'a Profile,
    pub to: &'a Profile,
    pub device_id: Option<&'a str>,
    pub created_at: Millis,
}

fn link_data(tx: &Transaction<'_>, auth: &Auth, l: &Link<'_>) -> Result<WebhookData> {
    let device_name = match l.device_id {
        Some(d) => db::devices::get(tx, &l.from.event_id, d)
            .ok()
            .map(|d| d.name),
        None => None,
    };
    Ok(WebhookData::Connection(Box::new(WebhookConnection {
        connection_id: l.id.to_owned(),
        from: lead(auth, l.from),
        to: lead(auth, l.to),
        connected_at: ids::rfc3339(l.created_at),
        device_id: l.device_id.map(str::to_owned),
        device_name,
    })))
}

/// Tells the event's endpoints that two people met (`ConnectionCreated`) or that their link was removed
/// (`ConnectionRemoved`).
pub(crate) fn connection(
    tx: &Transaction<'_>,
    auth: &Auth,
    kind: WebhookKind,
    l: &Link<'_>,
    at: Millis,
) -> Result<usize> {
    enqueue(tx, &l.from.event_id, kind, || link_data(tx, auth, l), at)
}

/// Tells the event's endpoints that a person changed (details, moderation or consent).
pub(crate) fn person_updated(
    tx: &Transaction<'_>,
    auth: &Auth,
    p: &Profile,
    at: Millis,
) -> Result<usize> {
    let data = || {
        Ok(WebhookData::Person(Box::new(WebhookPerson {
            person: lead(auth, p),
            on_wall: p.on_wall(),
        })))
    };
    enqueue(tx, &p.event_id, WebhookKind::PersonUpdated, data, at)
}

/// The wait before attempt `n + 1` after `n` failed ones: doubling from the base up to the cap, then a random
/// part of it ("equal jitter": between half and all of it), so receivers that fail together do not get their
/// retries together.
pub fn backoff(cfg: &WebhookConfig, failed_attempts: u32) -> std::time::Duration {
    let base = cfg.retry_base.as_millis() as u64;
    let cap = cfg.retry_max.as_millis() as u64;
    let exp = failed_attempts.saturating_sub(1).min(30);
    let full = base.saturating_mul(1u64 << exp).min(cap);
    let half = full / 2;
    std::time::Duration::from_millis(half + rand::rng().random_range(0..=full - half))
}

/// What one attempt came to.
pub struct Outcome {
    pub attempt: DeliveryAttempt,
    pub delivered: bool,
}

/// Records an attempt: done when delivered, else due again after [`backoff`]; pauses the endpoint after
/// `pause_after` failures in a row (its messages wait, nothing is dropped).
pub async fn record(s: &AppState, due: &db::webhooks::Due, outcome: Outcome) -> Result<()> {
    let cfg = s.config.webhooks.clone();
    let (delivery, webhook) = (due.delivery_id.clone(), due.webhook_id.clone());
    let attempts = due.attempts + 1;
    s.db.write(move |tx| {
        let now = outcome.attempt.at;
        let next = (!outcome.delivered).then(|| now + backoff(&cfg, attempts).as_millis() as i64);
        db::webhooks::record_attempt(tx, &delivery, &outcome.attempt, next)?;
        let failures = db::webhooks::count_failure(tx, &webhook, !outcome.delivered)?;
        if !outcome.delivered && failures >= cfg.pause_after {
            let last = outcome.attempt.error.as_deref().unwrap_or("no answer");
            db::webhooks::pause(
                tx,
                &webhook,
                &format!("paused after {failures} failed attempts in a row (last: {last})"),
                now,
            )?;
            tracing::warn!(webhook = %webhook, failures, "webhook paused after repeated failures");
        }
        Ok(())
    })
    .await
}

/// Forgets delivered messages older than the configured age.
pub async fn prune(s: &AppState) -> Result<usize> {
    let before = ids::now_ms() - s.config.webhooks.keep.as_millis() as i64;
    s.db.write(move |tx| db::webhooks::prune(tx, before)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_cap() {
        let cfg = WebhookConfig {
            retry_base: std::time::Duration::from_millis(1000),
            retry_max: std::time::Duration::from_millis(10_000),
            ..WebhookConfig::default()
        };
        for _ in 0..200 {
            let ms = |n| backoff(&cfg, n).as_millis() as u64;
            assert!((500..=1000).contains(&ms(1)));
            assert!((1000..=2000).contains(&ms(2)));
            assert!((4000..=8000).contains(&ms(4)));
            assert!((5000..=10_000).contains(&ms(5)));
            assert!((5000..=10_000).contains(&ms(40)));
        }
    }

    #[test]
    fn urls_must_be_plain_http() {
        assert!(check_url("https://crm.example.com/hooks?x=1").is_ok());
        for bad in [
            "ftp://x",
            "not a url",
            "https://user:pw@example.com/",
            "javascript:alert(1)",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }
}
