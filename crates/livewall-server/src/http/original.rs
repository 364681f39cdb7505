//! The original Live Wall's paths, answered as its backend did so its unmodified clients keep working:
//! `GET /interactions/wall?eventId=&sinceSec=` (the wall's snapshot), `GET /events` (its event picker) and
//! `POST /interactions` (an attendee's phone page: "I met this person").
//!
//! The original clients name the event `DEFAULT` (or not at all), which is the server's `--default-event`. Their
//! errors carry a top-level `message` beside livewall's `error` object. Browsers call these paths from other
//! origins, so they have CORS ([`super::cors`]).

use super::extract::{Json, Query};
use super::{connections, cors};
use crate::db;
use crate::domain::{self, connections::Meeting};
use crate::error::{Error, Result};
use crate::ids::now_ms;
use crate::request::{MaybePrincipal, bearer};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use livewall_protocol::{
    CreateConnection, LegacyInteraction, ORIGINAL_CONNECTION, OriginalAnswer, OriginalEvent,
    OriginalInteraction, PartyKey, PartyRef,
};
use serde::Deserialize;

/// The original wall's window when it sends no `sinceSec`.
const DEFAULT_SINCE_SEC: u64 = 300;

pub(crate) fn router(state: &AppState) -> Router<AppState> {
    let policy = &state.config.cors;
    let reads = Router::new()
        .route("/interactions/wall", get(wall).options(cors::options))
        .route("/events", get(events).options(cors::options))
        .layer(cors::reads(policy));
    let writes = Router::new()
        .route("/interactions", post(interaction).options(cors::options))
        .route("/interactions/", post(interaction).options(cors::options))
        .layer(cors::writes(policy));
    reads
        .merge(writes)
        .layer(axum::middleware::from_fn(cors::preflight_no_content))
}

