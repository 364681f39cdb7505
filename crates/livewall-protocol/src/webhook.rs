//! Webhooks: URLs an organiser registers per event, and what livewall posts to them.
//!
//! Deliveries follow the Standard Webhooks conventions (<https://www.standardwebhooks.com/>): headers
//! `webhook-id` (the same on every retry: the receiver's idempotency key), `webhook-timestamp` (Unix seconds) and
//! `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` with the endpoint's secret
//! (`whsec_` + base64). A receiver rejects a timestamp older than its replay window (five minutes is usual).

use crate::Millis;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a webhook can be told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[ts(export)]
pub enum WebhookKind {
    /// Two people met (a new link).
    #[serde(rename = "connection.created")]
    ConnectionCreated,
    /// A link was removed by moderation.
    #[serde(rename = "connection.removed")]
    ConnectionRemoved,
    /// A person's details or consent changed.
    #[serde(rename = "person.updated")]
    PersonUpdated,
}

impl WebhookKind {
    pub const ALL: [WebhookKind; 3] = [
        Self::ConnectionCreated,
        Self::ConnectionRemoved,
        Self::PersonUpdated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConnectionCreated => "connection.created",
            Self::ConnectionRemoved => "connection.removed",
            Self::PersonUpdated => "person.updated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Whether an endpoint is being delivered to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum WebhookState {
    Active,
    /// Paused by the organiser, or after repeated failures; deliveries wait, nothing is dropped.
    Paused,
}

/// A registered endpoint, as the organiser sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Webhook {
    pub id: String,
    pub event_id: String,
    pub url: String,
    pub kinds: Vec<WebhookKind>,
    #[ts(optional, as = "Option<String>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The signing secret (`whsec_…`), for the receiver's verification.
    pub secret: String,
    pub state: WebhookState,
    /// Why it is paused (the organiser, or the failures that paused it).
    #[ts(optional, as = "Option<String>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_reason: Option<String>,
    /// Failed attempts in a row (a success resets it).
    pub failures: u32,
    /// Deliveries not yet accepted by the receiver.
    pub pending: u32,
    #[ts(type = "number")]
    pub created_at: Millis,
    #[ts(type = "number")]
    pub updated_at: Millis,
}

/// Body of `POST /api/events/{event}/webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct CreateWebhook {
    /// An `http://` or `https://` URL that accepts POSTs.
    pub url: String,
    /// What to send; absent: everything.
    #[serde(default)]
    #[ts(optional, as = "Option<Vec<WebhookKind>>")]
    pub kinds: Option<Vec<WebhookKind>>,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub description: Option<String>,
}

/// Body of `PATCH /api/events/{event}/webhooks/{id}`: absent fields are kept. `paused: false` resumes (and clears
/// the failure count).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct UpdateWebhook {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<String>")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<Vec<WebhookKind>>")]
    pub kinds: Option<Vec<WebhookKind>>,
    #[serde(
        default,
        deserialize_with = "crate::patch::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[ts(optional, as = "Option<Option<String>>")]
    pub description: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<bool>")]
    pub paused: Option<bool>,
}

/// Where one delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum DeliveryState {
    /// Waiting for its turn or its next attempt.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
}

/// One try at delivering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeliveryAttempt {
    #[ts(type = "number")]
    pub at: Millis,
    /// The receiver's HTTP status, when it answered.
    #[ts(optional, as = "Option<u16>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// What went wrong (timeout, refused, a non-2xx status), when it failed.
    #[ts(optional, as = "Option<String>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub duration_ms: u32,
}

/// One message for one endpoint, with its recent attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WebhookDelivery {
    /// Sent as `webhook-id`; the same on every attempt.
    pub id: String,
    pub webhook_id: String,
    pub kind: WebhookKind,
    /// This endpoint's message number: 1, 2, ... without gaps, in the order the changes happened (deliveries to
    /// one endpoint go in this order).
    #[ts(type = "number")]
    pub seq: u64,
    pub state: DeliveryState,
    pub attempts: u32,
    /// When the next attempt is due, while pending.
    #[ts(optional, as = "Option<f64>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<Millis>,
    #[ts(optional, as = "Option<f64>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<Millis>,
    /// The most recent attempts, newest first.
    pub recent: Vec<DeliveryAttempt>,
    /// The exact JSON body sent.
    pub body: String,
    #[ts(type = "number")]
    pub created_at: Millis,
}

/// A person as a webhook (or a lead export) may show them: contact details only with lead consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Lead {
    /// The profile id when the person consented; else a pseudonym (`anon-…`) that is stable per event.
    pub id: String,
    /// Whether the person agreed to be shared as a lead (else only `id` is set).
    pub consent: bool,
    #[ts(optional, as = "Option<f64>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_at: Option<Millis>,
    #[ts(optional, as = "Option<String>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[ts(optional, as = "Option<String>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[ts(optional, as = "Option<String>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[ts(optional, as = "Option<String>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub major: Option<String>,
}

/// The JSON body of every delivery: `{"id","type","eventId","seq","occurredAt","data"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WebhookPayload {
    /// The delivery id (also the `webhook-id` header).
    pub id: String,
    #[serde(rename = "type")]
    pub kind: WebhookKind,
    pub event_id: String,
    /// This endpoint's message number (1, 2, ... without gaps, per endpoint): a receiver can order by it and
    /// see a gap; `id` de-duplicates a message sent twice.
    #[ts(type = "number")]
    pub seq: u64,
    /// When the change happened, UTC, ISO 8601.
    pub occurred_at: String,
    pub data: WebhookData,
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
#[ts(export)]
pub enum WebhookData {
    Connection(Box<WebhookConnection>),
    Person(Box<WebhookPerson>),
}

/// `connection.created` / `connection.removed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WebhookConnection {
    pub connection_id: String,
    /// Who tapped first.
    pub from: Lead,
    pub to: Lead,
    /// When they met, UTC, ISO 8601.
    pub connected_at: String,
    #[ts(optional, as = "Option<String>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    #[ts(optional, as = "Option<String>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
}

/// `person.updated`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WebhookPerson {
    pub person: Lead,
    /// Shown on the wall.
    pub on_wall: bool,
}
