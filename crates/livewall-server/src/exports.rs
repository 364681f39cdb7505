//! What an event's exports hold, whatever the file format: the people who agreed to be shared as leads, and every
//! connection with anyone else named by a pseudonym (the rule is [`crate::people::lead`]). Tables are written as
//! CSV (with spreadsheet formula injection neutralised) or as one XLSX workbook; the CRM tables use the column
//! names of HubSpot's contact import and Salesforce's lead import (Data Import Wizard), so both map them without
//! help.

use crate::auth::Auth;
use crate::db;
use crate::error::{Error, Result};
use crate::ids::rfc3339;
use crate::people;
use livewall_protocol::{Event, EventExport, ExportedConnection, Profile};
use rusqlite::Transaction;
use std::collections::HashMap;

/// Everything an export may show of one event.
pub struct Data {
    pub event: Event,
    /// Everyone with lead consent, by name.
    pub people: Vec<Profile>,
    pub connections: Vec<ExportedConnection>,
    /// Per shareable person: their connections (count, first and last time, the first one's station).
    activity: HashMap<String, Activity>,
}

#[derive(Default, Clone)]
struct Activity {
    count: u32,
    first: Option<i64>,
    last: Option<i64>,
    first_station: Option<String>,
}

/// Loads the event's export in one read transaction.
pub fn load(tx: &Transaction<'_>, auth: &Auth, event_id: &str) -> Result<Data> {
    let event = db::events::get(tx, event_id)?;
    let mut people = Vec::new();
    let mut offset = 0;
    loop {
        let page = db::profiles::list(tx, event_id, None, offset, 1000)?;
        let n = page.items.len() as u32;
        people.extend(page.items.into_iter().filter(Profile::shareable));
        if n < 1000 {
            break;
        }
        offset += n;
    }
    people.sort_by_key(|p| p.name.to_lowercase());
    let stations: HashMap<String, String> = db::devices::list(tx, event_id)?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let mut activity: HashMap<String, Activity> = HashMap::new();
    let lead = |p: &Profile| people::lead(p, || auth.pseudonym(event_id, &p.id));
    let connections = db::connections::all_rows(tx, event_id)?
        .into_iter()
        .map(|r| {
            let station = r.device_id.as_ref().and_then(|d| stations.get(d)).cloned();
            for p in [&r.from, &r.to].into_iter().filter(|p| p.shareable()) {
                let a = activity.entry(p.id.clone()).or_default();
                a.count += 1;
                if a.first.is_none() {
                    a.first = Some(r.created_at);
                    a.first_station = station.clone();
                }
                a.last = Some(r.created_at);
            }
            let (from, to) = (lead(&r.from), lead(&r.to));
            ExportedConnection {
                id: r.id,
                created_at: r.created_at,
                from_id: from.id,
                from_name: from.name.unwrap_or_default(),
                from_email: from.email.unwrap_or_default(),
                to_id: to.id,
                to_name: to.name.unwrap_or_default(),
                to_email: to.email.unwrap_or_default(),
                device_id: r.device_id,
                device_name: station,
            }
        })
        .collect();
    Ok(Data {
        event,
        people,
        connections,
        activity,
    })
}

impl Data {
    /// `everything.json`.
    pub fn everything(self) -> EventExport {
        EventExport {
            event: self.event,
            people: self.people,
            connections: self.connections,
        }
    }
}

