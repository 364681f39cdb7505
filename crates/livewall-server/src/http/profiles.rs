//! `/api/events/{event}/profiles`: the attendees of an event, and `/people/{key}` for stations.

use super::extract::{Json, Path, Query};
use crate::auth::Principal;
use crate::db;
use crate::domain;
use crate::error::{Error, Result};
use crate::people;
use crate::request::Admin;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use livewall_protocol::{
    BadgeLink, BulkCreateProfiles, BulkCreated, CreateProfile, PartyRef, Person, Profile,
    ProfileConnections, ProfilePage, UpdateProfile, profile_path,
};
use serde::Deserialize;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/events/{event}/profiles", get(list).post(create))
        .route("/api/events/{event}/profiles/bulk", post(bulk_create))
        .route(
            "/api/events/{event}/profiles/{id}",
            get(show).patch(update).delete(remove),
        )
        .route(
            "/api/events/{event}/profiles/{id}/connections",
            get(connections),
        )
        .route(
            "/api/events/{event}/profiles/{id}/badge-link",
            get(badge_link),
        )
        .route("/api/events/{event}/people/{key}", get(person))
}

/// Paging and search of the profile list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListParams {
    /// First item (0-based).
    #[serde(default)]
    offset: u32,
    /// Page size, 1 to 1000 (default 100).
    limit: Option<u32>,
    /// Search in name, e-mail, company, major and badge UIDs.
    q: Option<String>,
}

/// One page of profiles (admin).
#[utoipa::path(get, path = "/api/events/{event}/profiles", tag = "profiles", security(("bearer" = [])),
    params(("event" = String, Path), ListParams), responses((status = 200, body = ProfilePage)))]
pub(crate) async fn list(
    State(s): State<AppState>,
    _: Admin,
    Path(event): Path<String>,
    Query(q): Query<ListParams>,
) -> Result<Json<ProfilePage>> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Error::BadRequest("limit must be between 1 and 1000".into()));
    }
    let page =
        s.db.read(move |tx| {
            db::events::get(tx, &event)?;
            db::profiles::list(tx, &event, q.q.as_deref(), q.offset, limit)
        })
        .await?;
    Ok(Json(page))
}

