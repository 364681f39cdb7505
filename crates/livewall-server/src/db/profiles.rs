//! Queries on `profiles` and their badges (`profile_tags`).

use crate::error::{Error, Result};
use crate::ids;
use crate::validate;
use livewall_protocol::{
    Consent, ConsentPatch, ConsentSource, CreateProfile, FieldError, PartyKey, PartyRef, Profile,
    ProfilePage, TagUid, UpdateProfile,
};
use rusqlite::{OptionalExtension, Row, Transaction, params};

const COLUMNS: &str = "p.id, p.event_id, p.name, p.email, p.avatar, p.major, p.company, p.hidden, p.created_at, \
     p.updated_at, (SELECT group_concat(uid, ',') FROM profile_tags t WHERE t.profile_id = p.id), \
     p.consent_wall, p.consent_lead, p.consent_at, p.consent_source";

/// The SQL form of [`Profile::on_wall`] for the `profiles` row aliased `alias`: not hidden by moderation, and
/// agreed to be shown.
pub fn on_wall(alias: &str) -> String {
    format!("({alias}.hidden = 0 AND {alias}.consent_wall = 1)")
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Profile> {
    let tags: Option<String> = r.get(10)?;
    // Stored tags were canonical when written; one that is not (a hand-edited database) is left out, not fatal.
    let mut tags: Vec<TagUid> = tags
        .map(|t| t.split(',').filter_map(|u| TagUid::parse(u).ok()).collect())
        .unwrap_or_default();
    tags.sort();
    Ok(Profile {
        id: r.get(0)?,
        event_id: r.get(1)?,
        name: r.get(2)?,
        email: r.get(3)?,
        avatar: r.get(4)?,
        major: r.get(5)?,
        company: r.get(6)?,
        hidden: r.get(7)?,
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
        tags,
        consent: Consent {
            wall: r.get(11)?,
            lead: r.get(12)?,
            updated_at: r.get(13)?,
            source: r
                .get::<_, Option<String>>(14)?
                .as_deref()
                .and_then(ConsentSource::parse),
        },
    })
}

/// The profile `id` of event `event_id`, or 404.
pub fn get(tx: &Transaction<'_>, event_id: &str, id: &str) -> Result<Profile> {
    find_by_id(tx, event_id, id)?
        .ok_or_else(|| Error::NotFound(format!("profile {id:?} not found in event {event_id:?}")))
}

/// The profile with this id in this event.
pub fn find_by_id(tx: &Transaction<'_>, event_id: &str, id: &str) -> Result<Option<Profile>> {
    Ok(tx
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM profiles p WHERE p.id = ?1 AND p.event_id = ?2"
        ))?
        .query_row([id, event_id], from_row)
        .optional()?)
}

