//! CRM-ready exports against the real server: HubSpot's and Salesforce's documented import columns, the XLSX
//! workbook read back, consent filtering, and consent columns in the attendee import.

#![allow(clippy::unwrap_used)]

use calamine::{Data, Reader, Xlsx};
use livewall_testkit::{Api, TestServer};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_livewall-server");

async fn download(admin: &Api, file: &str) -> (u16, String, Vec<u8>) {
    let res = admin
        .request("GET", &format!("/api/events/ev/export/{file}"))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, res.bytes().await.unwrap().to_vec())
}

fn rows(csv: &[u8]) -> Vec<Vec<String>> {
    csv::Reader::from_reader(csv)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn header(csv: &[u8]) -> Vec<String> {
    csv::Reader::from_reader(csv)
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect()
}

fn is_utc_iso(s: &str) -> bool {
    s.len() == 20 && s.as_bytes()[10] == b'T' && s.ends_with('Z') && s.starts_with("20")
}

/// Ada and Grace consented to be shared as leads, Linus did not; Ada met both at "Hall A".
async fn evening(server: &TestServer) -> Api {
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    let (s, b) = admin
        .call(
            "POST",
            "/api/events/ev/profiles/bulk",
            Some(json!({"profiles": [
                {"name": "Ada King Lovelace", "email": "ada@example.org", "company": "Analytical Engines",
                 "major": "Mathematics", "consent": {"lead": true}},
                {"name": "Grace", "email": "grace@example.org", "consent": {"lead": true}},
                {"name": "Linus Torvalds", "email": "linus@example.org", "company": "=HYPERLINK(\"x\")"},
            ]})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, d) = admin
        .call(
            "POST",
            "/api/events/ev/devices",
            Some(json!({"name": "Hall A", "role": "station"})),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    let station = server.api().with_token(d["token"].as_str().unwrap());
    for to in ["grace@example.org", "linus@example.org"] {
        let (s, c) = station.connect("ev", "ada@example.org", to).await;
        assert_eq!(s, 201, "{c}");
    }
    admin
}

#[tokio::test]
async fn hubspot_and_salesforce_files_use_their_import_columns_and_only_consenting_people() {
    let server = TestServer::start(BIN).await;
    let admin = evening(&server).await;

    let (s, kind, hs) = download(&admin, "hubspot.csv").await;
    assert_eq!((s, kind.as_str()), (200, "text/csv; charset=utf-8"));
    let event_columns = [
        "Event ID",
        "Event Name",
        "Connections",
        "First Connection (UTC)",
        "Last Connection (UTC)",
        "Station",
        "Lead Consent",
        "Lead Consent Time (UTC)",
    ];
    let mut want = vec![
        "First Name",
        "Last Name",
        "Email",
        "Company Name",
        "Lifecycle Stage",
        "Field of Study",
    ];
    want.extend(event_columns);
    assert_eq!(header(&hs), want);
    let r = rows(&hs);
    assert_eq!(r.len(), 2, "Linus did not consent: {r:?}");
    let ada = &r[0];
    assert_eq!(
        &ada[..8],
        [
            "Ada King",
            "Lovelace",
            "ada@example.org",
            "Analytical Engines",
            "Lead",
            "Mathematics",
            "ev",
            "Event ev"
        ]
    );
    assert_eq!(
        ada[8], "2",
        "Ada met two people (Linus's side is counted too)"
    );
    assert!(is_utc_iso(&ada[9]) && is_utc_iso(&ada[10]), "{ada:?}");
    assert!(ada[9] <= ada[10]);
    assert_eq!((ada[11].as_str(), ada[12].as_str()), ("Hall A", "yes"));
    assert!(is_utc_iso(&ada[13]), "consent time {ada:?}");
    let grace = &r[1];
    assert_eq!(
        (grace[0].as_str(), grace[1].as_str(), grace[8].as_str()),
        ("", "Grace", "1")
    );
    let text = String::from_utf8(hs).unwrap();
    assert!(!text.contains("linus") && !text.contains("Linus"), "{text}");

    let (_, _, sf) = download(&admin, "salesforce.csv").await;
    let mut want = vec![
        "First Name",
        "Last Name",
        "Email",
        "Company",
        "Lead Source",
        "Description",
    ];
    want.extend(event_columns);
    assert_eq!(header(&sf), want);
    let r = rows(&sf);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0][3], "Analytical Engines");
    assert_eq!(
        r[1][3], "[not provided]",
        "Salesforce needs a company for a lead"
    );
    assert_eq!(r[0][4], "Event: Event ev");
    assert!(
        r[0][5].contains("2 connection(s)") && r[0][5].contains("Mathematics"),
        "{:?}",
        r[0]
    );
}

#[tokio::test]
async fn the_workbook_reads_back_like_the_csv_files() {
    let server = TestServer::start(BIN).await;
    let admin = evening(&server).await;
    let (s, kind, bytes) = download(&admin, "event.xlsx").await;
    assert_eq!(s, 200);
    assert_eq!(
        kind,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["HubSpot", "Salesforce", "People", "Connections"]
    );
    for (sheet, file) in [
        ("HubSpot", "hubspot.csv"),
        ("Salesforce", "salesforce.csv"),
        ("People", "people.csv"),
        ("Connections", "connections.csv"),
    ] {
        let range = book.worksheet_range(sheet).unwrap();
        let cells: Vec<Vec<String>> = range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::String(s) => s.clone(),
                        Data::Empty => String::new(),
                        other => panic!("{sheet}: a cell that is not text: {other:?}"),
                    })
                    .collect()
            })
            .collect();
        let (_, _, csv) = download(&admin, file).await;
        let mut want = vec![header(&csv)];
        want.extend(rows(&csv));
        // The CSV guards formulas with a leading quote; the workbook stores text, which never runs.
        let want: Vec<Vec<String>> = want
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|c| c.strip_prefix('\'').map(str::to_owned).unwrap_or(c))
                    .collect()
            })
            .collect();
        assert_eq!(cells, want, "{sheet}");
    }
    let conns = book.worksheet_range("Connections").unwrap();
    let linus_side = conns.get((2, 5)).unwrap().to_string();
    assert!(linus_side.starts_with("anon-"), "{linus_side}");
}