/// Creates one profile (admin).
#[utoipa::path(post, path = "/api/events/{event}/profiles", tag = "profiles", security(("bearer" = [])),
    params(("event" = String, Path)), request_body = CreateProfile,
    responses((status = 201, body = Profile), (status = 409, body = livewall_protocol::ErrorBody),
        (status = 422, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn create(
    State(s): State<AppState>,
    _: Admin,
    Path(event): Path<String>,
    Json(req): Json<CreateProfile>,
) -> Result<(StatusCode, Json<Profile>)> {
    let profile = domain::profiles::create(&s, event, req).await?;
    Ok((StatusCode::CREATED, Json(profile)))
}

/// Creates many profiles at once, all or none (admin); every refused item is listed with its index.
#[utoipa::path(post, path = "/api/events/{event}/profiles/bulk", tag = "profiles", security(("bearer" = [])),
    params(("event" = String, Path)), request_body = BulkCreateProfiles,
    responses((status = 201, body = BulkCreated), (status = 422, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn bulk_create(
    State(s): State<AppState>,
    _: Admin,
    Path(event): Path<String>,
    Json(req): Json<BulkCreateProfiles>,
) -> Result<(StatusCode, Json<BulkCreated>)> {
    let created = domain::profiles::create_many(&s, event, req.profiles).await?;
    Ok((StatusCode::CREATED, Json(BulkCreated { created })))
}

/// One profile, with e-mail and badges (admin).
#[utoipa::path(get, path = "/api/events/{event}/profiles/{id}", tag = "profiles", security(("bearer" = [])),
    params(("event" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Profile), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn show(
    State(s): State<AppState>,
    _: Admin,
    Path((event, id)): Path<(String, String)>,
) -> Result<Json<Profile>> {
    Ok(Json(
        s.db.read(move |tx| db::profiles::get(tx, &event, &id))
            .await?,
    ))
}

/// The link to write on a person's badge, with its key (admin).
#[utoipa::path(get, path = "/api/events/{event}/profiles/{id}/badge-link", tag = "profiles",
    security(("bearer" = [])), params(("event" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = BadgeLink), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn badge_link(
    State(s): State<AppState>,
    _: Admin,
    Path((event, id)): Path<(String, String)>,
) -> Result<Json<BadgeLink>> {
    let profile =
        s.db.read(move |tx| db::profiles::get(tx, &event, &id))
            .await?;
    let key = s.auth.badge_key(&profile.id);
    let path = profile_path(&profile.id, &key);
    let url = s
        .config
        .public_url
        .as_ref()
        .map(|base| format!("{base}{path}"));
    Ok(Json(BadgeLink { path, url }))
}

/// Changes a profile (admin); hiding takes the person off every wall at once.
#[utoipa::path(patch, path = "/api/events/{event}/profiles/{id}", tag = "profiles", security(("bearer" = [])),
    params(("event" = String, Path), ("id" = String, Path)), request_body = UpdateProfile,
    responses((status = 200, body = Profile), (status = 404, body = livewall_protocol::ErrorBody),
        (status = 409, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn update(
    State(s): State<AppState>,
    _: Admin,
    Path((event, id)): Path<(String, String)>,
    Json(req): Json<UpdateProfile>,
) -> Result<Json<Profile>> {
    Ok(Json(domain::profiles::update(&s, event, id, req).await?))
}

/// Deletes a profile with its badges and connections (admin); walls drop them live.
#[utoipa::path(delete, path = "/api/events/{event}/profiles/{id}", tag = "profiles", security(("bearer" = [])),
    params(("event" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn remove(
    State(s): State<AppState>,
    _: Admin,
    Path((event, profile)): Path<(String, String)>,
) -> Result<StatusCode> {
    domain::profiles::delete(&s, event, profile).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Everyone a person met, whichever side tapped first (admins, and the event's devices without hidden people).
#[utoipa::path(get, path = "/api/events/{event}/profiles/{id}/connections", tag = "connections",
    security(("bearer" = [])), params(("event" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = ProfileConnections), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn connections(
    State(s): State<AppState>,
    p: Principal,
    Path((event, id)): Path<(String, String)>,
) -> Result<Json<ProfileConnections>> {
    p.require_event(&event)?;
    let admin = p.require_admin().is_ok();
    let list =
        s.db.read(move |tx| {
            db::events::get(tx, &event)?;
            let me = db::profiles::get(tx, &event, &id)?;
            if !me.on_wall() && !admin {
                return Err(Error::NotFound(format!(
                    "profile {id:?} not found in event {event:?}"
                )));
            }
            db::connections::of_profile(tx, &event, &id, admin)
        })
        .await?;
    Ok(Json(list))
}

/// A person by e-mail, profile id or badge UID, as a station shows them (no e-mail). Hidden people are 404.
#[utoipa::path(get, path = "/api/events/{event}/people/{key}", tag = "profiles", security(("bearer" = [])),
    params(("event" = String, Path), ("key" = String, Path, description = "e-mail, profile id or badge UID")),
    responses((status = 200, body = Person), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn person(
    State(s): State<AppState>,
    p: Principal,
    Path((event, key)): Path<(String, String)>,
) -> Result<Json<Person>> {
    p.require_event(&event)?;
    let person =
        s.db.read(move |tx| {
            db::events::get(tx, &event)?;
            let found = db::profiles::resolve(tx, &event, "badge", &PartyRef::Text(key))?;
            if found.hidden {
                return Err(Error::NotFound("this person asked not to be shown".into()));
            }
            // A station shows the person who just tapped by their full name, whatever the walls show.
            Ok(people::named(&found))
        })
        .await?;
    Ok(Json(person))
}