/// A profile by id alone (profile ids are unique across events), for the phone profile page.
pub fn find_any(tx: &Transaction<'_>, id: &str) -> Result<Option<Profile>> {
    Ok(tx
        .prepare_cached(&format!("SELECT {COLUMNS} FROM profiles p WHERE p.id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}

/// Every visible profile of the event, oldest first.
pub fn visible(tx: &Transaction<'_>, event_id: &str) -> Result<Vec<Profile>> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM profiles p WHERE p.event_id = ?1 AND {} ORDER BY p.created_at, p.rowid",
        on_wall("p")
    ))?;
    Ok(stmt
        .query_map([event_id], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The profile with this e-mail (case-insensitive) in this event.
pub fn find_by_email(tx: &Transaction<'_>, event_id: &str, email: &str) -> Result<Option<Profile>> {
    Ok(tx
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM profiles p WHERE p.event_id = ?1 AND p.email_key = ?2"
        ))?
        .query_row([event_id, &validate::email_key(email)], from_row)
        .optional()?)
}

/// The profile a badge UID is bound to in this event.
pub fn find_by_tag(tx: &Transaction<'_>, event_id: &str, uid: &str) -> Result<Option<Profile>> {
    Ok(tx
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM profile_tags t JOIN profiles p ON p.id = t.profile_id
             WHERE t.event_id = ?1 AND t.uid = ?2"
        ))?
        .query_row([event_id, uid], from_row)
        .optional()?)
}

/// One page of the event's profiles, oldest first, optionally filtered by a search text.
pub fn list(
    tx: &Transaction<'_>,
    event_id: &str,
    q: Option<&str>,
    offset: u32,
    limit: u32,
) -> Result<ProfilePage> {
    let pattern = q.map(str::trim).filter(|q| !q.is_empty()).map(|q| {
        format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )
    });
    let filter = "p.event_id = ?1 AND (?2 IS NULL OR p.name LIKE ?2 ESCAPE '\\' OR p.email LIKE ?2 ESCAPE '\\'
         OR p.company LIKE ?2 ESCAPE '\\' OR p.major LIKE ?2 ESCAPE '\\'
         OR EXISTS (SELECT 1 FROM profile_tags t WHERE t.profile_id = p.id AND t.uid LIKE ?2 ESCAPE '\\'))";
    let total: i64 = tx
        .prepare_cached(&format!("SELECT COUNT(*) FROM profiles p WHERE {filter}"))?
        .query_row(params![event_id, pattern], |r| r.get(0))?;
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM profiles p WHERE {filter} ORDER BY p.created_at, p.rowid LIMIT ?3 OFFSET ?4"
    ))?;
    let items = stmt
        .query_map(params![event_id, pattern, limit, offset], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ProfilePage {
        items,
        total: u32::try_from(total).unwrap_or(u32::MAX),
        offset,
        limit,
    })
}

/// A validated [`CreateProfile`].
struct NewProfile {
    id: String,
    name: String,
    email: String,
    avatar: Option<String>,
    major: Option<String>,
    company: Option<String>,
    tags: Vec<TagUid>,
    hidden: bool,
    consent: Option<ConsentPatch>,
}

fn validate_new(req: &CreateProfile) -> Result<NewProfile> {
    let id = match req.id.as_deref() {
        Some(id) => validate::client_id("id", id)?,
        None => ids::new_id(),
    };
    let mut tags = req
        .tags
        .iter()
        .flatten()
        .map(|t| validate::tag_uid(t))
        .collect::<Result<Vec<_>>>()?;
    tags.sort();
    tags.dedup();
    Ok(NewProfile {
        id,
        name: validate::name("name", &req.name)?,
        email: validate::email(&req.email)?,
        avatar: validate::avatar(req.avatar.as_deref())?,
        major: validate::optional_text("major", req.major.as_deref())?,
        company: validate::optional_text("company", req.company.as_deref())?,
        tags,
        hidden: req.hidden.unwrap_or(false),
        consent: req.consent.clone().filter(|c| !c.is_empty()),
    })
}

fn check_email_free(
    tx: &Transaction<'_>,
    event_id: &str,
    email: &str,
    except: Option<&str>,
) -> Result<()> {
    if let Some(other) = find_by_email(tx, event_id, email)?
        && Some(other.id.as_str()) != except
    {
        return Err(Error::Conflict(format!(
            "email {email} is already used by {} in this event",
            other.name
        )));
    }
    Ok(())
}

fn bind_tags(
    tx: &Transaction<'_>,
    event_id: &str,
    profile_id: &str,
    tags: &[TagUid],
) -> Result<()> {
    for uid in tags {
        if let Some(owner) = find_by_tag(tx, event_id, uid)? {
            if owner.id != profile_id {
                return Err(Error::Conflict(format!(
                    "badge {uid} is already bound to {} ({})",
                    owner.name, owner.id
                )));
            }
            continue;
        }
        tx.execute(
            "INSERT INTO profile_tags (event_id, uid, profile_id) VALUES (?1, ?2, ?3)",
            params![event_id, uid.as_str(), profile_id],
        )?;
    }
    Ok(())
}

