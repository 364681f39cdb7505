//! Reading an attendee CSV: recognised columns, one [`CreateProfile`] per row, and every problem with its line,
//! column and reason, so an organiser can fix the file before anything is stored.

use crate::db;
use crate::error::Result;
use crate::validate;
use livewall_protocol::{ConsentPatch, CreateProfile, FieldError, ImportPreview};
use rusqlite::Transaction;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Id,
    Name,
    Email,
    Avatar,
    Major,
    Company,
    Tags,
    Hidden,
    ConsentWall,
    ConsentLead,
}

fn column(header: &str) -> Option<Column> {
    let key: String = header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    Some(match key.as_str() {
        "id" | "profileid" => Column::Id,
        "name" | "fullname" | "attendee" | "displayname" => Column::Name,
        "email" | "emailaddress" | "mail" => Column::Email,
        "avatar" | "avatarurl" | "photo" | "photourl" | "picture" | "image" => Column::Avatar,
        "major" | "field" | "program" | "programme" | "studies" => Column::Major,
        "company" | "organisation" | "organization" | "affiliation" | "employer" => Column::Company,
        "tags" | "tag" | "badge" | "badges" | "taguid" | "uid" | "nfc" | "nfcuid" => Column::Tags,
        "hidden" | "hide" | "optout" => Column::Hidden,
        "consentwall" | "showonwall" | "onwall" | "wallconsent" => Column::ConsentWall,
        "consentlead" | "leadconsent" | "shareable" | "shareaslead" | "consentshare"
        | "marketingconsent" => Column::ConsentLead,
        _ => return None,
    })
}

fn truthy(v: &str) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "" | "0" | "no" | "false" | "n" => Some(false),
        "1" | "yes" | "true" | "y" | "x" => Some(true),
        _ => None,
    }
}

/// A CSV read into rows; `lines[i]` is the file line where profile `i` starts.
pub struct Parsed {
    pub preview: ImportPreview,
    pub lines: Vec<u32>,
}

