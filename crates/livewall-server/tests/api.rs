//! REST behaviour of the real server binary on 127.0.0.1, over HTTP.

#![allow(clippy::unwrap_used)]

use livewall_testkit::{Api, TestServer};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const BIN: &str = env!("CARGO_BIN_EXE_livewall-server");

async fn server_with_event(n: usize) -> (TestServer, Api, Vec<String>) {
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    let ids = admin.add_people("ev", n).await;
    (server, admin, ids)
}

fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or("")
}

#[tokio::test]
async fn events_crud_and_validation() {
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    let (s, e) = admin
        .call(
            "POST",
            "/api/events",
            Some(json!({"id": "conf-26", "name": "  Conf 26 ", "startsAt": "2026-11-22", "endsAt": "2026-11-23",
                         "settings": {"initialsOnly": true}})),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    assert_eq!(e["name"], "Conf 26");
    assert_eq!(e["settings"]["initialsOnly"], true);
    let (s, b) = admin
        .call(
            "POST",
            "/api/events",
            Some(json!({"id": "conf-26", "name": "again"})),
        )
        .await;
    assert_eq!(s, 409, "{b}");
    let (s, b) = admin
        .call("POST", "/api/events", Some(json!({"name": ""})))
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (422, Some("validation")),
        "{b}"
    );
    let (s, b) = admin
        .call(
            "POST",
            "/api/events",
            Some(json!({"name": "x", "startsAt": "2026-11-23", "endsAt": "2026-11-22"})),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    assert!(message(&b).contains("before"), "{b}");
    let (s, b) = admin
        .call(
            "PATCH",
            "/api/events/conf-26",
            Some(json!({"name": "Conf 2026", "endsAt": null})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        (b["name"].as_str(), &b["endsAt"]),
        (Some("Conf 2026"), &Value::Null)
    );
    let (s, list) = admin.call("GET", "/api/events", None).await;
    assert_eq!(s, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (s, _) = admin.call("DELETE", "/api/events/conf-26", None).await;
    assert_eq!(s, 204);
    let (s, b) = admin.call("GET", "/api/events/conf-26", None).await;
    assert_eq!((s, b["error"]["code"].as_str()), (404, Some("not_found")));
}

#[tokio::test]
async fn profiles_crud_paging_search_and_bulk_all_or_nothing() {
    let (_server, admin, ids) = server_with_event(30).await;
    let (s, page) = admin
        .call("GET", "/api/events/ev/profiles?offset=10&limit=5", None)
        .await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(
        (
            page["total"].as_u64(),
            page["items"].as_array().unwrap().len()
        ),
        (Some(30), 5)
    );
    assert_eq!(page["items"][0]["name"], "Person 10");
    let (_, found) = admin
        .call("GET", "/api/events/ev/profiles?q=Person%2029", None)
        .await;
    assert_eq!(found["total"], 1);
    let (s, b) = admin
        .call("GET", "/api/events/ev/profiles?limit=0", None)
        .await;
    assert_eq!(s, 400, "{b}");

    // E-mails are unique per event, case-insensitively.
    let (s, b) = admin
        .call(
            "POST",
            "/api/events/ev/profiles",
            Some(json!({"name": "Dup", "email": "P3@Example.org"})),
        )
        .await;
    assert_eq!(s, 409, "{b}");
    assert!(message(&b).contains("Person 3"), "{b}");

    // Bulk: one bad row refuses the whole batch and names the row and field.
    let (s, b) = admin
        .call(
            "POST",
            "/api/events/ev/profiles/bulk",
            Some(json!({"profiles": [
                {"name": "Fine", "email": "fine@example.org"},
                {"name": "Broken", "email": "not-an-email"},
                {"name": "Clash", "email": "p1@example.org"}
            ]})),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    let details = b["error"]["details"].as_array().unwrap();
    assert_eq!(details.len(), 2, "{b}");
    assert_eq!(
        (details[0]["index"].as_u64(), details[0]["field"].as_str()),
        (Some(1), Some("email"))
    );
    assert_eq!(details[1]["index"], 2);
    let (_, page) = admin
        .call("GET", "/api/events/ev/profiles?q=fine", None)
        .await;
    assert_eq!(page["total"], 0, "nothing of the refused batch was kept");

    // Update, badges, conflicts, delete.
    let id = &ids[0];
    let (s, p) = admin
        .call(
            "PATCH",
            &format!("/api/events/ev/profiles/{id}"),
            Some(json!({"major": "Physics", "tags": ["04:a1:b2:c3:d4:e5:f6"]})),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(
        (p["major"].as_str(), p["tags"][0].as_str()),
        (Some("Physics"), Some("04A1B2C3D4E5F6"))
    );
    let (s, b) = admin
        .call(
            "PATCH",
            &format!("/api/events/ev/profiles/{}", ids[1]),
            Some(json!({"tags": ["04A1B2C3D4E5F6"]})),
        )
        .await;
    assert_eq!(s, 409, "{b}");
    assert!(
        message(&b).contains("Person 0"),
        "the refusal names the badge's owner: {b}"
    );
    let (s, b) = admin
        .call(
            "PATCH",
            &format!("/api/events/ev/profiles/{id}"),
            Some(json!({"tags": ["zz"]})),
        )
        .await;
    assert_eq!(s, 422, "{b}");
    let (s, _) = admin
        .call(
            "DELETE",
            &format!("/api/events/ev/profiles/{}", ids[2]),
            None,
        )
        .await;
    assert_eq!(s, 204);
    let (s, b) = admin
        .call("GET", &format!("/api/events/ev/profiles/{}", ids[2]), None)
        .await;
    assert_eq!(s, 404, "{b}");
}

#[tokio::test]
async fn connection_flow_follows_the_original() {
    let (_server, admin, ids) = server_with_event(4).await;
    let (s, b) = admin
        .connect("ev", "p0@example.org", "P1@example.org")
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(
        (
            b["duplicate"].as_bool(),
            b["connection"]["from"]["name"].as_str()
        ),
        (Some(false), Some("Person 0"))
    );
    assert!(b["seq"].as_u64().is_some());

    // The same pair, either way round, is a friendly duplicate that logs nothing.
    let before = admin.wall("ev").await["seq"].as_u64().unwrap();
    let (s, d) = admin
        .connect("ev", "p1@example.org", "p0@example.org")
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["duplicate"], true);
    assert_eq!(d["connection"]["id"], b["connection"]["id"]);
    assert_eq!(admin.wall("ev").await["seq"].as_u64().unwrap(), before);

    // Sides can be named by profile id, badge UID or a bare string.
    admin
        .call(
            "PATCH",
            &format!("/api/events/ev/profiles/{}", ids[3]),
            Some(json!({"tags": ["DEADBEEF"]})),
        )
        .await;
    let (s, b) = admin
        .call(
            "POST",
            "/api/events/ev/connections",
            Some(json!({"from": {"profileId": ids[2]}, "to": {"tagUid": "de:ad:be:ef"}})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = admin
        .call(
            "POST",
            "/api/events/ev/connections",
            Some(json!({"from": "p0@example.org", "to": ids[3]})),
        )
        .await;
    assert_eq!(s, 201, "{b}");

    // Unknown people: 404 naming the side.
    let (s, b) = admin
        .connect("ev", "p0@example.org", "nobody@example.org")
        .await;
    assert_eq!(s, 404, "{b}");
    assert!(
        message(&b).starts_with("to:") && message(&b).contains("nobody@example.org"),
        "{b}"
    );
    let (s, b) = admin
        .connect("ev", "ghost@example.org", "p0@example.org")
        .await;
    assert_eq!(s, 404);
    assert!(message(&b).starts_with("from:"), "{b}");
    // Unknown event: 404.
    let (s, b) = admin
        .connect("nope", "p0@example.org", "p1@example.org")
        .await;
    assert_eq!(s, 404, "{b}");
    assert!(message(&b).contains("event"), "{b}");
    // Self-connection: 422.
    let (s, b) = admin
        .connect("ev", "p2@example.org", "P2@EXAMPLE.ORG")
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (422, Some("validation")),
        "{b}"
    );

    // Both directions of a person's connections.
    let (s, c) = admin
        .call(
            "GET",
            &format!("/api/events/ev/profiles/{}/connections", ids[1]),
            None,
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let list = c["connections"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        (
            list[0]["person"]["name"].as_str(),
            list[0]["initiated"].as_bool()
        ),
        (Some("Person 0"), Some(false))
    );
    let (_, c) = admin
        .call(
            "GET",
            &format!("/api/events/ev/profiles/{}/connections", ids[0]),
            None,
        )
        .await;
    assert_eq!(c["connections"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn bad_requests_get_clear_errors() {
    let server = TestServer::start_with(BIN, &["--max-body-bytes", "4096"]).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    admin.add_people("ev", 2).await;

    let (s, b) = Api::finish(
        admin
            .request("POST", "/api/events/ev/connections")
            .header("content-type", "application/json")
            .body(r#"{"from": {"email": "p0@example.org"}, "to": "#),
    )
    .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (400, Some("bad_request")),
        "{b}"
    );
    assert!(message(&b).contains("JSON"), "{b}");
    let (s, b) = admin
        .call(
            "POST",
            "/api/events/ev/connections",
            Some(json!({"from": "p0@example.org"})),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    assert!(
        message(&b).contains("missing field `to`"),
        "the message names the problem: {b}"
    );
    let (s, b) = Api::finish(
        admin
            .request("POST", "/api/events/ev/connections")
            .body("{}"),
    )
    .await;
    assert_eq!(s, 400, "no content type: {b}");
    assert!(message(&b).contains("Content-Type"), "{b}");

    let big = "x".repeat(10_000);
    let (s, b) = admin
        .call(
            "POST",
            "/api/events/ev/connections",
            Some(json!({"from": big, "to": "p0@example.org"})),
        )
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (413, Some("payload_too_large")),
        "{b}"
    );

    let (s, b) = admin.call("GET", "/api/no/such/route", None).await;
    assert_eq!((s, b["error"]["code"].as_str()), (404, Some("not_found")));
    let (s, b) = admin.call("PUT", "/api/events", None).await;
    assert_eq!(s, 405, "{b}");
    assert!(b["error"]["message"].is_string());
    let (s, b) = admin
        .request("POST", "/api/events/ev/connections")
        .header("Idempotency-Key", "")
        .json(&json!({"from": "p0@example.org", "to": "p1@example.org"}))
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!((s, b), (400, ()));
}

#[tokio::test]
async fn tokens_roles_and_revocation() {
    let (server, admin, _) = server_with_event(3).await;
    admin.create_event("other", json!({})).await;
    let anon = server.api();

    let (s, b) = anon.connect("ev", "p0@example.org", "p1@example.org").await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (401, Some("unauthorized")),
        "{b}"
    );
    let (s, _) = admin
        .with_token("not.a.token")
        .connect("ev", "p0@example.org", "p1@example.org")
        .await;
    assert_eq!(s, 401);
    let (s, b) = Api::finish(
        anon.request("GET", "/api/events")
            .header("authorization", "Basic abc"),
    )
    .await;
    assert_eq!(s, 401, "{b}");
    let (s, b) = anon
        .call(
            "POST",
            "/api/login",
            Some(json!({"username": "admin", "password": "wrong"})),
        )
        .await;
    assert_eq!(s, 401, "{b}");
    let (s, _) = anon.call("GET", "/api/events/ev/wall", None).await;
    assert_eq!(s, 401, "a private wall needs a token");

    let (station_id, station_token) = admin.device("ev", "station").await;
    let (_, kiosk_token) = admin.device("ev", "kiosk").await;
    let station = server.api().with_token(&station_token);
    let kiosk = server.api().with_token(&kiosk_token);
    let (s, b) = station
        .connect("ev", "p0@example.org", "p1@example.org")
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(
        b["connection"]["deviceId"].as_str(),
        Some(station_id.as_str())
    );
    let (s, b) = station
        .connect("other", "p0@example.org", "p1@example.org")
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (403, Some("forbidden")),
        "wrong event: {b}"
    );
    let (s, _) = kiosk
        .connect("ev", "p0@example.org", "p2@example.org")
        .await;
    assert_eq!(s, 403, "a kiosk cannot post");
    assert_eq!(kiosk.wall("ev").await["links"].as_array().unwrap().len(), 1);
    let (s, _) = kiosk.call("GET", "/api/events/other/wall", None).await;
    assert_eq!(s, 403);
    let (s, _) = station.call("GET", "/api/events", None).await;
    assert_eq!(s, 403, "devices are not admins");
    let (s, b) = station
        .call("GET", "/api/events/ev/people/p1@example.org", None)
        .await;
    assert_eq!((s, b["name"].as_str()), (200, Some("Person 1")), "{b}");
    assert!(b.get("email").is_none());

    // The token can be shown again, and revoking refuses it at once.
    let (_, shown) = admin
        .call("GET", &format!("/api/events/ev/devices/{station_id}"), None)
        .await;
    assert_eq!(shown["token"].as_str(), Some(station_token.as_str()));
    let (s, d) = admin
        .call(
            "POST",
            &format!("/api/events/ev/devices/{station_id}/revoke"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{d}");
    assert!(d["revokedAt"].is_i64());
    let (s, b) = station
        .connect("ev", "p1@example.org", "p2@example.org")
        .await;
    assert_eq!(s, 401, "{b}");
    assert!(message(&b).contains("revoked"), "{b}");

    // Revocation survives a restart; the kiosk still works.
    let mut server = server;
    server.restart().await;
    let (s, _) = station
        .connect("ev", "p1@example.org", "p2@example.org")
        .await;
    assert_eq!(s, 401);
    let (s, _) = kiosk.call("GET", "/api/events/ev/wall", None).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn public_walls_and_snapshot_privacy() {
    let (server, admin, ids) = server_with_event(4).await;
    admin
        .connect("ev", "p0@example.org", "p1@example.org")
        .await;
    admin
        .connect("ev", "p2@example.org", "p1@example.org")
        .await;
    admin
        .call(
            "PATCH",
            &format!("/api/events/ev/profiles/{}", ids[2]),
            Some(json!({"hidden": true})),
        )
        .await;
    admin
        .call(
            "PATCH",
            "/api/events/ev",
            Some(json!({"settings": {"publicWall": true}})),
        )
        .await;

    let anon = server.api();
    let (s, wall) = anon.call("GET", "/api/events/ev/wall", None).await;
    assert_eq!(s, 200, "public wall: {wall}");
    assert_eq!(wall["type"], "snapshot");
    let text = wall.to_string();
    assert!(!text.contains("@example.org"), "no e-mail in the snapshot");
    assert!(!text.contains(&ids[2]), "no hidden person or their links");
    assert_eq!(wall["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(wall["links"].as_array().unwrap().len(), 1);
    let node = &wall["nodes"][0];
    for key in ["id", "name", "avatar"] {
        assert!(node.get(key).is_some(), "node has {key}");
    }
    let link = &wall["links"][0];
    assert_eq!(
        (link["source"].as_str(), link["target"].as_str()),
        (Some(ids[0].as_str()), Some(ids[1].as_str()))
    );
    assert!(link["createdAt"].is_i64());
    assert!(wall["epoch"].is_string() && wall["seq"].is_u64());

    // The original path answers the original's window (links of the last 300 s and the people in them).
    let (s, legacy) = anon
        .call("GET", "/interactions/wall?eventId=ev", None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(legacy["links"], wall["links"]);
    assert_eq!(
        legacy["nodes"].as_array().unwrap().len(),
        2,
        "only people with a link"
    );
    let (s, none) = anon.call("GET", "/interactions/wall", None).await;
    assert_eq!(
        (s, none["links"].clone()),
        (200, json!([])),
        "no eventId and no --default-event: an empty wall, as the original"
    );

    // Initials only.
    admin
        .call(
            "PATCH",
            "/api/events/ev",
            Some(json!({"settings": {"publicWall": true, "initialsOnly": true}})),
        )
        .await;
    let wall = anon.wall("ev").await;
    assert_eq!(wall["nodes"][0]["name"], "P0");
    // Un-hiding brings the person and their link back.
    admin
        .call(
            "PATCH",
            &format!("/api/events/ev/profiles/{}", ids[2]),
            Some(json!({"hidden": false})),
        )
        .await;
    assert_eq!(anon.wall("ev").await["links"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn snapshot_etag_and_compression() {
    let (server, admin, _) = server_with_event(50).await;
    admin
        .connect("ev", "p0@example.org", "p1@example.org")
        .await;
    let res = admin
        .request("GET", "/api/events/ev/wall")
        .send()
        .await
        .unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let (s, _) = Api::finish(
        admin
            .request("GET", "/api/events/ev/wall")
            .header("if-none-match", &etag),
    )
    .await;
    assert_eq!(s, 304);
    admin
        .connect("ev", "p0@example.org", "p2@example.org")
        .await;
    let res = admin
        .request("GET", "/api/events/ev/wall")
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "a new connection changes the ETag");

    for enc in ["gzip", "br"] {
        let res = reqwest::Client::new()
            .get(format!("{}/api/events/ev/wall", server.base))
            .bearer_auth(admin.token.as_deref().unwrap())
            .header("accept-encoding", enc)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            Some(enc)
        );
    }
}

#[tokio::test]
async fn idempotent_retries_return_the_first_answer() {
    let (_server, admin, _) = server_with_event(3).await;
    let post = |key: &str, to: &str| {
        admin
            .request("POST", "/api/events/ev/connections")
            .header("Idempotency-Key", key)
            .json(&json!({"from": "p0@example.org", "to": to}))
    };
    let (s1, b1) = Api::finish(post("tap-1", "p1@example.org")).await;
    let (s2, b2) = Api::finish(post("tap-1", "p1@example.org")).await;
    assert_eq!((s1, s2), (201, 201), "{b1} {b2}");
    assert_eq!(b1, b2, "the retry gets the first answer, not a duplicate");
    let (s, b) = Api::finish(post("tap-1", "p2@example.org")).await;
    assert_eq!(s, 422, "a reused key with another body is refused: {b}");
    let (s, b) = Api::finish(post("tap-2", "p1@example.org")).await;
    assert_eq!((s, b["duplicate"].as_bool()), (200, Some(true)));
}

#[tokio::test]
async fn concurrent_posts_of_one_pair_create_one_connection() {
    let (_server, admin, _) = server_with_event(2).await;
    let before = admin.wall("ev").await["seq"].as_u64().unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let api = admin.clone();
            tokio::spawn(async move {
                if i % 2 == 0 {
                    api.connect("ev", "p0@example.org", "p1@example.org")
                        .await
                        .0
                } else {
                    api.connect("ev", "p1@example.org", "p0@example.org")
                        .await
                        .0
                }
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        19,
        "{statuses:?}"
    );
    let wall = admin.wall("ev").await;
    assert_eq!(wall["links"].as_array().unwrap().len(), 1);
    assert_eq!(
        wall["seq"].as_u64().unwrap(),
        before + 1,
        "exactly one log entry"
    );
}

#[tokio::test]
async fn log_seq_has_no_gaps_under_concurrent_posts() {
    let (_server, admin, _) = server_with_event(40).await;
    let start = admin.wall("ev").await["seq"].as_u64().unwrap();
    let mut tasks = Vec::new();
    for w in 0..8 {
        let api = admin.clone();
        tasks.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for k in 0..25 {
                let (a, b) = (w * 5 + k % 5, (w * 5 + k % 5 + 1 + k / 5) % 40);
                let (s, body) = api
                    .connect(
                        "ev",
                        &format!("p{a}@example.org"),
                        &format!("p{b}@example.org"),
                    )
                    .await;
                if s == 201 {
                    seqs.push(body["seq"].as_u64().unwrap());
                }
            }
            seqs
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let unique: BTreeSet<u64> = all.iter().copied().collect();
    assert_eq!(unique.len(), all.len(), "no seq handed out twice");
    let expected: BTreeSet<u64> = (start + 1..=start + all.len() as u64).collect();
    assert_eq!(
        unique, expected,
        "the seqs of the 201s are exactly the next ones, without gaps"
    );
    assert_eq!(
        admin.wall("ev").await["seq"].as_u64().unwrap(),
        start + all.len() as u64
    );
}

#[tokio::test]
async fn a_killed_server_loses_nothing_it_answered_201() {
    let (mut server, admin, _) = server_with_event(30).await;
    let mut created = Vec::new();
    for i in 0..29 {
        let (s, b) = admin
            .connect(
                "ev",
                &format!("p{i}@example.org"),
                &format!("p{}@example.org", i + 1),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        created.push(b["connection"]["id"].as_str().unwrap().to_owned());
    }
    let seq = admin.wall("ev").await["seq"].as_u64().unwrap();
    server.kill();
    server.restart().await;
    let admin = server.admin().await;
    let wall = admin.wall("ev").await;
    assert_eq!(wall["links"].as_array().unwrap().len(), 29);
    assert_eq!(wall["seq"].as_u64().unwrap(), seq);
    let (_, list) = admin.call("GET", "/api/events/ev/connections", None).await;
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, created.iter().map(String::as_str).collect::<Vec<_>>());
    // The admin account and the signing secret survived too: the old token still works.
    let (s, _) = admin.call("GET", "/api/events", None).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn original_interactions_path_and_moderation() {
    let (_server, admin, ids) = server_with_event(3).await;
    let (s, b) = admin
        .call(
            "POST",
            "/interactions",
            Some(json!({"eventId": "ev", "from": "p0@example.org", "to": "p1@example.org"})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = admin
        .call(
            "POST",
            "/interactions",
            Some(json!({"eventId": "ev", "from": "p1@example.org", "to": "p0@example.org"})),
        )
        .await;
    assert_eq!((s, b["duplicate"].as_bool()), (200, Some(true)));
    let conn = b["connection"]["id"].as_str().unwrap().to_owned();
    let (s, _) = admin
        .call(
            "DELETE",
            &format!("/api/events/ev/connections/{conn}"),
            None,
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(admin.wall("ev").await["links"].as_array().unwrap().len(), 0);
    let (s, _) = admin
        .call(
            "DELETE",
            &format!("/api/events/ev/connections/{conn}"),
            None,
        )
        .await;
    assert_eq!(s, 404);
    // Deleting a person removes their connections.
    admin
        .connect("ev", "p0@example.org", "p2@example.org")
        .await;
    admin
        .call(
            "DELETE",
            &format!("/api/events/ev/profiles/{}", ids[2]),
            None,
        )
        .await;
    let wall = admin.wall("ev").await;
    assert_eq!(
        (
            wall["nodes"].as_array().unwrap().len(),
            wall["links"].as_array().unwrap().len()
        ),
        (2, 0)
    );
}

#[tokio::test]
async fn health_metrics_openapi_avatars_and_secret_file() {
    let (server, admin, _) = server_with_event(2).await;
    admin
        .connect("ev", "p0@example.org", "p1@example.org")
        .await;
    let anon = server.api();
    assert_eq!(anon.call("GET", "/healthz", None).await.0, 200);
    assert_eq!(anon.call("GET", "/readyz", None).await.0, 200);
    // The metrics name events (private ones too): an admin token (or --metrics-token) reads them.
    let metrics = admin
        .request("GET", "/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for name in [
        "livewall_http_requests_total",
        "livewall_http_request_duration_seconds",
        "livewall_connections_created_total",
    ] {
        assert!(metrics.contains(name), "{name} in /metrics:\n{metrics}");
    }
    let (s, doc) = anon.call("GET", "/api/openapi.json", None).await;
    assert_eq!(s, 200);
    assert!(doc["paths"]["/api/events/{event}/connections"]["post"].is_object());
    assert!(doc["components"]["schemas"]["Snapshot"].is_object());
    let res = reqwest::get(format!("{}/avatars/demo-0001.svg", server.base))
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    assert!(res.text().await.unwrap().starts_with("<svg"));
    assert_eq!(anon.call("GET", "/avatars/..%2Fetc.svg", None).await.0, 404);

    use std::os::unix::fs::PermissionsExt;
    let mut secret = server.db_path().into_os_string();
    secret.push(".secret");
    let mode = std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[tokio::test]
async fn admin_create_command_sets_a_login() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let out = std::process::Command::new(BIN)
        .args(["admin", "create", "--username", "organiser", "--db"])
        .arg(&db)
        .env("LIVEWALL_NEW_PASSWORD", "a-long-password")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = std::process::Command::new(BIN)
        .args(["admin", "create", "--username", "organiser", "--db"])
        .arg(&db)
        .env("LIVEWALL_NEW_PASSWORD", "short")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10"));
}