/// `current` with `patch` applied, stamped with who and when when it changes anything.
pub fn apply_consent(
    current: &Consent,
    patch: &ConsentPatch,
    source: ConsentSource,
    now: i64,
) -> Consent {
    let next = Consent {
        wall: patch.wall.unwrap_or(current.wall),
        lead: patch.lead.unwrap_or(current.lead),
        ..current.clone()
    };
    if patch.is_empty() {
        return next;
    }
    Consent {
        updated_at: Some(now),
        source: Some(source),
        ..next
    }
}

/// Writes a person's consent.
pub fn set_consent(
    tx: &Transaction<'_>,
    event_id: &str,
    id: &str,
    c: &Consent,
    now: i64,
) -> Result<()> {
    tx.execute(
        "UPDATE profiles SET consent_wall = ?3, consent_lead = ?4, consent_at = ?5, consent_source = ?6,
             updated_at = ?7 WHERE id = ?1 AND event_id = ?2",
        params![
            id,
            event_id,
            c.wall,
            c.lead,
            c.updated_at,
            c.source.map(ConsentSource::as_str),
            now
        ],
    )?;
    Ok(())
}

/// Creates a profile (what walls are told of it is the domain's call); consent given with it is recorded as
/// coming from `source`.
pub fn insert(
    tx: &Transaction<'_>,
    event_id: &str,
    req: &CreateProfile,
    source: ConsentSource,
    now: i64,
) -> Result<Profile> {
    let n = validate_new(req)?;
    check_email_free(tx, event_id, &n.email, None)?;
    let consent = match &n.consent {
        Some(c) => apply_consent(&Consent::default(), c, source, now),
        None => Consent::default(),
    };
    let inserted = tx.execute(
        "INSERT INTO profiles (id, event_id, name, email, email_key, avatar, major, company, hidden, created_at,
             updated_at, consent_wall, consent_lead, consent_at, consent_source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12, ?13, ?14)",
        params![
            n.id,
            event_id,
            n.name,
            n.email,
            validate::email_key(&n.email),
            n.avatar,
            n.major,
            n.company,
            n.hidden,
            now,
            consent.wall,
            consent.lead,
            consent.updated_at,
            consent.source.map(ConsentSource::as_str),
        ],
    );
    match inserted {
        Ok(_) => {}
        Err(e) if super::is_unique_violation(&e) => {
            return Err(Error::Conflict(format!(
                "a profile with id {:?} already exists",
                n.id
            )));
        }
        Err(e) => return Err(e.into()),
    }
    bind_tags(tx, event_id, &n.id, &n.tags)?;
    get(tx, event_id, &n.id)
}

/// Creates all profiles or none; every problem is reported with the item's index.
pub fn insert_many(
    tx: &Transaction<'_>,
    event_id: &str,
    reqs: &[CreateProfile],
    source: ConsentSource,
    now: i64,
) -> Result<Vec<Profile>> {
    let mut created = Vec::with_capacity(reqs.len());
    let mut problems = Vec::new();
    tx.execute_batch("SAVEPOINT bulk")?;
    for (i, req) in reqs.iter().enumerate() {
        match insert(tx, event_id, req, source, now) {
            Ok(p) => created.push(p),
            Err(err @ (Error::Validation { .. } | Error::Conflict(_))) => {
                problems.push(FieldError {
                    index: u32::try_from(i).ok(),
                    field: field_of(&err),
                    message: err.to_string(),
                })
            }
            Err(other) => return Err(other),
        }
    }
    if !problems.is_empty() {
        tx.execute_batch("ROLLBACK TO bulk; RELEASE bulk")?;
        return Err(Error::Validation {
            message: format!(
                "{} of {} profiles were refused; none were created",
                problems.len(),
                reqs.len()
            ),
            details: problems,
        });
    }
    tx.execute_batch("RELEASE bulk")?;
    Ok(created)
}