/// Parses `text` (UTF-8, optional BOM, quoted fields with commas and newlines) and checks every row on its own and
/// against the other rows. Checks against the stored event are done by [`check_against_event`].
pub fn parse(text: &str) -> Parsed {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut errors = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            errors.push(FieldError {
                index: Some(1),
                field: "header".into(),
                message: format!("cannot read the header line: {e}"),
            });
            return Parsed {
                preview: ImportPreview {
                    rows: 0,
                    profiles: vec![],
                    errors,
                    ignored_columns: vec![],
                },
                lines: vec![],
            };
        }
    };
    let mut columns: Vec<(usize, Column, String)> = Vec::new();
    let mut ignored = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        match column(h) {
            Some(c) if columns.iter().any(|(_, seen, _)| *seen == c) => errors.push(FieldError {
                index: Some(1),
                field: h.to_owned(),
                message: format!("column {h:?} appears twice"),
            }),
            Some(c) => columns.push((i, c, h.to_owned())),
            None if h.is_empty() => {}
            None => ignored.push(h.to_owned()),
        }
    }
    for (needed, label) in [(Column::Name, "name"), (Column::Email, "email")] {
        if !columns.iter().any(|(_, c, _)| *c == needed) {
            errors.push(FieldError {
                index: Some(1),
                field: label.into(),
                message: format!(
                    "the file needs a {label} column (header line: {})",
                    headers.iter().collect::<Vec<_>>().join(", ")
                ),
            });
        }
    }
    let mut profiles = Vec::new();
    let mut lines = Vec::new();
    let mut rows = 0u32;
    let mut emails: HashMap<String, u32> = HashMap::new();
    let mut tags_seen: HashMap<String, u32> = HashMap::new();
    // (byte offset, newlines before it) of the last record's start.
    let mut counted: (usize, u32) = (0, 0);
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as u32).unwrap_or(0);
                errors.push(FieldError {
                    index: Some(line),
                    field: "row".into(),
                    message: format!("unreadable row: {e}"),
                });
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        rows += 1;
        // The csv crate's own line count skips blank lines, and a record's position may point at the blank lines
        // before it: count the newlines before the record's first character instead.
        // Records come in order, so the newlines are counted once each, from where the previous record began:
        // the whole file is read once (counting from the start for every record made a large file quadratic).
        let line = record
            .position()
            .and_then(|p| {
                let start = p.byte() as usize;
                let rest = text.get(start..)?;
                let blank = rest.len() - rest.trim_start_matches(['\r', '\n']).len();
                let upto = start + blank;
                let between = text.get(counted.0.min(upto)..upto)?;
                counted = (upto, counted.1 + between.matches('\n').count() as u32);
                Some(counted.1 + 1)
            })
            .unwrap_or(0);
        let get = |c: Column| -> (&str, String) {
            columns
                .iter()
                .find(|(_, col, _)| *col == c)
                .map(|(i, _, h)| (record.get(*i).unwrap_or(""), h.clone()))
                .unwrap_or(("", String::new()))
        };
        let mut row_errors = Vec::new();
        let mut err = |field: &str, message: String| {
            row_errors.push(FieldError {
                index: Some(line),
                field: field.to_owned(),
                message,
            })
        };
        let (name, name_col) = get(Column::Name);
        if let Err(e) = validate::name("name", name) {
            err(&name_col, e.to_string());
        }
        let (email, email_col) = get(Column::Email);
        match validate::email(email) {
            Ok(e) => {
                if let Some(first) = emails.insert(validate::email_key(&e), line) {
                    err(
                        &email_col,
                        format!("email {e} is already used on line {first}"),
                    );
                }
            }
            Err(e) => err(&email_col, e.to_string()),
        }
        let (avatar, avatar_col) = get(Column::Avatar);
        if let Err(e) = validate::avatar(Some(avatar)) {
            err(&avatar_col, e.to_string());
        }
        for (c, label) in [(Column::Major, "major"), (Column::Company, "company")] {
            let (v, col) = get(c);
            if let Err(e) = validate::optional_text(label, Some(v)) {
                err(&col, e.to_string());
            }
        }
        let (tags_raw, tags_col) = get(Column::Tags);
        let mut tags = Vec::new();
        for t in tags_raw
            .split([';', ',', ' ', '\n', '|'])
            .filter(|t| !t.is_empty())
        {
            match validate::tag_uid(t) {
                Ok(uid) => {
                    if let Some(first) = tags_seen.insert(uid.to_string(), line) {
                        err(
                            &tags_col,
                            format!("badge {uid} is already used on line {first}"),
                        );
                    }
                    tags.push(String::from(uid));
                }
                Err(e) => err(&tags_col, e.to_string()),
            }
        }
        let (hidden_raw, hidden_col) = get(Column::Hidden);
        let hidden = truthy(hidden_raw).unwrap_or_else(|| {
            err(
                &hidden_col,
                format!("hidden {hidden_raw:?} must be yes/no, true/false or 1/0"),
            );
            false
        });
        // An empty consent cell leaves the default (shown on the wall, not shared as a lead).
        let mut flag = |c: Column, what: &str| {
            let (raw, col) = get(c);
            if raw.trim().is_empty() {
                return None;
            }
            let v = truthy(raw);
            if v.is_none() {
                err(
                    &col,
                    format!("{what} {raw:?} must be yes/no, true/false or 1/0"),
                );
            }
            v
        };
        let consent = ConsentPatch {
            wall: flag(Column::ConsentWall, "consent_wall"),
            lead: flag(Column::ConsentLead, "consent_lead"),
        };
        let (id, id_col) = get(Column::Id);
        if !id.is_empty()
            && let Err(e) = validate::client_id("id", id)
        {
            err(&id_col, e.to_string());
        }
        errors.extend(row_errors);
        let text = |v: &str| (!v.is_empty()).then(|| v.to_owned());
        profiles.push(CreateProfile {
            id: text(id),
            name: name.to_owned(),
            email: email.to_owned(),
            avatar: text(avatar),
            major: text(get(Column::Major).0),
            company: text(get(Column::Company).0),
            tags: (!tags.is_empty()).then_some(tags),
            hidden: hidden.then_some(true),
            consent: (!consent.is_empty()).then_some(consent),
        });
        lines.push(line);
    }
    if rows == 0 && errors.is_empty() {
        errors.push(FieldError {
            index: Some(2),
            field: "row".into(),
            message: "the file has a header but no attendees".into(),
        });
    }
    Parsed {
        preview: ImportPreview {
            rows,
            profiles,
            errors,
            ignored_columns: ignored,
        },
        lines,
    }
}