#[tokio::test]
async fn attendee_imports_take_consent_columns() {
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    let post = async |body: &str| -> (u16, Value) {
        Api::finish(
            admin
                .request("POST", "/api/events/ev/imports")
                .header("content-type", "text/csv")
                .body(body.to_owned()),
        )
        .await
    };
    let (s, b) = post("name,email,Show on wall,Shareable\nAda,ada@example.org,yes,yes\nLinus,linus@example.org,no,\n").await;
    assert_eq!(s, 201, "{b}");
    let (_, page) = admin.call("GET", "/api/events/ev/profiles", None).await;
    let by = |email: &str| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["email"] == email)
            .unwrap()["consent"]
            .clone()
    };
    let ada = by("ada@example.org");
    assert_eq!(
        (
            ada["wall"].as_bool(),
            ada["lead"].as_bool(),
            ada["source"].as_str()
        ),
        (Some(true), Some(true), Some("import"))
    );
    assert!(ada["updatedAt"].as_i64().unwrap() > 0);
    let linus = by("linus@example.org");
    assert_eq!(
        (linus["wall"].as_bool(), linus["lead"].as_bool()),
        (Some(false), Some(false))
    );
    let wall = admin.wall("ev").await;
    let names: Vec<&str> = wall["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ada"], "Linus asked not to be on the wall");

    let (s, b) = post("name,email,consent_lead\nEve,eve@example.org,perhaps\n").await;
    assert_eq!(s, 422, "{b}");
    assert!(
        b["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("consent_lead \"perhaps\" must be yes/no"),
        "{b}"
    );
}
