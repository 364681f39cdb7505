//! The original Live Wall's clients against the real server binary on 127.0.0.1: its anonymous socket at the
//! deployment's root with `?v=1` and `subscribe`, the snapshot frame after a plain re-subscribe, CORS, the
//! `sinceSec` window, the `DEFAULT` event, `GET /events`, and the attendee's `POST /interactions` with RS256 ID
//! tokens from a real (loopback) identity provider.

#![allow(clippy::unwrap_used)]

use livewall_testkit::idp::TestIdentityProvider;
use livewall_testkit::ws::{self, WsClient};
use livewall_testkit::{Api, TestServer};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const BIN: &str = env!("CARGO_BIN_EXE_livewall-server");

const PEOPLE: [(&str, &str); 4] = [
    ("Ada Lovelace", "ada@example.org"),
    ("Grace Hopper", "grace@example.org"),
    ("Alan Turing", "alan@example.org"),
    ("Edsger Dijkstra", "edsger@example.org"),
];

/// Public events `pub` (the default) and `pub2`, private `priv`, each with [`PEOPLE`]; answers the ids of
/// `pub`'s people.
async fn events(admin: &Api) -> Vec<String> {
    admin.create_event("pub", json!({"publicWall": true})).await;
    admin
        .create_event("pub2", json!({"publicWall": true}))
        .await;
    admin.create_event("priv", json!({})).await;
    let mut ids = Vec::new();
    for ev in ["pub", "pub2", "priv"] {
        let profiles: Vec<Value> = PEOPLE
            .iter()
            .map(|(name, email)| json!({"name": name, "email": email}))
            .collect();
        let (s, b) = admin
            .call(
                "POST",
                &format!("/api/events/{ev}/profiles/bulk"),
                Some(json!({ "profiles": profiles })),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        if ev == "pub" {
            ids = b["created"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_owned())
                .collect();
        }
    }
    ids
}

fn root_ws(server: &TestServer, path_and_query: &str) -> String {
    format!("ws://{}{path_and_query}", server.addr)
}

/// Sends the original client's subscribe message (no `since`).
async fn original_subscribe(c: &mut WsClient, event: &str) -> Value {
    c.send_json(&json!({"action": "subscribe", "eventId": event}))
        .await;
    c.recv_type("subscribed").await
}

fn link_set(v: &Value) -> BTreeSet<(String, String)> {
    v["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let (a, b) = (
                l["source"].as_str().unwrap().to_owned(),
                l["target"].as_str().unwrap().to_owned(),
            );
            if a < b { (a, b) } else { (b, a) }
        })
        .collect()
}