/// Problems of the parsed rows against what the event already holds: e-mails and badges in use.
pub fn check_against_event(
    tx: &Transaction<'_>,
    event_id: &str,
    parsed: &Parsed,
) -> Result<Vec<FieldError>> {
    let mut errors = Vec::new();
    for (p, line) in parsed.preview.profiles.iter().zip(&parsed.lines) {
        if let Some(other) = db::profiles::find_by_email(tx, event_id, &p.email)? {
            errors.push(FieldError {
                index: Some(*line),
                field: "email".into(),
                message: format!(
                    "email {} is already used by {} in this event",
                    p.email, other.name
                ),
            });
        }
        for uid in p.tags.iter().flatten() {
            if let Some(owner) = db::profiles::find_by_tag(tx, event_id, uid)? {
                errors.push(FieldError {
                    index: Some(*line),
                    field: "tags".into(),
                    message: format!("badge {uid} is already bound to {}", owner.name),
                });
            }
        }
        if let Some(id) = &p.id
            && db::profiles::find_any(tx, id)?.is_some()
        {
            errors.push(FieldError {
                index: Some(*line),
                field: "id".into(),
                message: format!("a profile with id {id:?} already exists"),
            });
        }
    }
    Ok(errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_bom_and_aliases() {
        let csv = "\u{feff}Full Name,E-mail,Company,Notes\n\"Zhou, Elijah\",e@x.org,\"Acme\nLabs\",hi\nAurora,a@x.org,,\n";
        let p = parse(csv);
        assert!(p.preview.errors.is_empty(), "{:?}", p.preview.errors);
        assert_eq!(p.preview.rows, 2);
        assert_eq!(p.preview.profiles[0].name, "Zhou, Elijah");
        assert_eq!(p.preview.profiles[0].company.as_deref(), Some("Acme\nLabs"));
        assert_eq!(p.lines, vec![2, 4]);
        assert_eq!(p.preview.ignored_columns, vec!["Notes".to_owned()]);
    }

    #[test]
    fn row_errors_name_line_and_column() {
        let csv = "name,email,badge\nAda,ada@x.org,04A1B2C3\n,bad,zz\nEve,ADA@x.org,04a1b2c3\n";
        let p = parse(csv);
        let got: Vec<(u32, &str)> = p
            .preview
            .errors
            .iter()
            .map(|e| (e.index.unwrap_or(0), e.field.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (3, "name"),
                (3, "email"),
                (3, "badge"),
                (4, "email"),
                (4, "badge")
            ]
        );
        assert!(p.preview.errors[3].message.contains("line 2"));
    }

    #[test]
    fn line_numbers_count_blank_lines() {
        let p = parse("name,email\nA,a@q.org\n\n,bad\n");
        assert_eq!(p.lines, vec![2, 4]);
        assert!(
            p.preview.errors.iter().all(|e| e.index == Some(4)),
            "{:?}",
            p.preview.errors
        );
    }

    #[test]
    fn missing_columns_are_explained() {
        let p = parse("who,where\nx,y\n");
        assert!(p.preview.errors.iter().any(|e| e.field == "name"));
        assert!(p.preview.errors.iter().any(|e| e.field == "email"));
    }
}
