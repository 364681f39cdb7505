//! The webhook sender: posts queued messages ([`crate::domain::webhooks`] queues them, in the transaction of the
//! change) to their endpoints, signed, one at a time per endpoint in order, many endpoints at once.
//!
//! At least once: a message is marked delivered only after a 2xx answer, so a crash mid-send sends it again on
//! restart with the same `webhook-id` for the receiver to de-duplicate. A slow or failing endpoint never holds up
//! another one: each send is its own task, bounded by the configured timeout.

use crate::db::{self, webhooks::Due};
use crate::domain::webhooks::{self as rules, Outcome};
use crate::ids;
use crate::state::AppState;
use livewall_protocol::DeliveryAttempt;
use std::collections::HashSet;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// The `webhook-signature` value of a Standard Webhooks message: `v1,` and the base64 HMAC-SHA256, keyed by the
/// secret's bytes (the base64 after `whsec_`), of `{id}.{timestamp}.{body}`.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = secret
        .strip_prefix("whsec_")
        .and_then(|k| b64.decode(k).ok())
        .unwrap_or_else(|| secret.as_bytes().to_vec());
    let mac = crate::auth::hmac_sha256(&key, format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", b64.encode(mac))
}

/// Longest idle wait between two looks at the queue (a message queued by another process is found by then).
const IDLE: Duration = Duration::from_secs(30);
/// How many endpoints are sent to at once.
const IN_FLIGHT: usize = 32;

/// Sends until the server shuts down.
pub fn spawn(state: AppState) {
    tokio::spawn(run(state));
}

async fn run(s: AppState) {
    let client = match reqwest::Client::builder()
        .timeout(s.config.webhooks.timeout)
        .connect_timeout(s.config.webhooks.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("livewall-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the webhook sender");
            return;
        }
    };
    let mut flying: JoinSet<(Due, Outcome)> = JoinSet::new();
    let mut busy: HashSet<String> = HashSet::new();
    let mut last_prune = Instant::now();
    loop {
        let now = ids::now_ms();
        let wait = match s
            .db
            .read(move |tx| db::webhooks::due(tx, now, IN_FLIGHT as u32 * 2))
            .await
        {
            Ok((ready, next)) => {
                for d in ready {
                    if flying.len() >= IN_FLIGHT || busy.contains(&d.webhook_id) {
                        continue;
                    }
                    busy.insert(d.webhook_id.clone());
                    flying.spawn(send(client.clone(), d));
                }
                next.map_or(IDLE, |t| {
                    Duration::from_millis(
                        (t - ids::now_ms()).clamp(0, IDLE.as_millis() as i64) as u64
                    )
                })
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the webhook queue; trying again");
                Duration::from_secs(1)
            }
        };
        if last_prune.elapsed() > Duration::from_secs(3600) {
            last_prune = Instant::now();
            if let Err(e) = rules::prune(&s).await {
                tracing::warn!(error = %e, "cannot prune old webhook deliveries");
            }
        }
        tokio::select! {
            Some(done) = flying.join_next(), if !flying.is_empty() => {
                match done {
                    Ok((due, outcome)) => {
                        busy.remove(&due.webhook_id);
                        if let Err(e) = rules::record(&s, &due, outcome).await {
                            // Not recorded: the message stays pending and is sent again (at least once).
                            tracing::warn!(error = %e, delivery = %due.delivery_id, "cannot record a webhook attempt");
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "a webhook send task failed");
                        busy.clear();
                    }
                }
            }
            _ = s.webhooks.rung() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = s.shutdown.cancelled() => break,
        }
    }
}

async fn send(client: reqwest::Client, d: Due) -> (Due, Outcome) {
    let started = Instant::now();
    let at = ids::now_ms();
    let timestamp = at / 1000;
    let res = client
        .post(&d.url)
        .header("content-type", "application/json")
        .header("webhook-id", &d.delivery_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header(
            "webhook-signature",
            signature(&d.secret, &d.delivery_id, timestamp, &d.body),
        )
        .body(d.body.clone())
        .send()
        .await;
    let (status, error) = match res {
        Ok(r) if r.status().is_success() => (Some(r.status().as_u16()), None),
        Ok(r) => (
            Some(r.status().as_u16()),
            Some(format!("the receiver answered {}", r.status())),
        ),
        Err(e) if e.is_timeout() => (None, Some("no answer in time (timeout)".to_owned())),
        Err(e) if e.is_connect() => (None, Some(format!("cannot connect: {}", root_cause(&e)))),
        Err(e) => (None, Some(root_cause(&e))),
    };
    let delivered = error.is_none();
    if delivered {
        metrics::counter!("livewall_webhook_deliveries_total", "outcome" => "delivered")
            .increment(1);
    } else {
        metrics::counter!("livewall_webhook_deliveries_total", "outcome" => "failed").increment(1);
        tracing::debug!(delivery = %d.delivery_id, url = %d.url, error = ?error, "webhook attempt failed");
    }
    let attempt = DeliveryAttempt {
        at,
        status,
        error,
        duration_ms: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
    };
    (d, Outcome { attempt, delivered })
}

/// The innermost error's message ("Connection refused (os error 111)"), which says what happened.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn signature_matches_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification (spec/standard-webhooks.md).
        let sig = super::signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}