#[tokio::test]
async fn anonymous_socket_at_the_root_follows_public_walls_and_moves_between_them() {
    let server = TestServer::start_with(BIN, &["--default-event", "pub"]).await;
    let admin = server.admin().await;
    events(&admin).await;

    // At the deployment's root, with the original's marker and unknown parameters, no token, no eventId.
    let mut c = ws::try_connect(root_ws(&server, "/?v=1&client=legacy"))
        .await
        .unwrap();
    let sub = original_subscribe(&mut c, "DEFAULT").await;
    assert_eq!(sub["eventId"], "pub", "DEFAULT is the default event: {sub}");
    let snap = c.recv_type("snapshot").await;
    assert_eq!(snap["nodes"].as_array().unwrap().len(), 4, "{snap}");

    // A private event and an unknown one answer the same error frame; the socket stays.
    c.send_json(&json!({"action": "subscribe", "eventId": "priv"}))
        .await;
    let private = c.recv_type("error").await;
    c.send_json(&json!({"action": "subscribe", "eventId": "nope"}))
        .await;
    let unknown = c.recv_type("error").await;
    assert_eq!(private["code"], "forbidden", "{private}");
    assert_eq!(
        (unknown["code"].clone(), unknown["eventId"].clone()),
        (json!("forbidden"), json!("nope")),
        "{unknown}"
    );
    assert_eq!(
        private["message"].as_str().unwrap().replace("priv", "X"),
        unknown["message"].as_str().unwrap().replace("nope", "X"),
        "no oracle for private events"
    );
    c.ping_pong().await;
    // Refused means not following: a tap in the private event does not reach it, the public one's does.
    admin
        .connect("priv", "ada@example.org", "grace@example.org")
        .await;
    admin
        .connect("pub", "alan@example.org", "edsger@example.org")
        .await;
    let frame = c.recv_type("connection").await;
    assert_eq!(frame["eventId"], "pub", "{frame}");

    // The event picker: a second subscribe moves the socket to the other public wall.
    let sub = original_subscribe(&mut c, "pub2").await;
    assert_eq!(sub["eventId"], "pub2");
    c.recv_type("snapshot").await;
    let (s, _) = admin
        .connect("pub", "ada@example.org", "grace@example.org")
        .await;
    assert_eq!(s, 201);
    let (s, _) = admin
        .connect("pub2", "alan@example.org", "edsger@example.org")
        .await;
    assert_eq!(s, 201);
    let frame = c.recv_type("connection").await;
    assert_eq!(
        (frame["eventId"].as_str(), frame["from"]["name"].as_str()),
        (Some("pub2"), Some("Alan Turing")),
        "only the wall it moved to: {frame}"
    );

    // `/ws` takes the same anonymous handshake.
    let mut c2 = ws::try_connect(root_ws(&server, "/ws?v=1")).await.unwrap();
    assert_eq!(original_subscribe(&mut c2, "pub").await["eventId"], "pub");
    let snap = c2.recv_type("snapshot").await;
    assert_eq!(snap["links"].as_array().unwrap().len(), 2);

    // A plain request for `/` is still the web UI, not the socket.
    let res = reqwest::get(format!("{}/", server.base)).await.unwrap();
    let ui_built = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../ui/dist/index.html")
        .is_file();
    if ui_built {
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().to_lowercase().contains("<html"));
    } else {
        assert_eq!(
            res.status(),
            503,
            "the UI is not built: a JSON 503 that says so"
        );
    }
}

#[tokio::test]
async fn the_original_client_gets_a_snapshot_after_a_plain_resubscribe() {
    let server = TestServer::start_with(BIN, &["--default-event", "pub"]).await;
    let admin = server.admin().await;
    events(&admin).await;
    admin
        .connect("pub", "ada@example.org", "grace@example.org")
        .await;

    let mut c = ws::try_connect(root_ws(&server, "/?v=1")).await.unwrap();
    let before = original_subscribe(&mut c, "DEFAULT").await["seq"]
        .as_u64()
        .unwrap();
    let first = c.recv_type("snapshot").await;
    assert_eq!(link_set(&first).len(), 1);
    drop(c);

    // Taps while the old client is away.
    admin
        .connect("pub", "alan@example.org", "edsger@example.org")
        .await;
    admin
        .connect("pub", "ada@example.org", "alan@example.org")
        .await;

    // It comes back the only way it knows: a new socket and a subscribe without `since`.
    let mut c = ws::try_connect(root_ws(&server, "/?v=1")).await.unwrap();
    let sub = original_subscribe(&mut c, "DEFAULT").await;
    let snap = c.recv_type("snapshot").await;
    assert_eq!(link_set(&snap), link_set(&admin.wall("pub").await));
    assert_eq!(snap["nodes"].as_array().unwrap().len(), 4);
    assert_eq!(
        (snap["seq"].as_u64(), sub["seq"].as_u64()),
        (Some(before + 2), Some(before + 2))
    );
    // The feed goes on right after the snapshot's position: no gap, no repeat.
    admin
        .connect("pub", "grace@example.org", "edsger@example.org")
        .await;
    let next = c.recv_type("connection").await;
    assert_eq!(next["seq"].as_u64(), Some(before + 3), "{next}");

    // livewall's own clients are unchanged: no snapshot frame (they load it over REST and resume with `since`).
    let mut own = ws::try_connect(format!("{}?eventId=pub", ws::ws_url(&server.base)))
        .await
        .unwrap();
    own.subscribe("pub", None).await;
    let after = own.recv_json().await;
    assert_eq!(
        after["type"], "presence",
        "no snapshot for livewall clients: {after}"
    );
}

/// An `OPTIONS` preflight for `method` on `path` from `origin`: the status and the allowed origin.
async fn preflight(base: &str, path: &str, origin: &str, method: &str) -> (u16, Option<String>) {
    let res = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, format!("{base}{path}"))
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap();
    let allowed = res
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_owned());
    (res.status().as_u16(), allowed)
}