/// One sheet: a header and rows of text.
pub struct Table {
    pub name: &'static str,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

fn time(ms: Option<i64>) -> String {
    ms.map(rfc3339).unwrap_or_default()
}

/// "Ada Lovelace" → ("Ada", "Lovelace"); one word is a last name (Salesforce requires one).
fn split_name(name: &str) -> (String, String) {
    let name = name.trim();
    match name.rsplit_once(char::is_whitespace) {
        Some((first, last)) => (first.trim().to_owned(), last.to_owned()),
        None => (String::new(), name.to_owned()),
    }
}

/// `people.csv`.
pub fn people(d: &Data) -> Table {
    Table {
        name: "People",
        header: vec![
            "id",
            "name",
            "email",
            "major",
            "company",
            "avatar",
            "badges",
            "hidden",
            "on_wall",
            "lead_consent",
            "consent_at",
            "created_at",
        ],
        rows: d
            .people
            .iter()
            .map(|p| {
                vec![
                    p.id.clone(),
                    p.name.clone(),
                    p.email.clone(),
                    p.major.clone().unwrap_or_default(),
                    p.company.clone().unwrap_or_default(),
                    p.avatar.clone().unwrap_or_default(),
                    p.tags
                        .iter()
                        .map(|t| t.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    yes(p.hidden),
                    yes(p.on_wall()),
                    yes(p.consent.lead),
                    time(p.consent.updated_at),
                    rfc3339(p.created_at),
                ]
            })
            .collect(),
    }
}

/// `connections.csv`.
pub fn connections(d: &Data) -> Table {
    Table {
        name: "Connections",
        header: vec![
            "id",
            "created_at",
            "from_id",
            "from_name",
            "from_email",
            "to_id",
            "to_name",
            "to_email",
            "device_id",
            "station",
        ],
        rows: d
            .connections
            .iter()
            .map(|c| {
                vec![
                    c.id.clone(),
                    rfc3339(c.created_at),
                    c.from_id.clone(),
                    c.from_name.clone(),
                    c.from_email.clone(),
                    c.to_id.clone(),
                    c.to_name.clone(),
                    c.to_email.clone(),
                    c.device_id.clone().unwrap_or_default(),
                    c.device_name.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

/// The columns both CRM files add after their own: where the lead comes from and what they agreed to.
const EVENT_COLUMNS: [&str; 8] = [
    "Event ID",
    "Event Name",
    "Connections",
    "First Connection (UTC)",
    "Last Connection (UTC)",
    "Station",
    "Lead Consent",
    "Lead Consent Time (UTC)",
];

fn event_cells(d: &Data, p: &Profile) -> Vec<String> {
    let a = d.activity.get(&p.id).cloned().unwrap_or_default();
    vec![
        d.event.id.clone(),
        d.event.name.clone(),
        a.count.to_string(),
        time(a.first),
        time(a.last),
        a.first_station.unwrap_or_default(),
        yes(p.consent.lead),
        time(p.consent.updated_at),
    ]
}

/// `hubspot.csv`: HubSpot's contact import (de-duplicated by e-mail; "Lifecycle Stage" Lead).
pub fn hubspot(d: &Data) -> Table {
    let mut header = vec![
        "First Name",
        "Last Name",
        "Email",
        "Company Name",
        "Lifecycle Stage",
        "Field of Study",
    ];
    header.extend(EVENT_COLUMNS);
    Table {
        name: "HubSpot",
        header,
        rows: d
            .people
            .iter()
            .map(|p| {
                let (first, last) = split_name(&p.name);
                let mut row = vec![
                    first,
                    last,
                    p.email.clone(),
                    p.company.clone().unwrap_or_default(),
                    "Lead".to_owned(),
                    p.major.clone().unwrap_or_default(),
                ];
                row.extend(event_cells(d, p));
                row
            })
            .collect(),
    }
}

/// `salesforce.csv`: Salesforce's lead import. A lead needs a last name and a company: without one, the company
/// is "[not provided]", the value Salesforce itself gives web leads.
pub fn salesforce(d: &Data) -> Table {
    let mut header = vec![
        "First Name",
        "Last Name",
        "Email",
        "Company",
        "Lead Source",
        "Description",
    ];
    header.extend(EVENT_COLUMNS);
    Table {
        name: "Salesforce",
        header,
        rows: d
            .people
            .iter()
            .map(|p| {
                let (first, last) = split_name(&p.name);
                let a = d.activity.get(&p.id).cloned().unwrap_or_default();
                let mut row = vec![
                    first,
                    last,
                    p.email.clone(),
                    p.company
                        .clone()
                        .unwrap_or_else(|| "[not provided]".to_owned()),
                    format!("Event: {}", d.event.name),
                    format!(
                        "Made {} connection(s) at {} (livewall).{}",
                        a.count,
                        d.event.name,
                        p.major
                            .as_ref()
                            .map(|m| format!(" Field of study: {m}."))
                            .unwrap_or_default()
                    ),
                ];
                row.extend(event_cells(d, p));
                row
            })
            .collect(),
    }
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

/// The table as CSV (UTF-8, every cell neutralised by [`cell`]).
pub fn csv(t: &Table) -> Result<Vec<u8>> {
    let fail = |e: csv::Error| Error::Internal(format!("cannot write CSV: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&t.header).map_err(fail)?;
    for r in &t.rows {
        w.write_record(r.iter().map(|c| cell(c).into_owned()))
            .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::Internal(format!("cannot write CSV: {e}")))
}

/// The tables as one workbook, a sheet each, with a bold frozen header. Cells are written as text, never as
/// formulas, so no value can run.
pub fn xlsx(tables: &[Table]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| Error::Internal(format!("cannot write XLSX: {e}"));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for t in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(t.name).map_err(fail)?;
        for (c, h) in t.header.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, *h, &bold)
                .map_err(fail)?;
            sheet
                .set_column_width(c as u16, (h.len() as f64 + 4.0).max(12.0))
                .map_err(fail)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet
                    .write_string(r as u32 + 1, c as u16, v)
                    .map_err(fail)?;
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_first_and_last() {
        assert_eq!(
            split_name("Ada King Lovelace"),
            ("Ada King".into(), "Lovelace".into())
        );
        assert_eq!(split_name("Plato"), (String::new(), "Plato".into()));
    }

    #[test]
    fn formulas_are_neutralised() {
        let t = Table {
            name: "T",
            header: vec!["a"],
            rows: vec![vec!["=1+1".into()], vec!["-2".into()], vec!["ok".into()]],
        };
        let text = String::from_utf8(csv(&t).expect("csv")).expect("utf-8");
        assert_eq!(text, "a\n'=1+1\n'-2\nok\n");
    }
}
