//! `/api/events/{event}/export/*`: who met whom and who was there, as CSV, JSON, CRM imports or XLSX (admin only:
//! it has e-mails). What each file holds, and who is left out, is [`crate::exports`].

use super::extract::Path;
use crate::error::{Error, Result};
use crate::exports;
use crate::request::Admin;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use livewall_protocol::EventExport;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/api/events/{event}/export/{file}", get(export))
}

/// The files on offer.
const FILES: [&str; 8] = [
    "people.csv",
    "people.json",
    "connections.csv",
    "connections.json",
    "everything.json",
    "hubspot.csv",
    "salesforce.csv",
    "event.xlsx",
];

fn json_bytes<T: serde::Serialize>(v: &T) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(v).map_err(|e| Error::Internal(format!("cannot write JSON: {e}")))
}

const CSV: &str = "text/csv; charset=utf-8";
const JSON: &str = "application/json";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Downloads one export. Only people who agreed to be shared as leads are in it; anyone else appears in
/// connections under a pseudonym.
#[utoipa::path(get, path = "/api/events/{event}/export/{file}", tag = "export", security(("bearer" = [])),
    params(("event" = String, Path),
        ("file" = String, Path, description = "people.csv, people.json, connections.csv, connections.json, everything.json, hubspot.csv, salesforce.csv or event.xlsx")),
    responses((status = 200, body = EventExport), (status = 404, body = livewall_protocol::ErrorBody)))]
pub(crate) async fn export(
    State(s): State<AppState>,
    _: Admin,
    Path((event, file)): Path<(String, String)>,
) -> Result<Response> {
    if !FILES.contains(&file.as_str()) {
        return Err(Error::NotFound(format!(
            "no export {file:?}: ask for one of {}",
            FILES.join(", ")
        )));
    }
    let (id, auth) = (event.clone(), s.auth.clone());
    let data = s.db.read(move |tx| exports::load(tx, &auth, &id)).await?;
    let (body, kind) = match file.as_str() {
        "people.csv" => (exports::csv(&exports::people(&data))?, CSV),
        "connections.csv" => (exports::csv(&exports::connections(&data))?, CSV),
        "hubspot.csv" => (exports::csv(&exports::hubspot(&data))?, CSV),
        "salesforce.csv" => (exports::csv(&exports::salesforce(&data))?, CSV),
        "event.xlsx" => (
            exports::xlsx(&[
                exports::hubspot(&data),
                exports::salesforce(&data),
                exports::people(&data),
                exports::connections(&data),
            ])?,
            XLSX,
        ),
        "people.json" => (json_bytes(&data.people)?, JSON),
        "connections.json" => (json_bytes(&data.connections)?, JSON),
        _ => (json_bytes(&data.everything())?, JSON),
    };
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{event}-{file}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}