/// A `GET` from `origin`: the status and the allowed origin.
async fn get_from(base: &str, path: &str, origin: &str) -> (u16, Option<String>) {
    let res = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .header("origin", origin)
        .send()
        .await
        .unwrap();
    let allowed = res
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_owned());
    (res.status().as_u16(), allowed)
}

#[tokio::test]
async fn cors_lets_other_origins_read_public_paths_and_only_listed_ones_write() {
    let reads = [
        "/interactions/wall?eventId=pub&sinceSec=860400",
        "/events",
        "/api/events/pub/wall",
    ];
    let any = "http://wall.other.example";

    // Default: public reads from anywhere, writes from nowhere.
    let server = TestServer::start(BIN).await;
    events(&server.admin().await).await;
    for path in reads {
        assert_eq!(
            preflight(&server.base, path, any, "GET").await,
            (204, Some("*".into())),
            "{path}"
        );
        assert_eq!(
            get_from(&server.base, path, any).await,
            (200, Some("*".into())),
            "{path}"
        );
    }
    for path in ["/interactions", "/interactions/"] {
        assert_eq!(
            preflight(&server.base, path, any, "POST").await,
            (204, None),
            "{path}"
        );
    }

    // Listed origins: reads and writes from them only.
    let listed = "http://wall.example.org";
    let server = TestServer::start_with(
        BIN,
        &[
            "--cors-origins",
            "http://wall.example.org,https://x.example",
        ],
    )
    .await;
    events(&server.admin().await).await;
    for path in reads {
        assert_eq!(
            get_from(&server.base, path, listed).await,
            (200, Some(listed.into()))
        );
        assert_eq!(
            get_from(&server.base, path, any).await,
            (200, None),
            "{path}"
        );
    }
    let res = reqwest::Client::new()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/interactions", server.base),
        )
        .header("origin", listed)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let h = res.headers();
    assert_eq!(h["access-control-allow-origin"], listed);
    let allowed_headers = h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(allowed_headers.contains("authorization") && allowed_headers.contains("content-type"));
    assert!(
        h["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    assert_eq!(
        preflight(&server.base, "/interactions", any, "POST").await,
        (204, None)
    );

    // `*` in the list: reads from anywhere, writes still from the listed origins only.
    let server =
        TestServer::start_with(BIN, &["--cors-origins", "*,http://wall.example.org"]).await;
    events(&server.admin().await).await;
    assert_eq!(
        get_from(&server.base, reads[0], any).await,
        (200, Some("*".into()))
    );
    assert_eq!(
        preflight(&server.base, "/interactions/", listed, "POST")
            .await
            .1,
        Some(listed.into())
    );
    assert_eq!(
        preflight(&server.base, "/interactions/", any, "POST")
            .await
            .1,
        None
    );

    // A bad origin in the flag is refused at start, in words.
    let out = std::process::Command::new(BIN)
        .args(["serve", "--cors-origins", "wall.example.org/path", "--db"])
        .arg(server.dir().join("other.db"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not an origin"));
}

/// Moves a connection's time back by `ms`, as if it had been made that long ago.
fn backdate(server: &TestServer, from_id: &str, to_id: &str, ms: i64) {
    let db = rusqlite::Connection::open(server.db_path()).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    let n = db
        .execute(
            "UPDATE connections SET created_at = created_at - ?1
             WHERE (from_id = ?2 AND to_id = ?3) OR (from_id = ?3 AND to_id = ?2)",
            rusqlite::params![ms, from_id, to_id],
        )
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn the_original_snapshot_path_windows_by_since_sec_and_knows_the_default_event() {
    let server = TestServer::start_with(BIN, &["--default-event", "pub"]).await;
    let admin = server.admin().await;
    let ids = events(&admin).await;
    let anon = server.api();
    admin
        .connect("pub", "ada@example.org", "grace@example.org")
        .await;
    admin
        .connect("pub", "alan@example.org", "edsger@example.org")
        .await;
    backdate(&server, &ids[0], &ids[1], 3_600_000);

    let nodes = |v: &Value| -> BTreeSet<String> {
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (s, recent) = anon
        .call("GET", "/interactions/wall?eventId=pub&sinceSec=600", None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        link_set(&recent).len(),
        1,
        "only the link of the last 10 minutes: {recent}"
    );
    assert_eq!(
        nodes(&recent),
        BTreeSet::from([ids[2].clone(), ids[3].clone()])
    );
    let (_, all) = anon
        .call("GET", "/interactions/wall?eventId=pub&sinceSec=7200", None)
        .await;
    assert_eq!((link_set(&all).len(), nodes(&all).len()), (2, 4));
    let link = &all["links"][0];
    assert!(link["createdAt"].is_i64() && link["source"].is_string());
    assert!(all["nodes"][0]["name"].is_string() && all["nodes"][0].get("avatar").is_some());
    // No sinceSec: the original's 300 s.
    let (_, default_window) = anon
        .call("GET", "/interactions/wall?eventId=pub", None)
        .await;
    assert_eq!(link_set(&default_window), link_set(&recent));
    // DEFAULT, or no eventId at all, is the default event.
    for path in [
        "/interactions/wall?eventId=DEFAULT&sinceSec=7200",
        "/interactions/wall?sinceSec=7200",
    ] {
        let (s, v) = anon.call("GET", path, None).await;
        assert_eq!((s, link_set(&v)), (200, link_set(&all)), "{path}");
    }
    // Unknown and private events answer as the original did for an event without links: an empty wall.
    for ev in ["nope", "priv"] {
        let (s, v) = anon
            .call("GET", &format!("/interactions/wall?eventId={ev}"), None)
            .await;
        assert_eq!(
            (s, v["nodes"].clone(), v["links"].clone()),
            (200, json!([]), json!([])),
            "{ev}"
        );
    }
    // A kiosk of the private event reads it; a bad token or a bad window is refused in words.
    admin
        .connect("priv", "ada@example.org", "grace@example.org")
        .await;
    let (_, kiosk) = admin.device("priv", "kiosk").await;
    let (s, v) = anon
        .with_token(&kiosk)
        .call("GET", "/interactions/wall?eventId=priv", None)
        .await;
    assert_eq!((s, link_set(&v).len()), (200, 1));
    let (s, _) = anon
        .with_token("not-a-token")
        .call("GET", "/interactions/wall?eventId=pub", None)
        .await;
    assert_eq!(s, 401);
    let (s, v) = anon
        .call("GET", "/interactions/wall?eventId=pub&sinceSec=soon", None)
        .await;
    assert_eq!(s, 400);
    assert!(
        v["error"]["message"].as_str().unwrap().contains("sinceSec"),
        "{v}"
    );

    // The event picker: public events in the original shape.
    let (s, list) = anon.call("GET", "/events", None).await;
    assert_eq!(s, 200);
    let list = list.as_array().unwrap();
    let ids: BTreeSet<&str> = list.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, BTreeSet::from(["pub", "pub2"]), "no private event");
    assert_eq!(
        list[0]["ename"].as_str().map(|n| n.starts_with("Event ")),
        Some(true)
    );
    assert!(list[0]["year"].as_i64().unwrap() >= 2024);
    assert!(list[0].get("startDate").is_some());

    // Without attendee sign-in configured, the original post says what is missing.
    let (s, v) = anon
        .with_token("x.y.z")
        .call(
            "POST",
            "/interactions",
            Some(json!({"eventType": "CONNECTION", "eventParam": ids_first(&all)})),
        )
        .await;
    assert_eq!(s, 401);
    assert!(
        v["message"].as_str().unwrap().contains("--attendee-issuer"),
        "{v}"
    );
}

fn ids_first(v: &Value) -> String {
    v["nodes"][0]["id"].as_str().unwrap().to_owned()
}

/// The original post as the attendee's phone page sends it.
async fn original_post(base: &str, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut rb = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .json(&body);
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    Api::finish(rb).await
}

fn connection(param: &str) -> Value {
    json!({"eventType": "CONNECTION", "eventParam": param})
}

#[tokio::test]
async fn the_original_connection_post_takes_the_attendees_id_token() {
    let idp = TestIdentityProvider::start().await;
    let mut flags = vec!["--default-event".to_owned(), "pub".to_owned()];
    flags.extend(idp.server_args());
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let server = TestServer::start_with(BIN, &flags).await;
    let admin = server.admin().await;
    let ids = events(&admin).await;
    let base = server.base.as_str();
    let mut wall = ws::connect(base, Some(admin.token.as_deref().unwrap())).await;
    let at = wall.subscribe("pub", None).await["seq"].as_u64().unwrap();

    // Ada (signed in) tapped Grace's badge link.
    let ada = idp.token("Ada@Example.org");
    let (s, v) = original_post(base, "/interactions", Some(&ada), connection(&ids[1])).await;
    assert_eq!(
        (s, v),
        (
            200,
            json!({"message": "Connection created with Grace", "name": "Grace Hopper"})
        )
    );
    let frame = wall.recv_type("connection").await;
    assert_eq!(
        (
            frame["seq"].as_u64(),
            frame["from"]["id"].as_str(),
            frame["to"]["id"].as_str()
        ),
        (Some(at + 1), Some(ids[0].as_str()), Some(ids[1].as_str())),
        "the same live frame as every other path: {frame}"
    );
    // Again, and from the other side, at the trailing-slash path: already made, nothing new logged.
    let grace = idp.token("grace@example.org");
    for (token, param, path) in [
        (&ada, &ids[1], "/interactions"),
        (&grace, &ids[0], "/interactions/"),
    ] {
        let (s, v) = original_post(base, path, Some(token), connection(param)).await;
        assert_eq!(
            (s, v),
            (200, json!({"message": "Connection has already been made"}))
        );
    }
    // Racing taps of one pair: one connection, one log entry.
    let alan = idp.token("alan@example.org");
    let posts =
        (0..10).map(|_| original_post(base, "/interactions", Some(&alan), connection(&ids[3])));
    let answers = futures_util::future::join_all(posts).await;
    let created = answers
        .iter()
        .filter(|(s, v)| *s == 200 && v["message"] == "Connection created with Edsger")
        .count();
    assert_eq!(created, 1, "{answers:?}");
    assert!(answers.iter().all(|(s, _)| *s == 200));
    let frame = wall.recv_type("connection").await;
    assert_eq!(frame["seq"].as_u64(), Some(at + 2));
    let fetches = idp.fetches();
    assert_eq!(fetches, 1, "the key set is fetched once and cached");

    // Refusals, each in words, with the original's top-level `message`.
    let (s, v) = original_post(base, "/interactions", Some(&ada), connection(&ids[0])).await;
    assert_eq!(
        (s, v["message"].as_str()),
        (400, Some("Cannot connect with yourself"))
    );
    assert_eq!(v["error"]["code"], "bad_request");
    let (s, v) = original_post(
        base,
        "/interactions",
        Some(&ada),
        json!({"eventType": "BOOTH", "eventParam": ids[1]}),
    )
    .await;
    assert_eq!(s, 400, "{v}");
    assert!(v["message"].as_str().unwrap().contains("BOOTH"));
    let (s, v) = original_post(
        base,
        "/interactions",
        Some(&ada),
        connection("no-such-profile"),
    )
    .await;
    assert_eq!(s, 404);
    assert!(
        v["message"].as_str().unwrap().contains("no-such-profile"),
        "{v}"
    );
    let stranger = idp.token("stranger@example.org");
    let (s, v) = original_post(base, "/interactions", Some(&stranger), connection(&ids[1])).await;
    assert_eq!(s, 404);
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("stranger@example.org"),
        "{v}"
    );

    let refused = |claims: Value, key: usize| idp.sign(key, &claims);
    let mut wrong_issuer = idp.claims("ada@example.org");
    wrong_issuer["iss"] = json!("https://evil.example");
    let mut wrong_audience = idp.claims("ada@example.org");
    wrong_audience["aud"] = json!("another-app");
    let mut expired = idp.claims("ada@example.org");
    expired["exp"] = json!(expired["iat"].as_u64().unwrap() - 7200);
    let mut no_email = idp.claims("ada@example.org");
    no_email.as_object_mut().unwrap().remove("email");
    let mut access = idp.claims("ada@example.org");
    access["token_use"] = json!("access");
    let mut unverified = idp.claims("ada@example.org");
    unverified["email_verified"] = json!(false);
    for (token, why) in [
        (
            refused(wrong_issuer, 0),
            "not issued by the configured identity provider",
        ),
        (refused(wrong_audience, 0), "another application"),
        (refused(expired, 0), "expired"),
        (refused(no_email, 0), "\"email\""),
        (refused(access, 0), "ID token"),
        (refused(unverified, 0), "verified"),
        (
            idp.sign_naming(1, 0, &idp.claims("ada@example.org")),
            "signature does not verify",
        ),
        ("not-a-jwt".to_owned(), "not a JSON Web Token"),
    ] {
        let (s, v) = original_post(base, "/interactions", Some(&token), connection(&ids[2])).await;
        assert_eq!(s, 401, "{why}: {v}");
        assert!(v["message"].as_str().unwrap().contains(why), "{why}: {v}");
    }
    let (s, v) = original_post(base, "/interactions", None, connection(&ids[2])).await;
    assert_eq!(s, 401, "{v}");
    let (_, station) = admin.device("pub", "station").await;
    let (s, v) = original_post(base, "/interactions", Some(&station), connection(&ids[2])).await;
    assert_eq!(s, 401, "a livewall token is no attendee ID token: {v}");
    assert!(v["message"].as_str().unwrap().contains("RS256"), "{v}");

    // Key rotation: a token signed with a key not published yet is refused, then accepted once it is.
    let rotated = idp.sign(1, &idp.claims("ada@example.org"));
    let (s, v) = original_post(base, "/interactions", Some(&rotated), connection(&ids[2])).await;
    assert_eq!(s, 401);
    assert!(
        v["message"].as_str().unwrap().contains("does not publish"),
        "{v}"
    );
    idp.publish(&[0, 1]);
    let (s, v) = original_post(base, "/interactions", Some(&rotated), connection(&ids[2])).await;
    assert_eq!(
        (s, v["message"].as_str()),
        (200, Some("Connection created with Alan"))
    );
    assert!(
        idp.fetches() > fetches,
        "the unknown key id refetched the key set"
    );
    let frame = wall.recv_type("connection").await;
    assert_eq!(frame["seq"].as_u64(), Some(at + 3), "gap-free: {frame}");

    // Nothing but those three connections was stored.
    assert_eq!(
        admin.wall("pub").await["links"].as_array().unwrap().len(),
        3
    );
}

#[tokio::test]
async fn the_identity_providers_keys_are_not_refetched_for_every_forged_key_id() {
    let idp = TestIdentityProvider::start().await;
    let jwks = idp.jwks_url();
    let flags = [
        "--default-event",
        "pub",
        "--attendee-issuer",
        idp.issuer.as_str(),
        "--attendee-jwks-url",
        jwks.as_str(),
        "--attendee-audience",
        "livewall-test-client",
        "--attendee-jwks-min-refresh-ms",
        "60000",
    ];
    let server = TestServer::start_with(BIN, &flags).await;
    let ids = events(&server.admin().await).await;
    let forged = idp.sign(1, &idp.claims("ada@example.org"));
    for _ in 0..5 {
        let (s, _) = original_post(
            &server.base,
            "/interactions",
            Some(&forged),
            connection(&ids[1]),
        )
        .await;
        assert_eq!(s, 401);
    }
    assert_eq!(idp.fetches(), 1, "one fetch, then the cool-down");

    // A provider that cannot be reached is a 503 (try later), not a bad sign-in, also during the cool-down.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/jwks.json", closed.local_addr().unwrap());
    drop(closed);
    let flags = [
        "--default-event",
        "pub",
        "--attendee-issuer",
        idp.issuer.as_str(),
        "--attendee-jwks-url",
        dead.as_str(),
        "--attendee-audience",
        "livewall-test-client",
    ];
    let server = TestServer::start_with(BIN, &flags).await;
    let ids = events(&server.admin().await).await;
    let token = idp.token("ada@example.org");
    for _ in 0..2 {
        let (s, v) = original_post(
            &server.base,
            "/interactions",
            Some(&token),
            connection(&ids[1]),
        )
        .await;
        assert_eq!(s, 503, "{v}");
        assert!(
            v["message"].as_str().unwrap().contains("cannot fetch"),
            "{v}"
        );
    }
}
