//! The attendee phone flow: a badge's NFC link `GET /p/{profileId}?k=<badge key>` opens a plain mobile page (no
//! front-end build) showing the person.
//!
//! Who is connecting is proved by badges, never by an e-mail address that anyone may know: a phone becomes its
//! owner's by tapping their own badge once and choosing "This is my badge" (the link's per-badge key proves the
//! badge was held; a cookie then remembers the owner). From then on, tapping someone else's badge offers a
//! one-tap Connect, which needs that badge's key too (so only people who held it, that is met, can connect).
//! Posts from other sites are refused (Origin check, `SameSite` cookie), and there are limits per address, per
//! badge and per owner. Behind a reverse proxy the address comes from a trusted `X-Forwarded-For` only.
//!
//! Privacy: a visitor who has not proved a badge of the same event sees a private or initials-only event's people
//! as initials, without company or field of study.
//!
//! Language: the event's, when the organiser chose one, else the phone's (`Accept-Language`), from the shared
//! catalogues ([`livewall_protocol::i18n`]); right-to-left languages get `dir="rtl"`, and names are isolated
//! (`<bdi>`) so a Latin name reads right inside Arabic text and the other way round.

use super::extract::Path;
use crate::db;
use crate::domain::{self, connections::Meeting};
use crate::error::Error;
use crate::request::ClientIp;
use crate::state::AppState;
use axum::extract::{Form, FromRequest, FromRequestParts, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use livewall_protocol::i18n::{self, Catalogue};
use livewall_protocol::{
    CreateConnection, Event, PartyKey, PartyRef, Profile, profile_page, profile_path,
};
use serde::Deserialize;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

/// The cookie that remembers whose phone this is: `<profile id>.<badge key>`.
const OWNER_COOKIE: &str = "lw_badge";
/// How long a phone stays its owner's (an event lasts a few days).
const OWNER_DAYS: u32 = 7;

/// Rate limits of the phone flow's posts.
pub(crate) struct Limits {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_profile: DefaultKeyedRateLimiter<String>,
    per_owner: DefaultKeyedRateLimiter<String>,
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
            per_owner: RateLimiter::keyed(quota(20, 10)),
        }
    }

    fn allow(&self, ip: IpAddr, profile: &str, owner: Option<&str>) -> bool {
        self.per_ip.check_key(&ip).is_ok()
            && self.per_profile.check_key(&profile.to_owned()).is_ok()
            && owner.is_none_or(|o| self.per_owner.check_key(&o.to_owned()).is_ok())
    }
}

pub(crate) fn router() -> Router<AppState> {
    let limits = Arc::new(Limits::new());
    let sweep = Arc::downgrade(&limits);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            every.tick().await;
            let Some(l) = sweep.upgrade() else { break };
            l.per_ip.retain_recent();
            l.per_profile.retain_recent();
            l.per_owner.retain_recent();
        }
    });
    Router::new()
        .route("/p/{profile}", get(page))
        .route("/p/{profile}/claim", post(claim))
        .route("/p/{profile}/connect", post(connect))
        .route("/p/{profile}/consent", post(consent))
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

/// The page's policy: nothing but its own inline style, avatars from https or this server, and forms to itself.
const PAGE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https:; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// The language of a phone page: the event's when the organiser chose one, else the phone's.
fn speak(headers: &HeaderMap, event: Option<&Event>) -> &'static Catalogue {
    let prefs = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(i18n::accept_language)
        .unwrap_or_default();
    i18n::catalogue(i18n::negotiate(
        event.and_then(|e| e.settings.language.as_deref()),
        &prefs,
    ))
}

/// The message `key` as HTML: the text escaped, each `{name}` replaced by its value (escaped, isolated in `<bdi>`
/// so names in another script keep their direction).
fn html(c: &Catalogue, key: &str, args: &[(&str, &str)]) -> String {
    let mut out = esc(c.text(key));
    for (name, value) in args {
        out = out.replace(
            &format!("{{{name}}}"),
            &format!("<bdi>{}</bdi>", esc(value)),
        );
    }
    out
}

/// Like [`html`], with `{link}` replaced by ready-made HTML.
fn html_with_link(c: &Catalogue, key: &str, args: &[(&str, &str)], link: &str) -> String {
    html(c, key, args).replace("{link}", link)
}