fn field_of(err: &Error) -> String {
    let m = err.to_string();
    [
        "email", "name", "avatar", "major", "company", "tag", "badge", "id",
    ]
    .into_iter()
    .find(|f| m.starts_with(f) || m.contains(&format!(" {f} ")))
    .map(|f| {
        if f == "badge" || f == "tag" {
            "tags"
        } else {
            f
        }
    })
    .unwrap_or("profile")
    .to_owned()
}

/// Applies a partial update; answers the profile before and after (what walls are told is the domain's call).
pub fn update(
    tx: &Transaction<'_>,
    event_id: &str,
    id: &str,
    req: &UpdateProfile,
    now: i64,
) -> Result<(Profile, Profile)> {
    let before = get(tx, event_id, id)?;
    let mut p = before.clone();
    if let Some(v) = &req.name {
        p.name = validate::name("name", v)?;
    }
    if let Some(v) = &req.email {
        p.email = validate::email(v)?;
        check_email_free(tx, event_id, &p.email, Some(id))?;
    }
    if let Some(v) = &req.avatar {
        p.avatar = validate::avatar(v.as_deref())?;
    }
    if let Some(v) = &req.major {
        p.major = validate::optional_text("major", v.as_deref())?;
    }
    if let Some(v) = &req.company {
        p.company = validate::optional_text("company", v.as_deref())?;
    }
    if let Some(h) = req.hidden {
        p.hidden = h;
    }
    if let Some(c) = &req.consent {
        p.consent = apply_consent(&p.consent, c, ConsentSource::Organiser, now);
        set_consent(tx, event_id, id, &p.consent, now)?;
    }
    tx.execute(
        "UPDATE profiles SET name = ?3, email = ?4, email_key = ?5, avatar = ?6, major = ?7, company = ?8,
             hidden = ?9, updated_at = ?10 WHERE id = ?1 AND event_id = ?2",
        params![
            id,
            event_id,
            p.name,
            p.email,
            validate::email_key(&p.email),
            p.avatar,
            p.major,
            p.company,
            p.hidden,
            now
        ],
    )?;
    if let Some(tags) = &req.tags {
        let mut tags = tags
            .iter()
            .map(|t| validate::tag_uid(t))
            .collect::<Result<Vec<_>>>()?;
        tags.sort();
        tags.dedup();
        tx.execute("DELETE FROM profile_tags WHERE profile_id = ?1", [id])?;
        bind_tags(tx, event_id, id, &tags)?;
    }
    let after = get(tx, event_id, id)?;
    Ok((before, after))
}

/// Deletes a profile row with its badges (connections must be gone first: the domain removes and logs them).
pub fn delete(tx: &Transaction<'_>, event_id: &str, id: &str) -> Result<Profile> {
    let p = get(tx, event_id, id)?;
    tx.execute("DELETE FROM profiles WHERE id = ?1", [id])?;
    Ok(p)
}

/// Finds the person a request names; `side` ("from"/"to") goes into the 404 so the caller knows which side.
pub fn resolve(tx: &Transaction<'_>, event_id: &str, side: &str, r: &PartyRef) -> Result<Profile> {
    let by_tag = |uid: &str| match TagUid::parse(uid) {
        Ok(uid) => find_by_tag(tx, event_id, &uid),
        Err(_) => Ok(None),
    };
    let found = match r {
        PartyRef::By(PartyKey::Email(e)) => find_by_email(tx, event_id, e)?,
        PartyRef::By(PartyKey::ProfileId(id)) => find_by_id(tx, event_id, id)?,
        PartyRef::By(PartyKey::TagUid(uid)) => by_tag(uid)?,
        PartyRef::Text(t) if t.contains('@') => find_by_email(tx, event_id, t)?,
        PartyRef::Text(t) => match find_by_id(tx, event_id, t)? {
            Some(p) => Some(p),
            None => by_tag(t)?,
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
