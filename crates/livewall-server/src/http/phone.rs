//! The attendee phone flow: a badge's NFC link opens `GET /p/{profileId}` on a phone, a plain mobile page (no
//! front-end build) showing the person, where someone else can connect by giving their own e-mail. It posts
//! through the original flow (both must be attendees of the event, nobody connects with themselves, a repeat is
//! friendly), with per-IP and per-profile rate limits.

use super::extract::Path;
use crate::db;
use crate::error::Error;
use crate::ids::now_ms;
use crate::state::AppState;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use livewall_protocol::{CreateConnection, PartyKey, PartyRef, Profile};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

/// Rate limits of the connect form.
pub(crate) struct Limits {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_profile: DefaultKeyedRateLimiter<String>,
}

impl Limits {
    fn new() -> Self {
        let quota = |per_minute: u32, burst: u32| {
            Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN))
                .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
        };
        Self {
            per_ip: RateLimiter::keyed(quota(10, 5)),
            per_profile: RateLimiter::keyed(quota(30, 10)),
        }
    }
}

pub(crate) fn router() -> Router<AppState> {
    let limits = Arc::new(Limits::new());
    let sweep = limits.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            every.tick().await;
            sweep.per_ip.retain_recent();
            sweep.per_profile.retain_recent();
            if Arc::strong_count(&sweep) == 1 {
                break;
            }
        }
    });
    Router::new()
        .route("/p/{profile}", get(page))
        .route("/p/{profile}/connect", post(connect))
        .layer(Extension(limits))
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn layout(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="dark"><title>{title}</title><style>
body{{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#0f1420;color:#eef2f8;display:flex;min-height:100vh;align-items:center;justify-content:center}}
main{{width:min(92vw,26rem);padding:1.5rem;text-align:center}}
.photo{{width:8rem;height:8rem;border-radius:50%;object-fit:cover;background:#2a3550;display:block;margin:0 auto 1rem;font-size:3rem;line-height:8rem;font-weight:700}}
h1{{font-size:1.7rem;margin:.2rem 0;overflow-wrap:anywhere}} .sub{{color:#9fb0cc;margin:.2rem 0 1.5rem}}
form{{display:flex;flex-direction:column;gap:.7rem}} label{{text-align:left;font-size:.95rem;color:#c9d5ea}}
input{{font-size:1.1rem;padding:.8rem;border-radius:.6rem;border:1px solid #3b4a6b;background:#182036;color:#fff}}
button,.button{{font-size:1.15rem;padding:.85rem;border:0;border-radius:.6rem;background:#4f8cff;color:#fff;font-weight:600;text-decoration:none}}
.ok{{color:#7ee2a8}} .warn{{color:#ffd479}} .err{{color:#ff9a9a}} small{{color:#7d8aa5}}
</style></head><body><main>{body}</main></body></html>"#,
        title = esc(title)
    );
    (status, Html(html)).into_response()
}

fn message_page(
    status: StatusCode,
    class: &str,
    heading: &str,
    text: &str,
    back: Option<&str>,
) -> Response {
    let back = back
        .map(|id| format!(r#"<p><a class="button" href="/p/{}">Back</a></p>"#, esc(id)))
        .unwrap_or_default();
    layout(
        status,
        heading,
        &format!(
            r#"<h1 class="{class}">{}</h1><p class="sub">{}</p>{back}"#,
            esc(heading),
            esc(text)
        ),
    )
}

/// The photo, falling back to initials when there is none or it fails to load; the image host is not told which
/// profile page it is on.
fn photo(p: &Profile) -> String {
    let initials = esc(&crate::validate::initials(&p.name));
    match &p.avatar {
        Some(url) => format!(
            r#"<img class="photo" src="{}" alt="" referrerpolicy="no-referrer" onerror="this.hidden=true;this.nextElementSibling.hidden=false"><div class="photo" hidden>{initials}</div>"#,
            esc(url)
        ),
        None => format!(r#"<div class="photo">{initials}</div>"#),
    }
}

async fn visible_profile(s: &AppState, id: String) -> Result<(Profile, String), Response> {
    let found =
        s.db.read(move |tx| {
            let Some(p) = db::profiles::find_any(tx, &id)? else {
                return Ok(None);
            };
            let e = db::events::get(tx, &p.event_id)?;
            Ok(Some((p, e.name)))
        })
        .await;
    match found {
        Ok(Some((p, event))) if !p.hidden => Ok((p, event)),
        Ok(_) => Err(message_page(
            StatusCode::NOT_FOUND,
            "err",
            "Nobody here",
            "This badge does not belong to anyone we can show.",
            None,
        )),
        Err(e) => {
            tracing::error!(error = %e, "profile page failed");
            Err(message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "err",
                "Something went wrong",
                "Please try again.",
                None,
            ))
        }
    }
}

/// The person behind a badge (never their e-mail), with the connect form.
pub(crate) async fn page(State(s): State<AppState>, Path(id): Path<String>) -> Response {
    let (p, event) = match visible_profile(&s, id).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let sub = [p.major.as_deref(), p.company.as_deref()]
        .into_iter()
        .flatten()
        .map(esc)
        .collect::<Vec<_>>()
        .join(" · ");
    layout(
        StatusCode::OK,
        &format!("{} · {event}", p.name),
        &format!(
            r#"{photo}<h1><bdi>{name}</bdi></h1><p class="sub">{sub}</p>
<form method="post" action="/p/{id}/connect"><label for="email">Met <bdi>{name}</bdi> at <bdi>{event}</bdi>? Your e-mail, as you registered:</label>
<input id="email" name="email" type="email" autocomplete="email" required placeholder="you@example.org">
<button type="submit">Connect</button></form><p><small>Your e-mail is only used to find you among the attendees.</small></p>"#,
            photo = photo(&p),
            name = esc(&p.name),
            id = esc(&p.id),
            event = esc(&event),
        ),
    )
}

/// The connect form's fields.
#[derive(Debug, Deserialize)]
pub(crate) struct ConnectForm {
    email: String,
}

/// The outcome "the visitor gave the e-mail of the person on the page".
const SELF: u16 = 0;

/// Connects the visitor (by their e-mail) with the person on the page.
pub(crate) async fn connect(
    State(s): State<AppState>,
    Extension(limits): Extension<Arc<Limits>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    form: Result<Form<ConnectForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return message_page(
            StatusCode::BAD_REQUEST,
            "err",
            "Please give your e-mail",
            "The form was empty or unreadable.",
            Some(&id),
        );
    };
    if limits.per_ip.check_key(&peer.ip()).is_err() || limits.per_profile.check_key(&id).is_err() {
        return message_page(
            StatusCode::TOO_MANY_REQUESTS,
            "warn",
            "Slow down a little",
            "Too many tries in a short time. Wait a minute and try again.",
            Some(&id),
        );
    }
    let (p, _) = match visible_profile(&s, id.clone()).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let req = CreateConnection {
        from: PartyRef::By(PartyKey::Email(form.email.trim().to_owned())),
        to: PartyRef::By(PartyKey::ProfileId(p.id.clone())),
    };
    let (event, now, profile_id) = (p.event_id.clone(), now_ms(), p.id.clone());
    let posted = s
        .write_logged(move |tx| {
            let visitor = db::connections::resolve(tx, &event, "from", &req.from)?;
            if visitor.id == profile_id {
                return Ok((SELF, Vec::new()));
            }
            let mut posted = db::connections::post(tx, &event, &req, None, None, now)?;
            let entries = posted.entry.take().into_iter().collect();
            Ok((posted.status, entries))
        })
        .await;
    let name = p.name.as_str();
    match posted {
        Ok(201) => {
            metrics::counter!("livewall_connections_created_total").increment(1);
            message_page(
                StatusCode::CREATED,
                "ok",
                "Connected!",
                &format!("You and {name} are now connected. Look at the wall!"),
                None,
            )
        }
        Ok(SELF) => message_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "warn",
            "That's you!",
            "This is your own badge: tap someone else's to connect.",
            Some(&id),
        ),
        Ok(_) => message_page(
            StatusCode::OK,
            "ok",
            "Already connected",
            &format!("You and {name} were already connected."),
            None,
        ),
        Err(Error::NotFound(_)) => message_page(
            StatusCode::NOT_FOUND,
            "err",
            "We could not find you",
            "That e-mail is not on this event's attendee list. Use the e-mail you registered with.",
            Some(&id),
        ),
        Err(e) => {
            tracing::error!(error = %e, "phone connect failed");
            message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "err",
                "Something went wrong",
                "Please try again.",
                Some(&id),
            )
        }
    }
}