fn layout(status: StatusCode, c: &Catalogue, title: &str, body: &str) -> Response {
    let html = format!(
        r#"<!doctype html><html lang="{lang}" dir="{dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="dark"><title>{title}</title><style>
body{{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#0f1420;color:#eef2f8;display:flex;min-height:100vh;align-items:center;justify-content:center}}
main{{width:min(92vw,26rem);padding:1.5rem;text-align:center}}
.photo{{width:8rem;height:8rem;border-radius:50%;background:#2a3550;margin:0 auto 1rem;position:relative;overflow:hidden}}
.photo span{{position:absolute;inset:0;font-size:3rem;line-height:8rem;font-weight:700}}
.photo img{{position:absolute;inset:0;width:100%;height:100%;object-fit:cover}}
h1{{font-size:1.7rem;margin:.2rem 0;overflow-wrap:anywhere}} .sub{{color:#9fb0cc;margin:.2rem 0 1.5rem}}
form{{display:flex;flex-direction:column;gap:.7rem;margin:.5rem 0}}
.consent{{text-align:start;margin-top:1.6rem;border-top:1px solid #26324d;padding-top:1rem}}
.consent h2{{font-size:1.15rem;margin:0 0 .3rem}}
.consent label{{display:flex;gap:.7rem;align-items:flex-start;font-size:1.05rem;line-height:1.35}}
.consent input{{width:1.4rem;height:1.4rem;flex:none;margin:0}}
button,.button{{font-size:1.15rem;padding:.85rem;border:0;border-radius:.6rem;background:#3366e0;color:#fff;font-weight:600;text-decoration:none;display:block}}
button.quiet{{background:#26324d}}
.ok{{color:#7ee2a8}} .warn{{color:#ffd479}} .err{{color:#ff9a9a}} small,.note{{color:#9fb0cc}}
</style></head><body><main>{body}</main></body></html>"#,
        title = esc(title),
        lang = c.lang(),
        dir = if c.rtl() { "rtl" } else { "ltr" },
    );
    let mut res = (status, Html(html)).into_response();
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_POLICY),
    );
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// A page with one message: `{key}.title` and `{key}.text` of the catalogue, with `args` filled in.
fn message_page(
    status: StatusCode,
    c: &Catalogue,
    class: &str,
    key: &str,
    args: &[(&str, &str)],
    back: Option<&str>,
) -> Response {
    let (title, text) = (format!("{key}.title"), format!("{key}.text"));
    message(status, c, class, (&title, &text), args, back)
}

/// A page with the messages `keys` (heading, text).
fn message(
    status: StatusCode,
    c: &Catalogue,
    class: &str,
    (title_key, text_key): (&str, &str),
    args: &[(&str, &str)],
    back: Option<&str>,
) -> Response {
    let back = back
        .map(|href| {
            format!(
                r#"<p><a class="button" href="{}">{}</a></p>"#,
                esc(href),
                esc(c.text("phone.back"))
            )
        })
        .unwrap_or_default();
    layout(
        status,
        c,
        &c.format(title_key, args),
        &format!(
            r#"<h1 class="{class}">{}</h1><p class="sub">{}</p>{back}"#,
            html(c, title_key, args),
            html(c, text_key, args)
        ),
    )
}

/// The photo over an initials disc: when the picture is missing or fails to load, the initials show through
/// (no script needed, so the page's policy can forbid scripts).
fn photo(avatar: Option<&str>, name: &str) -> String {
    let initials = esc(&crate::people::initials(name));
    let img = avatar
        .map(|url| {
            format!(
                r#"<img src="{}" alt="" referrerpolicy="no-referrer">"#,
                esc(url)
            )
        })
        .unwrap_or_default();
    format!(r#"<div class="photo" aria-hidden="true"><span>{initials}</span>{img}</div>"#)
}

/// A visible person and their event.
async fn visible(
    s: &AppState,
    c: &Catalogue,
    id: String,
) -> Result<Option<(Profile, Event)>, Response> {
    let found =
        s.db.read(move |tx| {
            let Some(p) = db::profiles::find_any(tx, &id)? else {
                return Ok(None);
            };
            let e = db::events::get(tx, &p.event_id)?;
            Ok((!p.hidden).then_some((p, e)))
        })
        .await;
    found.map_err(|e| {
        tracing::error!(error = %e, "profile page failed");
        message_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            c,
            "err",
            "phone.error",
            &[],
            None,
        )
    })
}

fn nobody(c: &Catalogue) -> Response {
    message_page(StatusCode::NOT_FOUND, c, "err", "phone.nobody", &[], None)
}

/// The owner this phone proved, from its cookie: (profile id, their badge key), checked.
fn owner(s: &AppState, headers: &HeaderMap) -> Option<(String, String)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix(OWNER_COOKIE)?.strip_prefix('='))
        .filter_map(|v| v.split_once('.'))
        .find(|(id, key)| s.auth.badge_key_matches(id, key))
        .map(|(id, key)| (id.to_owned(), key.to_owned()))
}

/// The visible owner of this phone, when they are an attendee of `event_id`.
async fn owner_in(
    s: &AppState,
    c: &Catalogue,
    headers: &HeaderMap,
    event_id: &str,
) -> Option<Profile> {
    let (id, _) = owner(s, headers)?;
    match visible(s, c, id).await {
        Ok(Some((p, _))) if p.event_id == event_id => Some(p),
        _ => None,
    }
}

/// `?k=` of a badge link.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct BadgeQuery {
    #[serde(default)]
    k: Option<String>,
}

/// How a person is shown to this visitor: an attendee who proved a badge of the event sees names and details;
/// anyone else sees a private or initials-only event's people as initials only.
fn shown(p: &Profile, e: &Event, insider: bool) -> (String, String) {
    if !insider && (e.settings.initials_only || !e.settings.public_wall) {
        return (crate::people::initials(&p.name), String::new());
    }
    let sub = [p.major.as_deref(), p.company.as_deref()]
        .into_iter()
        .flatten()
        .map(esc)
        .collect::<Vec<_>>()
        .join(" · ");
    (p.name.clone(), sub)
}

/// The person behind a badge (never their e-mail), with what this phone can do: claim it as its owner's badge,
/// or connect its owner with this person in one tap.
pub(crate) async fn page(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<BadgeQuery>,
    headers: HeaderMap,
) -> Response {
    let c = speak(&headers, None);
    let (p, e) = match visible(&s, c, id).await {
        Ok(Some(v)) => v,
        Ok(None) => return nobody(c),
        Err(page) => return page,
    };
    let c = speak(&headers, Some(&e));
    let key = q.k.filter(|k| s.auth.badge_key_matches(&p.id, k));
    let me = owner_in(&s, c, &headers, &p.event_id).await;
    let (name, sub) = shown(&p, &e, me.is_some());
    let head = format!(
        r#"{photo}<h1><bdi>{name}</bdi></h1><p class="sub">{sub}</p>"#,
        photo = photo(p.avatar.as_deref(), &name),
        name = esc(&name),
    );
    let event = e.name.as_str();
    let action = match (&me, &key) {
        (Some(me), _) if me.id == p.id => format!(
            r#"<p class="ok">{}</p>{}"#,
            html(c, "phone.own.note", &[]),
            consent_form(c, me)
        ),
        (Some(me), Some(k)) => format!(
            r#"<form method="post" action="{page}/connect"><input type="hidden" name="k" value="{k}">
<button type="submit">{button}</button></form>
<p class="note">{note}</p>"#,
            page = profile_page(&esc(&p.id)),
            k = esc(k),
            button = html(
                c,
                "phone.connect.button",
                &[("me", &me.name), ("name", &name)]
            ),
            note = html_with_link(
                c,
                "phone.connect.note",
                &[("event", event)],
                &format!(
                    r#"<a href="{}">{}</a>"#,
                    profile_page(&esc(&me.id)),
                    esc(c.text("phone.connect.your_badge"))
                )
            ),
        ),
        (Some(_), None) => format!(
            r#"<p class="note">{}</p>"#,
            html(c, "phone.connect.tap_badge", &[])
        ),
        (None, Some(k)) => format!(
            r#"<form method="post" action="{page}/claim"><input type="hidden" name="k" value="{k}">
<button type="submit">{button}</button></form>
<p class="note">{note}</p>"#,
            page = profile_page(&esc(&p.id)),
            k = esc(k),
            button = html(c, "phone.claim.button", &[]),
            note = html(
                c,
                "phone.claim.note",
                &[("event", event), ("button", c.text("phone.claim.button"))]
            ),
        ),
        (None, None) => format!(
            r#"<p class="note">{}</p>"#,
            html(c, "phone.visitor.note", &[("event", event)])
        ),
    };
    layout(
        StatusCode::OK,
        c,
        &c.format("phone.page.title", &[("name", &name), ("event", &e.name)]),
        &format!("{head}{action}"),
    )
}

/// The owner's choices on their own page: shown on the wall, shared as a lead.
fn consent_form(c: &Catalogue, me: &Profile) -> String {
    let checked = |b: bool| if b { " checked" } else { "" };
    format!(
        r#"<form method="post" action="{page}/consent" class="consent"><h2>{title}</h2>
<label><input type="checkbox" name="wall" value="1"{wall}> <span>{wall_text}</span></label>
<label><input type="checkbox" name="lead" value="1"{lead}> <span>{lead_text}</span></label>
<button type="submit" class="quiet">{save}</button><p class="note">{note}</p></form>"#,
        page = profile_page(&esc(&me.id)),
        wall = checked(me.consent.wall),
        lead = checked(me.consent.lead),
        title = html(c, "phone.consent.title", &[]),
        wall_text = html(c, "phone.consent.wall", &[]),
        lead_text = html(c, "phone.consent.lead", &[]),
        save = html(c, "phone.consent.save", &[]),
        note = html(c, "phone.consent.note", &[]),
    )
}

/// The phone flow's posted fields: the badge key of the page's person. (Older pages posted an e-mail, which
/// proves nothing: it is ignored, and such a post gets the same answer whatever the address.)
#[derive(Debug, Default, Deserialize)]
pub(crate) struct BadgeForm {
    #[serde(default)]
    k: Option<String>,
    /// The consent form's boxes: present when ticked.
    #[serde(default)]
    wall: Option<String>,
    #[serde(default)]
    lead: Option<String>,
}

/// A button of the phone page posted back: from this site only (a post made by another site's page is answered
/// "not from here" before anything else), about the badge in the path, with the badge key of the form.
pub(crate) struct PhonePost {
    limits: Arc<Limits>,
    ip: IpAddr,
    id: String,
    headers: HeaderMap,
    /// The badge key from the form (empty when missing or unreadable: the key check then refuses it).
    key: String,
    /// The consent form's ticked boxes (wall, lead).
    ticked: (bool, bool),
    /// The page to go back to.
    back: String,
    /// The language to answer in.
    c: &'static Catalogue,
}

impl FromRequest<AppState> for PhonePost {
    type Rejection = Response;

    async fn from_request(req: Request, s: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        if !same_site(s, &parts.headers) {
            return Err(foreign_site(speak(&parts.headers, None)));
        }
        let ClientIp(ip) = ClientIp::from_request_parts(&mut parts, s)
            .await
            .map_err(IntoResponse::into_response)?;
        let Path(id) = Path::<String>::from_request_parts(&mut parts, s)
            .await
            .map_err(IntoResponse::into_response)?;
        let limits = parts
            .extensions
            .get::<Arc<Limits>>()
            .cloned()
            .ok_or_else(|| {
                Error::Internal("the phone limits are not installed".into()).into_response()
            })?;
        let headers = parts.headers.clone();
        let look = id.clone();
        let event =
            s.db.read(move |tx| match db::profiles::find_any(tx, &look)? {
                Some(p) => db::events::get(tx, &p.event_id).map(Some),
                None => Ok(None),
            })
            .await
            .ok()
            .flatten();
        let c = speak(&headers, event.as_ref());
        let form = Form::<BadgeForm>::from_request(Request::from_parts(parts, body), s)
            .await
            .map(|Form(f)| f)
            .unwrap_or_default();
        let ticked = (form.wall.is_some(), form.lead.is_some());
        let key = form.k.unwrap_or_default();
        let back = profile_page(&esc(&id));
        Ok(Self {
            limits,
            ip,
            id,
            headers,
            key,
            ticked,
            back,
            c,
        })
    }
}

/// Refuses a post made by a page of another site (the browser says which in `Origin`).
fn same_site(s: &AppState, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        // Browsers send Origin with form posts; clients without one are not a browser on another site.
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    let own = s
        .config
        .public_url
        .as_deref()
        .is_some_and(|u| u.trim_end_matches('/').eq_ignore_ascii_case(origin));
    own || (origin_host.is_some() && origin_host == host)
}

fn foreign_site(c: &Catalogue) -> Response {
    message_page(StatusCode::FORBIDDEN, c, "err", "phone.foreign", &[], None)
}

fn slow_down(c: &Catalogue, back: &str) -> Response {
    message_page(
        StatusCode::TOO_MANY_REQUESTS,
        c,
        "warn",
        "phone.slow",
        &[],
        Some(back),
    )
}

/// The one answer for a post that does not prove a badge, whatever e-mail it names, so the answer tells nothing
/// about who is registered.
fn prove_first(c: &Catalogue, back: &str) -> Response {
    message_page(
        StatusCode::FORBIDDEN,
        c,
        "warn",
        "phone.prove",
        &[("button", c.text("phone.claim.button"))],
        Some(back),
    )
}

fn badge_link(id: &str, key: &str) -> String {
    profile_path(&esc(id), &esc(key))
}

/// "This is my badge": this phone is its owner's from now on (a cookie).
pub(crate) async fn claim(State(s): State<AppState>, post: PhonePost) -> Response {
    let c = post.c;
    if !post.limits.allow(post.ip, &post.id, None) {
        return slow_down(c, &post.back);
    }
    let (ip, id, key, back) = (post.ip, post.id, post.key, post.back);
    if !s.auth.badge_key_matches(&id, &key) {
        return prove_first(c, &back);
    }
    let p = match visible(&s, c, id.clone()).await {
        Ok(Some((p, _))) => p,
        Ok(None) => return nobody(c),
        Err(page) => return page,
    };
    let secure = s
        .config
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"));
    let cookie = format!(
        "{OWNER_COOKIE}={}.{}; Path=/p/; Max-Age={}; HttpOnly; SameSite=Lax{}",
        p.id,
        key.trim(),
        u64::from(OWNER_DAYS) * 86_400,
        if secure { "; Secure" } else { "" }
    );
    let mut res = message_page(
        StatusCode::OK,
        c,
        "ok",
        "phone.claimed",
        &[("name", &p.name)],
        None,
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    tracing::info!(profile = %p.id, %ip, "phone claimed by its badge owner");
    res
}

/// Saves the owner's choices (only the owner's own phone may: the cookie proves it).
pub(crate) async fn consent(State(s): State<AppState>, post: PhonePost) -> Response {
    let c = post.c;
    let owner = owner(&s, &post.headers);
    if !post
        .limits
        .allow(post.ip, &post.id, owner.as_ref().map(|(o, _)| o.as_str()))
    {
        return slow_down(c, &post.back);
    }
    let Some((me_id, _)) = owner.filter(|(o, _)| *o == post.id) else {
        return prove_first(c, &post.back);
    };
    let p = match visible(&s, c, me_id.clone()).await {
        Ok(Some((p, _))) => p,
        Ok(None) => return nobody(c),
        Err(page) => return page,
    };
    let (wall, lead) = post.ticked;
    let patch = livewall_protocol::ConsentPatch {
        wall: Some(wall),
        lead: Some(lead),
    };
    match domain::profiles::set_consent(&s, p.event_id.clone(), me_id, patch).await {
        Ok(p) => {
            tracing::info!(profile = %p.id, wall, lead, "attendee set their consent");
            message(
                StatusCode::OK,
                c,
                "ok",
                ("phone.consent.saved", "phone.consent.note"),
                &[],
                Some(&post.back),
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "saving consent failed");
            message_page(e.status(), c, "err", "phone.error", &[], Some(&post.back))
        }
    }
}

/// Connects this phone's owner with the person whose badge they tapped.
pub(crate) async fn connect(State(s): State<AppState>, post: PhonePost) -> Response {
    let owner = owner(&s, &post.headers);
    let PhonePost {
        limits,
        ip,
        id,
        key,
        back,
        c,
        ..
    } = post;
    if !limits.allow(ip, &id, owner.as_ref().map(|(o, _)| o.as_str())) {
        return slow_down(c, &back);
    }
    let Some((me_id, _)) = owner else {
        return prove_first(c, &back);
    };
    if !s.auth.badge_key_matches(&id, &key) {
        return message_page(
            StatusCode::FORBIDDEN,
            c,
            "warn",
            "phone.their_badge",
            &[],
            Some(&back),
        );
    }
    let back = badge_link(&id, &key);
    let (p, _) = match visible(&s, c, id.clone()).await {
        Ok(Some(v)) => v,
        Ok(None) => return nobody(c),
        Err(page) => return page,
    };
    let req = CreateConnection {
        from: PartyRef::By(PartyKey::ProfileId(me_id)),
        to: PartyRef::By(PartyKey::ProfileId(p.id.clone())),
    };
    let name = p.name.as_str();
    match domain::connections::record(&s, Meeting::now(p.event_id.clone(), req)).await {
        Ok(r) if r.created() => message_page(
            StatusCode::CREATED,
            c,
            "ok",
            "phone.connected",
            &[("name", name)],
            None,
        ),
        Ok(_) => message_page(
            StatusCode::OK,
            c,
            "ok",
            "phone.already",
            &[("name", name)],
            None,
        ),
        Err(Error::SamePerson(_)) => message_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            c,
            "warn",
            "phone.self",
            &[],
            None,
        ),
        // The owner's profile was removed, or belongs to another event: the phone must be claimed again.
        Err(Error::NotFound(_) | Error::UnknownAttendee(_)) => prove_first(c, &back),
        Err(e) => {
            tracing::error!(error = %e, "phone connect failed");
            message_page(e.status(), c, "err", "phone.error", &[], Some(&back))
        }
    }
}