/// The connection post. The original body `{"eventType":"CONNECTION","eventParam":<profile id>}` comes from an
/// attendee signed in with the identity provider (the caller is the ID token's `email`, in the default event);
/// livewall's own body `{"eventId","from","to"}` comes from a station or an admin, as on
/// `POST /api/events/{event}/connections`.
#[utoipa::path(post, path = "/interactions", tag = "original", security(("bearer" = [])),
    request_body = OriginalInteraction,
    responses((status = 200, body = OriginalAnswer), (status = 201, body = livewall_protocol::ConnectionOutcome),
        (status = 400, body = livewall_protocol::ErrorBody), (status = 401, body = livewall_protocol::ErrorBody),
        (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn interaction(
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> Response {
    if body.get("eventType").is_some() {
        return match original_connection(&s, &headers, body).await {
            Ok(answer) => (StatusCode::OK, axum::Json(answer)).into_response(),
            Err(e) => e.into_original_response(),
        };
    }
    livewall_connection(&s, &headers, body)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn livewall_connection(
    s: &AppState,
    headers: &HeaderMap,
    body: serde_json::Value,
) -> Result<Response> {
    let p = match bearer(headers)? {
        Some(t) => s.authenticate(t).await?,
        None => {
            return Err(Error::Unauthorized(
                "this needs a bearer token: send Authorization: Bearer <token>".into(),
            ));
        }
    };
    let req: LegacyInteraction = serde_json::from_value(body)
        .map_err(|e| Error::BadRequest(format!("the JSON body could not be read: {e}")))?;
    let create = CreateConnection {
        from: req.from,
        to: req.to,
    };
    connections::post_connection(s, &p, req.event_id, create, headers).await
}

async fn original_connection(
    s: &AppState,
    headers: &HeaderMap,
    body: serde_json::Value,
) -> Result<OriginalAnswer> {
    let idp = s.idp.as_ref().ok_or_else(|| {
        Error::Unauthorized(
            "attendee sign-in is not set up on this server (start it with --attendee-issuer, \
             --attendee-jwks-url and --attendee-audience)"
                .into(),
        )
    })?;
    let token = bearer(headers)?.ok_or_else(|| {
        Error::Unauthorized(
            "this needs the attendee's ID token: send Authorization: Bearer <token>".into(),
        )
    })?;
    let me = idp.verify(token).await?;
    let req: OriginalInteraction = serde_json::from_value(body).map_err(|e| {
        Error::BadRequest(format!(
            "the body must be {{\"eventType\":\"CONNECTION\",\"eventParam\":\"<profile id>\"}}: {e}"
        ))
    })?;
    if req.event_type != ORIGINAL_CONNECTION {
        return Err(Error::BadRequest(format!(
            "eventType {:?} is not known: the only one is {ORIGINAL_CONNECTION:?}",
            req.event_type
        )));
    }
    let event = s.config.event_named(None).ok_or_else(|| {
        Error::NotFound(
            "this server has no default event for the original clients: start it with --default-event <id>"
                .into(),
        )
    })?;
    let (ev, email, param) = (event.clone(), me.email.clone(), req.event_param.clone());
    let (caller, other) =
        s.db.read(move |tx| {
            db::events::get(tx, &ev)?;
            let caller = db::profiles::find_by_email(tx, &ev, &email)?.ok_or_else(|| {
                Error::UnknownAttendee(format!(
                    "you ({email}) are not an attendee of event {ev:?}: ask the organiser to add you"
                ))
            })?;
            let other = db::profiles::find_by_id(tx, &ev, &param)?.ok_or_else(|| {
                Error::UnknownAttendee(format!("Profile with id '{param}' could not be found"))
            })?;
            Ok((caller, other))
        })
        .await?;
    let create = CreateConnection {
        from: PartyRef::By(PartyKey::ProfileId(caller.id)),
        to: PartyRef::By(PartyKey::ProfileId(other.id)),
    };
    let mut meeting = Meeting::now(event, create);
    meeting.key = connections::idempotency_key(headers)?;
    let recorded = match domain::connections::record(s, meeting).await {
        // The original backend's own words for the one rule.
        Err(Error::SamePerson(_)) => {
            return Err(Error::BadRequest("Cannot connect with yourself".into()));
        }
        r => r?,
    };
    if recorded.created() {
        let first = other.name.split_whitespace().next().unwrap_or_default();
        Ok(OriginalAnswer {
            message: format!("Connection created with {first}"),
            name: Some(other.name),
        })
    } else {
        Ok(OriginalAnswer {
            message: "Connection has already been made".into(),
            name: None,
        })
    }
}

/// `?eventId=&sinceSec=` of the original wall path (both optional, as there).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WallParams {
    /// The event; absent or `DEFAULT` is the server's default event.
    event_id: Option<String>,
    /// Only links made in the last this many seconds, and the people in them (default 300).
    since_sec: Option<String>,
}

/// The original snapshot path: the wall of the links made in the last `sinceSec` seconds and the people in
/// them. An unknown event, or one whose wall the caller may not read, answers an empty wall as the original did
/// (so the answer does not tell whether a private event exists); a bad token is still refused.
#[utoipa::path(get, path = "/interactions/wall", tag = "original", params(WallParams),
    responses((status = 200, body = livewall_protocol::Snapshot)))]
pub(crate) async fn wall(
    State(s): State<AppState>,
    who: MaybePrincipal,
    Query(q): Query<WallParams>,
) -> Result<Response> {
    let since_sec = match q.since_sec.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_SINCE_SEC,
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n >= 0.0)
            .map(|n| n.min(1e12) as u64)
            .ok_or_else(|| {
                Error::BadRequest(format!(
                    "sinceSec {v:?} must be a number of seconds (0 or more)"
                ))
            })?,
    };
    let since =
        now_ms().saturating_sub(i64::try_from(since_sec.saturating_mul(1000)).unwrap_or(i64::MAX));
    let Some(event) = s.config.event_named(q.event_id.as_deref()) else {
        return Ok(empty_wall());
    };
    let id = event.clone();
    let public =
        s.db.read(move |tx| match db::events::get(tx, &id) {
            Ok(e) => Ok(Some(e.settings.public_wall)),
            Err(Error::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        })
        .await?;
    let Some(public) = public else {
        return Ok(empty_wall());
    };
    match who.require_read(&event, public) {
        Ok(()) => {}
        Err(Error::Unauthorized(_)) => return Ok(empty_wall()),
        Err(e) => return Err(e),
    }
    let snap =
        s.db.read(move |tx| db::wall::snapshot_since(tx, &event, Some(since)))
            .await?;
    let mut res = axum::Json(snap).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(res)
}

fn empty_wall() -> Response {
    let mut res = axum::Json(serde_json::json!({"type": "snapshot", "nodes": [], "links": []}))
        .into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// The original event picker's list: every event with a public wall, newest first.
#[utoipa::path(get, path = "/events", tag = "original",
    responses((status = 200, body = [OriginalEvent])))]
pub(crate) async fn events(State(s): State<AppState>) -> Result<Json<Vec<OriginalEvent>>> {
    let events = s.db.read(db::events::list).await?;
    Ok(Json(
        events
            .into_iter()
            .filter(|e| e.settings.public_wall)
            .map(|e| {
                let year = e
                    .starts_at
                    .as_deref()
                    .and_then(|d| d.get(..4))
                    .and_then(|y| y.parse().ok())
                    .unwrap_or_else(|| {
                        let (date, _) = crate::ids::iso_utc(e.created_at);
                        date.get(..4)
                            .and_then(|y| y.parse().ok())
                            .unwrap_or_default()
                    });
                OriginalEvent {
                    id: e.id,
                    ename: e.name,
                    year,
                    start_date: e.starts_at,
                    end_date: e.ends_at,
                }
            })
            .collect(),
    ))
}
