//! Consent against the real server: "shown on the wall" is honoured live by walls, leaderboards and replays,
//! and attendees set both flags themselves on their own phone page (and nobody else can).

#![allow(clippy::unwrap_used)]

use livewall_testkit::{TestServer, ws};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_livewall-server");

#[tokio::test]
async fn withdrawing_wall_consent_takes_a_person_off_walls_live_and_giving_it_brings_them_back() {
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    let ids = admin.add_people("ev", 3).await;
    admin
        .connect("ev", "p0@example.org", "p1@example.org")
        .await;
    admin
        .connect("ev", "p1@example.org", "p2@example.org")
        .await;
    let (_, kiosk) = admin.device("ev", "kiosk").await;
    let mut wall = ws::connect(&server.base, Some(&kiosk)).await;
    wall.subscribe("ev", None).await;

    admin
        .set_consent("ev", &ids[1..2], json!({"wall": false}))
        .await;
    let node = wall.recv_type("node").await;
    assert_eq!(
        (node["node"]["id"].as_str(), node["hidden"].as_bool()),
        (Some(ids[1].as_str()), Some(true))
    );
    let snap = admin.wall("ev").await;
    assert_eq!(snap["nodes"].as_array().unwrap().len(), 2);
    assert_eq!(snap["links"], json!([]), "both links were with Person 1");
    let (_, stats) = admin.call("GET", "/api/events/ev/stats", None).await;
    assert!(
        stats["top"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["person"]["id"] != ids[1].as_str()),
        "{stats}"
    );
    // Meetings still count (they happened), but walls are not told of one with someone off the wall.
    let (s, c) = admin
        .connect("ev", "p0@example.org", "p1@example.org")
        .await;
    assert_eq!((s, c["duplicate"].as_bool()), (200, Some(true)));
    let (s, c) = admin
        .connect("ev", "p0@example.org", "p2@example.org")
        .await;
    assert_eq!(s, 201);
    assert_eq!(wall.recv_type("connection").await["seq"], c["seq"]);

    admin
        .set_consent("ev", &ids[1..2], json!({"wall": true}))
        .await;
    let node = wall.recv_type("node").await;
    assert_eq!(
        (node["node"]["name"].as_str(), node["hidden"].as_bool()),
        (Some("Person 1"), Some(false))
    );
    let back = [
        wall.recv_type("connection").await,
        wall.recv_type("connection").await,
    ];
    assert!(
        back.iter()
            .all(|l| l["from"]["id"] == ids[1].as_str() || l["to"]["id"] == ids[1].as_str())
    );
    assert_eq!(admin.wall("ev").await["links"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn attendees_set_their_consent_on_their_own_phone_page() {
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({"publicWall": true})).await;
    let ids = admin.add_people("ev", 2).await;
    let link = async |id: &str| -> String {
        let (_, b) = admin
            .call(
                "GET",
                &format!("/api/events/ev/profiles/{id}/badge-link"),
                None,
            )
            .await;
        b["path"].as_str().unwrap().to_owned()
    };
    let (l0, l1) = (link(&ids[0]).await, link(&ids[1]).await);
    let key = |l: &str| l.split_once("?k=").unwrap().1.to_owned();
    let http = reqwest::Client::new();
    let post = async |path: &str, cookie: Option<&str>, form: &[(&str, &str)]| {
        let mut rb = http.post(format!("{}{path}", server.base)).form(form);
        if let Some(c) = cookie {
            rb = rb.header("cookie", c);
        }
        rb.send().await.unwrap()
    };
    let claim = async |id: &str, l: &str| -> String {
        let r = post(&format!("/p/{id}/claim"), None, &[("k", &key(l))]).await;
        assert_eq!(r.status(), 200);
        let c = r.headers()["set-cookie"].to_str().unwrap().to_owned();
        c.split(';').next().unwrap().to_owned()
    };
    let mine = claim(&ids[0], &l0).await;
    let page = http
        .get(format!("{}/p/{}", server.base, ids[0]))
        .header("cookie", &mine)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"name="wall" value="1" checked"#), "{page}");
    assert!(
        page.contains(r#"name="lead" value="1">"#),
        "not shared by default: {page}"
    );

    // Off the wall, shared as a lead: unticked boxes are not posted.
    let r = post(
        &format!("/p/{}/consent", ids[0]),
        Some(&mine),
        &[("lead", "1")],
    )
    .await;
    assert_eq!(r.status(), 200);
    let (_, p) = admin
        .call("GET", &format!("/api/events/ev/profiles/{}", ids[0]), None)
        .await;
    let c = &p["consent"];
    assert_eq!(
        (
            c["wall"].as_bool(),
            c["lead"].as_bool(),
            c["source"].as_str()
        ),
        (Some(false), Some(true), Some("attendee")),
        "{p}"
    );
    assert_eq!(admin.wall("ev").await["nodes"].as_array().unwrap().len(), 1);

    // Nobody else may: not without the cookie, not with another attendee's, not from another site.
    let before = p["consent"].clone();
    let theirs = claim(&ids[1], &l1).await;
    for (cookie, origin) in [
        (None, None),
        (Some(theirs.as_str()), None),
        (Some(mine.as_str()), Some("https://evil.example")),
    ] {
        let mut rb = http
            .post(format!("{}/p/{}/consent", server.base, ids[0]))
            .form(&[("wall", "1"), ("lead", "1")]);
        if let Some(c) = cookie {
            rb = rb.header("cookie", c);
        }
        if let Some(o) = origin {
            rb = rb.header("origin", o);
        }
        assert_eq!(rb.send().await.unwrap().status(), 403);
    }
    let (_, p) = admin
        .call("GET", &format!("/api/events/ev/profiles/{}", ids[0]), None)
        .await;
    assert_eq!(p["consent"], before);
}
