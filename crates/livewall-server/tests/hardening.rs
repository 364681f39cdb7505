//! What a hostile visitor, a careless organiser and a failing disk find, against the real server binary on
//! 127.0.0.1: one test per finding (replays under today's visibility, sockets that outlive their wall, private
//! events and metrics, admin sessions, login throttling, slow and stalled clients, the CSV import's size, connect
//! limits, spreadsheet formulas, file modes and headers, avatar URLs, a full disk, shutdown, settings merge).

#![allow(clippy::unwrap_used)]

use livewall_testkit::ws::{self, WsClient};
use livewall_testkit::{Api, TestServer, eventually};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

const BIN: &str = env!("CARGO_BIN_EXE_livewall-server");

async fn public_event(admin: &Api, id: &str, people: usize) -> Vec<String> {
    admin
        .create_event(
            id,
            json!({"publicWall": true, "joinUrl": "https://example.org/join"}),
        )
        .await;
    admin.add_people(id, people).await
}

fn anon_url(server: &TestServer, event: &str) -> String {
    format!("{}?eventId={event}", ws::ws_url(&server.base))
}

#[tokio::test]
async fn a_replay_applies_todays_visibility_rules() {
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    let ids = public_event(&admin, "ev", 4).await;
    let mut live = ws::try_connect(anon_url(&server, "ev")).await.unwrap();
    let sub = live.subscribe("ev", None).await;
    let epoch = sub["epoch"].as_str().unwrap().to_owned();
    let from = sub["seq"].as_u64().unwrap();
    admin
        .connect("ev", "p0@example.org", "p1@example.org")
        .await;
    admin
        .connect("ev", "p2@example.org", "p3@example.org")
        .await;
    let announce = |message: &str, audience: &str| {
        admin.call(
            "POST",
            "/api/events/ev/announcements",
            Some(json!({"message": message, "audience": audience})),
        )
    };
    announce("Staff only: the till code is 4711", "stations").await;
    announce("Dinner at 8", "walls").await;
    // Live, a wall already gets the station-only announcement without its text.
    let live_frames = live.entries(4).await;
    let text = serde_json::to_string(&live_frames).unwrap();
    assert!(!text.contains("4711"), "{text}");
    assert!(text.contains("Dinner at 8"));

    // Then the organiser hides one person, deletes another, and switches to initials.
    admin
        .call(
            "PATCH",
            &format!("/api/events/ev/profiles/{}", ids[1]),
            Some(json!({"hidden": true})),
        )
        .await;
    admin
        .call(
            "DELETE",
            &format!("/api/events/ev/profiles/{}", ids[3]),
            None,
        )
        .await;
    admin
        .call(
            "PATCH",
            "/api/events/ev",
            Some(json!({"settings": {"initialsOnly": true}})),
        )
        .await;

    // A wall resuming from before all that sees it under today's rules, with every seq (no gap).
    let mut late = ws::try_connect(anon_url(&server, "ev")).await.unwrap();
    let sub = late.subscribe("ev", Some((&epoch, from))).await;
    assert_eq!(sub["recovered"], true, "{sub}");
    let last = admin.wall("ev").await["seq"].as_u64().unwrap();
    let frames = late.entries((last - from) as usize).await;
    let seqs: Vec<u64> = frames.iter().map(|f| f["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (from + 1..=last).collect::<Vec<_>>());
    let text = serde_json::to_string(&frames).unwrap();
    for gone in ["Person 1", "Person 3", "Person 0", "4711"] {
        assert!(!text.contains(gone), "{gone:?} in the replay: {text}");
    }
    assert_eq!(
        frames[0]["type"], "removed",
        "the link of a hidden person: {}",
        frames[0]
    );
    assert_eq!(
        frames[1]["type"], "removed",
        "the link of a deleted person: {}",
        frames[1]
    );
    assert_eq!(
        frames[2]["message"],
        Value::Null,
        "station-only text: {}",
        frames[2]
    );
    assert_eq!(frames[3]["message"], "Dinner at 8");
    assert!(
        frames
            .iter()
            .any(|f| f["type"] == "node" && f["hidden"] == true)
    );
    let event = frames.iter().find(|f| f["type"] == "event").unwrap();
    assert_eq!(event["settings"]["initialsOnly"], true);
    // The admin console still gets the stations' text.
    let mut console = ws::connect(&server.base, admin.token.as_deref()).await;
    console.subscribe("ev", Some((&epoch, from))).await;
    let text = serde_json::to_string(&console.entries((last - from) as usize).await).unwrap();
    assert!(text.contains("4711"));
}

#[tokio::test]
async fn sockets_do_not_outlive_a_public_wall_or_its_event() {
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    public_event(&admin, "ev", 2).await;
    let (_, kiosk) = admin.device("ev", "kiosk").await;
    let mut anon = ws::try_connect(anon_url(&server, "ev")).await.unwrap();
    anon.subscribe("ev", None).await;
    let mut kiosk_ws = ws::connect(&server.base, Some(&kiosk)).await;
    kiosk_ws.subscribe("ev", None).await;
    admin
        .call(
            "PATCH",
            "/api/events/ev",
            Some(json!({"settings": {"publicWall": false}})),
        )
        .await;
    assert_eq!(
        anon.close_code().await,
        Some(4003),
        "no longer public: do not retry without a token"
    );
    kiosk_ws.ping_pong().await;
    // And it cannot come back anonymously.
    let refused = ws::try_connect(anon_url(&server, "ev"))
        .await
        .err()
        .unwrap();
    assert_eq!(ws::refusal(&refused).0, 401);

    // Deleting an event closes what follows it; an event created later with that id is another one.
    public_event(&admin, "gone", 2).await;
    let mut old = ws::try_connect(anon_url(&server, "gone")).await.unwrap();
    old.subscribe("gone", None).await;
    admin.call("DELETE", "/api/events/gone", None).await;
    assert_eq!(old.recv_type("error").await["code"], "not_found");
    assert_eq!(old.close_code().await, Some(4004));
    public_event(&admin, "gone", 2).await;
    let (s, _) = admin
        .connect("gone", "p0@example.org", "p1@example.org")
        .await;
    assert_eq!(s, 201);
}

#[tokio::test]
async fn private_events_do_not_show_through_the_wall_metrics_or_errors() {
    let server =
        TestServer::start_with(BIN, &["--metrics-token", "scraper-secret-0123456789"]).await;
    let admin = server.admin().await;
    admin.create_event("secret-gala", json!({})).await;
    let anon = server.api();
    // 401 for a private event and for none at all, in the same words.
    let (s1, private) = anon.call("GET", "/api/events/secret-gala/wall", None).await;
    let (s2, missing) = anon
        .call("GET", "/api/events/no-such-gala/wall", None)
        .await;
    assert_eq!((s1, s2), (401, 401));
    let words = |v: &Value, id: &str| v["error"]["message"].as_str().unwrap().replace(id, "X");
    assert_eq!(
        words(&private, "secret-gala"),
        words(&missing, "no-such-gala")
    );
    let (s1, _) = anon.call("GET", "/api/events/secret-gala", None).await;
    let (s2, _) = anon.call("GET", "/api/events/no-such-gala", None).await;
    assert_eq!((s1, s2), (401, 401));
    // Metrics name events: not for anyone.
    let (s, _) = anon.call("GET", "/metrics", None).await;
    assert_eq!(s, 401);
    let scraper = anon.with_token("scraper-secret-0123456789");
    let res = scraper.request("GET", "/metrics").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("livewall_http_requests_total")
    );
    assert_eq!(
        anon.with_token("wrong")
            .call("GET", "/metrics", None)
            .await
            .0,
        401
    );
}

/// A token signed with the server's own secret but without `exp` or session (as round 1 issued).
fn forged_admin_token(server: &TestServer) -> String {
    let mut secret = server.db_path().into_os_string();
    secret.push(".secret");
    let secret = std::fs::read_to_string(secret).unwrap();
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"sub": "x", "role": "admin", "name": "admin", "iat": 1}),
        &jsonwebtoken::EncodingKey::from_secret(secret.trim().as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn admin_sessions_end_on_logout_and_password_change_and_need_an_expiry() {
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    let other = server.admin().await;
    let mut socket = ws::connect(&server.base, other.token.as_deref()).await;
    socket.subscribe("ev", None).await;

    // Log out: that token is refused at once, the other session goes on.
    assert_eq!(admin.call("POST", "/api/logout", None).await.0, 204);
    assert_eq!(admin.call("GET", "/api/events", None).await.0, 401);
    assert_eq!(other.call("GET", "/api/events", None).await.0, 200);

    // A password change ends every session, REST and open sockets alike.
    let (s, v) = other
        .call(
            "POST",
            "/api/password",
            Some(json!({"current": livewall_testkit::ADMIN_PASSWORD, "new": "short"})),
        )
        .await;
    assert_eq!(s, 422, "too short: {v}");
    let (s, _) = other
        .call(
            "POST",
            "/api/password",
            Some(json!({"current": "wrong-password", "new": "a-new-long-password"})),
        )
        .await;
    assert_eq!(s, 401);
    let (s, _) = other
        .call(
            "POST",
            "/api/password",
            Some(
                json!({"current": livewall_testkit::ADMIN_PASSWORD, "new": "a-new-long-password"}),
            ),
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(socket.close_code().await, Some(4001));
    assert_eq!(other.call("GET", "/api/events", None).await.0, 401);
    let (s, _) = server
        .api()
        .call(
            "POST",
            "/api/login",
            Some(json!({"username": "admin", "password": livewall_testkit::ADMIN_PASSWORD})),
        )
        .await;
    assert_eq!(s, 401, "the old password is gone");
    let (s, login) = server
        .api()
        .call(
            "POST",
            "/api/login",
            Some(json!({"username": "admin", "password": "a-new-long-password"})),
        )
        .await;
    assert_eq!(s, 200);
    let fresh = server.api().with_token(login["token"].as_str().unwrap());

    // Log out everywhere.
    let second = {
        let (_, l) = server
            .api()
            .call(
                "POST",
                "/api/login",
                Some(json!({"username": "admin", "password": "a-new-long-password"})),
            )
            .await;
        server.api().with_token(l["token"].as_str().unwrap())
    };
    assert_eq!(fresh.call("POST", "/api/logout/all", None).await.0, 204);
    assert_eq!(second.call("GET", "/api/events", None).await.0, 401);

    // A token without expiry or session is refused, on REST and on the socket.
    let forged = forged_admin_token(&server);
    let (s, v) = server
        .api()
        .with_token(&forged)
        .call("GET", "/api/events", None)
        .await;
    assert_eq!(s, 401, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("expiry"));
    let refused = ws::try_connect(ws::request(&server.base, Some(&forged)))
        .await
        .err()
        .unwrap();
    assert_eq!(ws::refusal(&refused).0, 401);
}

#[tokio::test]
async fn logins_are_throttled_and_supplied_passwords_never_printed() {
    let server = TestServer::start(BIN).await;
    let anon = server.api();
    let login = |user: &'static str, password: &'static str| {
        let anon = anon.clone();
        async move {
            anon.request("POST", "/api/login")
                .json(&json!({"username": user, "password": password}))
                .send()
                .await
                .unwrap()
        }
    };
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..40 {
        let r = login("admin", "guess").await;
        if r.status() == 429 {
            retry_after = r
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned());
        }
        statuses.push(r.status().as_u16());
    }
    // Five tries are free, then each failure doubles the wait.
    assert!(statuses[..5].iter().all(|s| *s == 401), "{statuses:?}");
    assert!(
        statuses.iter().filter(|s| **s == 429).count() >= 30,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    assert!(retry_after.unwrap().parse::<u64>().unwrap() >= 1);
    // While throttled, even the right password waits.
    assert_eq!(
        login("admin", livewall_testkit::ADMIN_PASSWORD)
            .await
            .status(),
        429
    );
    // A crafted name does not forge a log line.
    login("evil\nINFO admin logged in", "x").await;
    assert!(
        !server.log().contains("\nINFO admin logged in"),
        "{}",
        server.log()
    );
    // 32 at once are served (argon2 runs a few at a time) and all answer.
    let burst = (0..32).map(|i| {
        let anon = anon.clone();
        async move {
            anon.request("POST", "/api/login")
                .json(&json!({"username": format!("user{i}"), "password": "wrong"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let answers = futures_util::future::join_all(burst).await;
    assert!(
        answers.iter().all(|s| *s == 401 || *s == 429),
        "{answers:?}"
    );

    // An operator's password is not printed; a too short one is refused in words.
    let supplied = TestServer::start_with(BIN, &[]).await;
    assert!(!supplied.log().contains(livewall_testkit::ADMIN_PASSWORD));
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("x.db"))
        .env("LIVEWALL_ADMIN_PASSWORD", "short")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10 characters"));
}

/// Reads from `tcp` until it closes; answers how long that took (or panics after `limit`).
async fn closed_within(tcp: &mut tokio::net::TcpStream, limit: Duration) -> Duration {
    let start = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(limit, tcp.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return start.elapsed(),
            Ok(Ok(_)) => {}
            Err(_) => panic!("the connection is still open after {limit:?}"),
        }
    }
}

#[tokio::test]
async fn slow_and_silent_clients_are_dropped_and_the_server_keeps_answering() {
    let server = TestServer::start_with(
        BIN,
        &[
            "--http-header-timeout-ms",
            "1000",
            "--max-connections",
            "20",
        ],
    )
    .await;
    // Silent after connecting.
    let mut silent = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    // A head that drips, one byte at a time.
    let mut drip = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let dripping = tokio::spawn(async move {
        for b in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "
            .iter()
            .cycle()
            .take(400)
        {
            if drip.write_all(&[*b]).await.is_err() {
                return drip;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        drip
    });
    // Idle after one request on a kept-alive connection.
    let mut idle = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 512];
    assert!(idle.read(&mut first).await.unwrap() > 0);
    // /healthz answers all along.
    assert_eq!(server.api().call("GET", "/healthz", None).await.0, 200);
    closed_within(&mut silent, Duration::from_secs(5)).await;
    closed_within(&mut idle, Duration::from_secs(5)).await;
    let mut drip = dripping.await.unwrap();
    closed_within(&mut drip, Duration::from_secs(5)).await;

    // A crowd of silent connections up to the cap: a clear log line, and once they time out, service again.
    let mut crowd = Vec::new();
    for _ in 0..25 {
        crowd.push(tokio::net::TcpStream::connect(server.addr).await.unwrap());
    }
    eventually("the connection-limit log line", async || {
        server.log().contains("connection limit reached")
    })
    .await;
    eventually("service after the silent ones time out", async || {
        reqwest::Client::new()
            .get(format!("{}/healthz", server.base))
            .timeout(Duration::from_secs(1))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
    })
    .await;
    drop(crowd);
}

fn csv(rows: usize) -> String {
    let mut out = String::from("name,email,company\n");
    for i in 0..rows {
        out.push_str(&format!("Person {i},p{i}@example.org,Company {}\n", i % 50));
    }
    out
}

#[tokio::test]
async fn a_large_import_preview_runs_off_the_runtime_and_a_too_large_one_is_refused() {
    let server = TestServer::start_with(BIN, &["--max-body-bytes", "16777216"]).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    let preview = {
        let admin = admin.clone();
        tokio::spawn(async move {
            let r = admin
                .request("POST", "/api/events/ev/imports/preview")
                .header("content-type", "text/csv")
                .body(csv(80_000))
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        })
    };
    // /healthz keeps answering while the preview runs.
    let mut answered = 0;
    while !preview.is_finished() {
        let r = reqwest::Client::new()
            .get(format!("{}/healthz", server.base))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        answered += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (status, body) = preview.await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(body["rows"], 80_000);
    assert_eq!(body["errors"], json!([]));
    assert!(answered >= 1);
    let (s, v) = Api::finish(
        admin
            .request("POST", "/api/events/ev/imports/preview")
            .header("content-type", "text/csv")
            .body(csv(100_001)),
    )
    .await;
    assert_eq!(s, 413, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 100000")
    );
}

#[tokio::test]
async fn anonymous_floods_cannot_lock_out_devices_and_messages_are_rate_limited() {
    let server = TestServer::start_with(
        BIN,
        &["--ws-connect-rate", "0.5", "--ws-connect-burst", "3"],
    )
    .await;
    let admin = server.admin().await;
    public_event(&admin, "ev", 2).await;
    admin.create_event("private", json!({})).await;
    let (_, kiosk) = admin.device("ev", "kiosk").await;
    // Refused attempts cost nothing.
    for _ in 0..10 {
        let e = ws::try_connect(anon_url(&server, "private"))
            .await
            .err()
            .unwrap();
        assert_eq!(ws::refusal(&e).0, 401);
    }
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(ws::try_connect(anon_url(&server, "ev")).await.unwrap());
    }
    let e = ws::try_connect(anon_url(&server, "ev"))
        .await
        .err()
        .unwrap();
    assert_eq!(
        ws::refusal(&e).0,
        429,
        "the anonymous budget of this address is spent"
    );
    // The kiosk from the same address still gets in.
    let mut k = ws::connect(&server.base, Some(&kiosk)).await;
    k.subscribe("ev", None).await;

    // 3,000 subscribes in a burst are not all served: a rate-limit error says so, the socket stays.
    let sub = json!({"action": "subscribe", "eventId": "ev"}).to_string();
    for _ in 0..3000 {
        k.send(Message::text(sub.clone())).await;
    }
    let mut subscribed = 0;
    loop {
        let v = k.recv_json().await;
        match v["type"].as_str() {
            Some("subscribed") => subscribed += 1,
            Some("error") if v["code"] == "rate_limited" => break,
            _ => {}
        }
    }
    // The budget refills (20 a second): after a moment the socket is served again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    k.ping_pong().await;
    assert!(subscribed <= 200, "{subscribed} of 3000 subscribes served");
}

#[tokio::test]
async fn exports_neutralise_spreadsheet_formulas() {
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    let (s, v) = admin
        .call(
            "POST",
            "/api/events/ev/profiles",
            Some(json!({"name": "=HYPERLINK(\"https://evil.example\",\"x\")", "email": "f@example.org",
                "company": "+1 555", "major": "@SUM(A1)", "consent": {"lead": true}})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let text = admin
        .request("GET", "/api/events/ev/export/people.csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert!(
        text.contains("'+1 555") && text.contains("'@SUM(A1)"),
        "{text}"
    );
    for line in text.lines().skip(1) {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(!cell.starts_with(['=', '+', '@']), "{cell} in {line}");
        }
    }
}

#[cfg(unix)]
#[tokio::test]
async fn database_files_are_private_and_pages_carry_security_headers() {
    use std::os::unix::fs::PermissionsExt;
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    for suffix in ["", "-wal", "-shm", ".secret"] {
        let mut p = server.db_path().into_os_string();
        p.push(suffix);
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{p:?} is {mode:o}");
    }
    for path in ["/wall/ev", "/admin", "/p/nobody"] {
        let r = reqwest::get(format!("{}{path}", server.base))
            .await
            .unwrap();
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert!(h.contains_key("referrer-policy"), "{path}");
        let csp = h
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap().to_owned());
        if r.status() != 503 {
            let csp = csp.unwrap_or_else(|| panic!("no CSP on {path}"));
            assert!(
                csp.contains("frame-ancestors 'none'") && csp.contains("default-src"),
                "{path}: {csp}"
            );
        }
    }
    let r = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn avatars_must_be_https_names_or_the_servers_own() {
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    let try_avatar = async |n: usize, avatar: &str| {
        admin
            .call(
                "POST",
                "/api/events/ev/profiles",
                Some(json!({"name": format!("A {n}"), "email": format!("a{n}@example.org"), "avatar": avatar})),
            )
            .await
    };
    for (n, bad) in [
        "//evil.example/a.png",
        "/\\evil.example/a.png",
        "http://cdn.example.org/a.png",
        "https://169.254.169.254/latest/meta-data",
        "https://[fe80::1]/a.png",
        "https://10.0.0.7/a.png",
        "https://localhost/a.png",
        "https://user:pw@cdn.example.org/a.png",
        "javascript:alert(1)",
        "/admin/../p/x",
    ]
    .iter()
    .enumerate()
    {
        let (s, v) = try_avatar(n, bad).await;
        assert_eq!(s, 422, "{bad}: {v}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains("https://"),
            "{v}"
        );
    }
    for (n, good) in ["https://cdn.example.org/a.png", "/avatars/demo-0001.svg"]
        .iter()
        .enumerate()
    {
        assert_eq!(try_avatar(100 + n, good).await.0, 201, "{good}");
    }
}

#[tokio::test]
async fn a_stalled_reader_is_dropped_by_the_write_deadline_while_the_others_get_everything() {
    let server = TestServer::start_with(
        BIN,
        &[
            "--ws-queue-frames",
            "100000",
            "--tcp-send-buffer-bytes",
            "4096",
            "--ws-write-timeout-ms",
            "1000",
        ],
    )
    .await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    admin.add_people("ev", 40).await;
    let (_, kiosk) = admin.device("ev", "kiosk").await;
    let (_, station) = admin.device("ev", "station").await;
    let station = admin.with_token(&station);
    // A reader with a tiny receive buffer that never reads.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(2048).unwrap();
    let tcp = socket.connect(server.addr).await.unwrap();
    let (stalled, _) =
        tokio_tungstenite::client_async(ws::request(&server.base, Some(&kiosk)), tcp)
            .await
            .unwrap();
    let mut stalled = WsClient::from_stream(stalled);
    stalled.subscribe("ev", None).await;
    let mut others = Vec::new();
    for _ in 0..100 {
        let mut c = ws::connect(&server.base, Some(&kiosk)).await;
        c.subscribe("ev", None).await;
        others.push(c);
    }
    let total = 400;
    let readers: Vec<_> = others
        .into_iter()
        .map(|mut c| tokio::spawn(async move { c.entries(total).await.len() }))
        .collect();
    let mut n = 0;
    'posting: for i in 0..40 {
        for j in 0..i {
            if n == total {
                break 'posting;
            }
            station
                .connect(
                    "ev",
                    &format!("p{j}@example.org"),
                    &format!("p{i}@example.org"),
                )
                .await;
            n += 1;
        }
    }
    for r in readers {
        assert_eq!(
            r.await.unwrap(),
            total,
            "every other reader got every entry"
        );
    }
    eventually("the stalled reader to be dropped", async || {
        let (_, m) = Api::finish(admin.request("GET", "/metrics")).await;
        m.as_str()
            .unwrap_or_default()
            .contains("livewall_ws_write_timeouts_total 1")
    })
    .await;
    drop(stalled);
}

#[tokio::test]
async fn shutdown_does_not_wait_long_for_peers_that_never_answer() {
    let mut server = TestServer::start_with(BIN, &["--shutdown-grace-ms", "1000"]).await;
    let admin = server.admin().await;
    public_event(&admin, "ev", 2).await;
    // Sockets that complete the handshake and then never read or answer a close.
    let mut silent = Vec::new();
    for _ in 0..5 {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(1024).unwrap();
        let tcp = socket.connect(server.addr).await.unwrap();
        let (mut c, _) = tokio_tungstenite::client_async(anon_url(&server, "ev"), tcp)
            .await
            .unwrap();
        use futures_util::SinkExt;
        c.send(Message::text(
            json!({"action": "subscribe", "eventId": "ev"}).to_string(),
        ))
        .await
        .unwrap();
        silent.push(c);
    }
    let start = Instant::now();
    assert!(server.terminate().await, "a clean exit");
    let took = start.elapsed();
    assert!(
        took < Duration::from_millis(4000),
        "shutdown took {took:?} with a 1 s grace"
    );
    drop(silent);
}

#[tokio::test]
async fn event_settings_merge_instead_of_replacing() {
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    public_event(&admin, "ev", 1).await;
    let (s, e) = admin
        .call(
            "PATCH",
            "/api/events/ev",
            Some(json!({"settings": {"initialsOnly": true}})),
        )
        .await;
    assert_eq!(s, 200);
    let mut settings = e["settings"].clone();
    let wall = settings.as_object_mut().unwrap().remove("wall");
    assert_eq!(
        settings,
        json!({"initialsOnly": true, "publicWall": true, "joinUrl": "https://example.org/join"})
    );
    assert_eq!(
        wall.unwrap()["ticker"],
        true,
        "the wall's features at their defaults"
    );
    // The wall's features are replaced as a set; the other settings stay.
    let (s, e) = admin
        .call(
            "PATCH",
            "/api/events/ev",
            Some(json!({"settings": {"wall": {"ticker": false, "heat": true}}})),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let w = &e["settings"]["wall"];
    assert_eq!(
        (
            w["ticker"].as_bool(),
            w["heat"].as_bool(),
            w["spotlight"].as_bool()
        ),
        (Some(false), Some(true), Some(true))
    );
    assert_eq!(e["settings"]["initialsOnly"], true);
    let (_, e) = admin
        .call(
            "PATCH",
            "/api/events/ev",
            Some(json!({"settings": {"joinUrl": null}})),
        )
        .await;
    assert_eq!(
        (
            e["settings"]["initialsOnly"].clone(),
            e["settings"]["publicWall"].clone()
        ),
        (json!(true), json!(true))
    );
    assert!(e["settings"]["joinUrl"].is_null(), "null cleared it: {e}");
    let (s, _) = admin
        .call(
            "PATCH",
            "/api/events/ev",
            Some(json!({"settings": {"publicWal": false}})),
        )
        .await;
    assert_eq!(s, 400, "an unknown setting is refused, not ignored");
}

/// Runs `cmd`, panicking with its output when it fails.
fn sh(cmd: &str, args: &[&str]) {
    let out = std::process::Command::new(cmd).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A small tmpfs (root only: CI and the test command run as root, as the NFC tests need too).
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_str().unwrap().to_owned();
        sh(
            "mount",
            &["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs", &path],
        );
        Self { dir }
    }

    fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Fills the disk with a file until the kernel says no more.
    fn fill(&self) -> std::path::PathBuf {
        use std::io::Write;
        let p = self.path().join("filler");
        let mut f = std::fs::File::create(&p).unwrap();
        let block = vec![0u8; 64 * 1024];
        while f.write_all(&block).is_ok() {}
        let _ = f.flush();
        p
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[tokio::test]
async fn a_full_disk_answers_507_turns_readyz_red_and_recovers_by_itself() {
    let disk = SmallDisk::mount("24m");
    let db = disk.path().join("event.db");
    let db_arg = db.to_str().unwrap().to_owned();
    let server = TestServer::start_with_db(BIN, &db, &[]).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    admin.add_people("ev", 2).await;
    let filler = disk.fill();
    let big = |n: usize| {
        let profiles: Vec<Value> = (0..400)
            .map(|i| json!({"name": format!("Guest {n}-{i} {}", "x".repeat(150)), "email": format!("g{n}-{i}@example.org")}))
            .collect();
        json!({"profiles": profiles})
    };
    let mut refused = None;
    for n in 0..60 {
        let (s, v) = admin
            .call("POST", "/api/events/ev/profiles/bulk", Some(big(n)))
            .await;
        if s != 201 {
            refused = Some((s, v));
            break;
        }
    }
    let (s, v) = refused.expect("writes kept succeeding on a full disk");
    assert_eq!(s, 507, "{v}");
    assert_eq!(v["error"]["code"], "storage_full");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("disk is full")
    );
    let (s, v) = server.api().call("GET", "/readyz", None).await;
    assert_eq!(s, 503);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("disk is full"),
        "{v}"
    );
    assert_eq!(
        server.api().call("GET", "/healthz", None).await.0,
        200,
        "alive all the same"
    );

    // Space comes back: ready again, and writes succeed without a restart.
    std::fs::remove_file(filler).unwrap();
    eventually("/readyz to turn green", async || {
        server.api().call("GET", "/readyz", None).await.0 == 200
    })
    .await;
    let (s, _) = admin
        .connect("ev", "p0@example.org", "p1@example.org")
        .await;
    assert_eq!(s, 201);
    drop(server);

    // A database on a read-only disk: said in plain words at start.
    let path = disk.path().to_str().unwrap().to_owned();
    sh("mount", &["-o", "remount,ro", &path]);
    let out = std::process::Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0", "--db", &db_arg])
        .env("LIVEWALL_ADMIN_PASSWORD", livewall_testkit::ADMIN_PASSWORD)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("read-only"), "{err}");
}
