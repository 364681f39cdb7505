//! `/api/events/{event}/export/*`: who met whom and who was there, as CSV or JSON (admin only: it has e-mails).

use super::extract::Path;
use crate::db;
use crate::error::{Error, Result};
use crate::request::Admin;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use livewall_protocol::{EventExport, ExportedConnection, Profile};
use std::collections::HashMap;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/api/events/{event}/export/{file}", get(export))
}

fn load(tx: &rusqlite::Transaction<'_>, event_id: &str) -> Result<EventExport> {
    let event = db::events::get(tx, event_id)?;
    let mut people = Vec::new();
    let mut offset = 0;
    loop {
        let page = db::profiles::list(tx, event_id, None, offset, 1000)?;
        let n = page.items.len() as u32;
        people.extend(page.items);
        if n < 1000 {
            break;
        }
        offset += n;
    }
    let by_id: HashMap<&str, &Profile> = people.iter().map(|p| (p.id.as_str(), p)).collect();
    let connections = db::connections::list(tx, event_id)?
        .into_iter()
        .map(|c| {
            let email = |id: &str| by_id.get(id).map(|p| p.email.clone()).unwrap_or_default();
            ExportedConnection {
                from_email: email(&c.from.id),
                to_email: email(&c.to.id),
                id: c.id,
                created_at: c.created_at,
                from_id: c.from.id,
                from_name: c.from.name,
                to_id: c.to.id,
                to_name: c.to.name,
                device_id: c.device_id,
            }
        })
        .collect();
    Ok(EventExport {
        event,
        people,
        connections,
    })
}

fn csv_bytes(write: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    write(&mut w).map_err(|e| Error::Internal(format!("cannot write CSV: {e}")))?;
    w.into_inner()
        .map_err(|e| Error::Internal(format!("cannot write CSV: {e}")))
}

/// A cell as a spreadsheet will read it: text starting with `=`, `+`, `-`, `@`, a tab or a carriage return would be
/// run as a formula (CSV injection), so it gets a leading `'`, which spreadsheets show as plain text.
fn cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Writes one row with every cell neutralised by [`cell`].
fn row<const N: usize>(w: &mut csv::Writer<Vec<u8>>, cells: [&str; N]) -> csv::Result<()> {
    w.write_record(cells.map(cell).iter().map(|c| c.as_bytes()))
}

fn json_bytes<T: serde::Serialize>(v: &T) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(v).map_err(|e| Error::Internal(format!("cannot write JSON: {e}")))
}

fn rfc3339(ms: i64) -> String {
    let (date, time) = crate::ids::iso_utc(ms);
    format!("{date}T{time}Z")
}

/// Downloads `people.csv`, `people.json`, `connections.csv`, `connections.json` or `everything.json`.
#[utoipa::path(get, path = "/api/events/{event}/export/{file}", tag = "export", security(("bearer" = [])),
    params(("event" = String, Path),
        ("file" = String, Path, description = "people.csv, people.json, connections.csv, connections.json or everything.json")),
    responses((status = 200, body = EventExport), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn export(
    State(s): State<AppState>,
    _: Admin,
    Path((event, file)): Path<(String, String)>,
) -> Result<Response> {
    if ![
        "people.csv",
        "people.json",
        "connections.csv",
        "connections.json",
        "everything.json",
    ]
    .contains(&file.as_str())
    {
        return Err(Error::NotFound(format!(
            "no export {file:?}: ask for people.csv, people.json, connections.csv, connections.json or everything.json"
        )));
    }
    let id = event.clone();
    let data = s.db.read(move |tx| load(tx, &id)).await?;
    let (body, kind) = match file.as_str() {
        "people.csv" => (
            csv_bytes(|w| {
                w.write_record([
                    "id",
                    "name",
                    "email",
                    "major",
                    "company",
                    "avatar",
                    "badges",
                    "hidden",
                    "created_at",
                ])?;
                for p in &data.people {
                    row(
                        w,
                        [
                            p.id.as_str(),
                            &p.name,
                            &p.email,
                            p.major.as_deref().unwrap_or(""),
                            p.company.as_deref().unwrap_or(""),
                            p.avatar.as_deref().unwrap_or(""),
                            &p.tags
                                .iter()
                                .map(|t| t.as_str())
                                .collect::<Vec<_>>()
                                .join(" "),
                            if p.hidden { "yes" } else { "no" },
                            &rfc3339(p.created_at),
                        ],
                    )?;
                }
                Ok(())
            })?,
            "text/csv; charset=utf-8",
        ),
        "connections.csv" => (
            csv_bytes(|w| {
                w.write_record([
                    "id",
                    "created_at",
                    "from_id",
                    "from_name",
                    "from_email",
                    "to_id",
                    "to_name",
                    "to_email",
                    "device_id",
                ])?;
                for c in &data.connections {
                    row(
                        w,
                        [
                            c.id.as_str(),
                            &rfc3339(c.created_at),
                            &c.from_id,
                            &c.from_name,
                            &c.from_email,
                            &c.to_id,
                            &c.to_name,
                            &c.to_email,
                            c.device_id.as_deref().unwrap_or(""),
                        ],
                    )?;
                }
                Ok(())
            })?,
            "text/csv; charset=utf-8",
        ),
        "people.json" => (json_bytes(&data.people)?, "application/json"),
        "connections.json" => (json_bytes(&data.connections)?, "application/json"),
        _ => (json_bytes(&data)?, "application/json"),
    };
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{event}-{file}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}
