//! Organiser and attendee flows over HTTP against the real server: CSV import, export, announcements,
//! statistics and the phone profile page.

#![allow(clippy::unwrap_used)]

use livewall_testkit::{Api, TestServer};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_livewall-server");

async fn csv(api: &Api, path: &str, body: &str) -> (u16, Value) {
    Api::finish(
        api.request("POST", path)
            .header("content-type", "text/csv")
            .body(body.to_owned()),
    )
    .await
}

#[tokio::test]
async fn csv_import_previews_then_commits_all_or_nothing() {
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    admin
        .call("POST", "/api/events/ev/profiles", Some(json!({"name": "Existing", "email": "taken@example.org", "tags": ["04AABBCCDDEEFF"]})))
        .await;

    let good = "\u{feff}Name,Email,Company,Major,Badge,Notes\n\
                \"Zhou, Elijah\",elijah@example.org,\"Acme, Inc.\",Physics,04A1B2C3D4E5F6,vip\n\
                Aurora Cheng,aurora@example.org,\"Labs\nNorth\",Design,,\n\
                Émile 🎉 Durand,emile@example.org,,,,\n";
    let (s, p) = csv(&admin, "/api/events/ev/imports/preview", good).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["errors"], json!([]), "{p}");
    assert_eq!(p["rows"], 3);
    assert_eq!(p["profiles"][0]["name"], "Zhou, Elijah");
    assert_eq!(p["profiles"][1]["company"], "Labs\nNorth");
    assert_eq!(p["ignoredColumns"], json!(["Notes"]));
    let (_, page) = admin.call("GET", "/api/events/ev/profiles", None).await;
    assert_eq!(page["total"], 1, "a preview stores nothing");

    let (s, r) = csv(&admin, "/api/events/ev/imports", good).await;
    assert_eq!((s, r["created"].as_u64()), (201, Some(3)), "{r}");
    let (_, page) = admin
        .call("GET", "/api/events/ev/profiles?q=Elijah", None)
        .await;
    assert_eq!(page["items"][0]["tags"], json!(["04A1B2C3D4E5F6"]));
    assert_eq!(page["items"][0]["company"], "Acme, Inc.");

    // A file with bad rows is refused whole, each problem with its line and column.
    let bad = "name,email,badge\n\
               Fine Person,fine@example.org,\n\
               ,broken,zz\n\
               Twin,TAKEN@example.org,04aabbccddeeff\n\
               Again,fine@example.org,\n";
    let (s, b) = csv(&admin, "/api/events/ev/imports", bad).await;
    assert_eq!(s, 422, "{b}");
    let details: Vec<(u64, String)> = b["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["index"].as_u64().unwrap(),
                d["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        details,
        [
            (3, "name"),
            (3, "email"),
            (3, "badge"),
            (4, "email"),
            (4, "tags"),
            (5, "email")
        ]
        .map(|(l, f)| (l, f.to_owned()))
    );
    let messages = b["error"]["details"].to_string();
    assert!(
        messages.contains("Existing"),
        "conflicts name the owner: {messages}"
    );
    assert!(
        messages.contains("line 2"),
        "in-file duplicates name the first line: {messages}"
    );
    let (_, page) = admin
        .call("GET", "/api/events/ev/profiles?q=fine", None)
        .await;
    assert_eq!(page["total"], 0, "nothing of the refused file was stored");

    let (s, b) = csv(&admin, "/api/events/ev/imports", "who,where\nx,y\n").await;
    assert_eq!(s, 422, "{b}");
    assert!(
        b["error"]["details"]
            .to_string()
            .contains("needs a name column"),
        "{b}"
    );
    let (s, b) = Api::finish(
        admin
            .request("POST", "/api/events/ev/imports")
            .body(vec![0xff, 0xfe, 0x00]),
    )
    .await;
    assert_eq!(s, 400, "{b}");
    let (s, _) = csv(&server.api(), "/api/events/ev/imports", good).await;
    assert_eq!(s, 401);
}

/// Asked to, an import takes the good rows of a file with bad ones and answers the rest as skipped, with why; a
/// problem with the file itself still imports nothing.
#[tokio::test]
async fn csv_import_can_take_only_the_rows_without_problems() {
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    admin
        .call(
            "POST",
            "/api/events/ev/profiles",
            Some(json!({"name": "Existing", "email": "taken@example.org"})),
        )
        .await;
    let mixed = "name,email\n\
                 Fine Person,fine@example.org\n\
                 ,broken\n\
                 Twin,TAKEN@example.org\n\
                 Again,fine@example.org\n\
                 Second Fine,second@example.org\n";
    let (s, r) = csv(&admin, "/api/events/ev/imports?skipInvalid=true", mixed).await;
    assert_eq!((s, r["created"].as_u64()), (201, Some(2)), "{r}");
    let skipped: Vec<u64> = r["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["index"].as_u64().unwrap())
        .collect();
    assert_eq!(skipped, [3, 3, 4, 5], "{r}");
    let (_, page) = admin.call("GET", "/api/events/ev/profiles", None).await;
    let mut emails: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["email"].as_str().unwrap())
        .collect();
    emails.sort_unstable();
    assert_eq!(
        emails,
        [
            "fine@example.org",
            "second@example.org",
            "taken@example.org"
        ]
    );
    // Without the option the same file is still refused whole, and the answer says the option exists.
    let (s, b) = csv(&admin, "/api/events/ev/imports", mixed).await;
    assert_eq!(s, 422, "{b}");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .contains("only the rows without problems"),
        "{b}"
    );
    // A header problem is about the file: nothing is imported even when asked.
    let (s, b) = csv(
        &admin,
        "/api/events/ev/imports?skipInvalid=true",
        "who,where\nx,y\n",
    )
    .await;
    assert_eq!(s, 422, "{b}");
    let (s, b) = csv(&admin, "/api/events/ev/imports?skipInvalid=maybe", mixed).await;
    assert_eq!(s, 400, "{b}");
}

#[tokio::test]
async fn exports_hold_who_consented_and_are_admin_only() {
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    let ids = admin.add_people("ev", 3).await;
    // Person 2 did not agree to be shared: left out of the people, a pseudonym in connections.
    admin
        .set_consent("ev", &ids[..2], json!({"lead": true}))
        .await;
    admin
        .connect("ev", "p0@example.org", "p1@example.org")
        .await;
    admin
        .connect("ev", "p2@example.org", "p0@example.org")
        .await;

    let get = |file: &str| {
        let admin = admin.clone();
        let file = file.to_owned();
        async move {
            let res = admin
                .request("GET", &format!("/api/events/ev/export/{file}"))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let disposition = res
                .headers()
                .get("content-disposition")
                .map(|v| v.to_str().unwrap().to_owned());
            (status, disposition, res.text().await.unwrap())
        }
    };
    let (s, disp, people) = get("people.csv").await;
    assert_eq!(s, 200);
    assert_eq!(
        disp.as_deref(),
        Some("attachment; filename=\"ev-people.csv\"")
    );
    let lines: Vec<&str> = people.lines().collect();
    assert_eq!(
        lines[0],
        "id,name,email,major,company,avatar,badges,hidden,on_wall,lead_consent,consent_at,created_at"
    );
    assert_eq!(lines.len(), 3);
    assert!(lines[1].contains("Person 0,p0@example.org"));
    assert!(lines[1].contains(",no,yes,yes,20"), "{}", lines[1]);
    assert!(!people.contains("p2@example.org"));
    let (_, _, conns) = get("connections.csv").await;
    let lines: Vec<&str> = conns.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(
        lines[1].contains("Person 0,p0@example.org")
            && lines[1].contains("Person 1,p1@example.org")
    );
    assert!(
        lines[2].contains(",anon-") && lines[2].contains("Person 0,p0@example.org"),
        "{}",
        lines[2]
    );
    assert!(!conns.contains("p2@example.org") && !conns.contains(&ids[2]));
    let (_, _, all) = get("everything.json").await;
    let all: Value = serde_json::from_str(&all).unwrap();
    assert_eq!(
        (
            all["people"].as_array().unwrap().len(),
            all["connections"].as_array().unwrap().len()
        ),
        (2, 2)
    );
    assert_eq!(all["connections"][0]["fromEmail"], "p0@example.org");
    let (_, _, c) = get("connections.json").await;
    assert_eq!(
        serde_json::from_str::<Value>(&c)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(get("secrets.txt").await.0, 404);

    let (_, station) = admin.device("ev", "station").await;
    let (s, _) = server
        .api()
        .with_token(&station)
        .call("GET", "/api/events/ev/export/people.csv", None)
        .await;
    assert_eq!(s, 403);
    let (s, _) = server
        .api()
        .call("GET", "/api/events/ev/export/people.csv", None)
        .await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn announcements_are_in_the_snapshot_until_cleared() {
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    let seq = admin.wall("ev").await["seq"].as_u64().unwrap();
    let (s, a) = admin
        .call(
            "POST",
            "/api/events/ev/announcements",
            Some(json!({"message": "Keynote starts in 5 minutes", "audience": "all"})),
        )
        .await;
    assert_eq!(s, 200, "{a}");
    let wall = admin.wall("ev").await;
    assert_eq!(
        wall["announcement"]["message"],
        "Keynote starts in 5 minutes"
    );
    assert_eq!(
        wall["seq"].as_u64().unwrap(),
        seq + 1,
        "the announcement is in the live log"
    );
    let (s, _) = admin
        .call(
            "POST",
            "/api/events/ev/announcements",
            Some(json!({"message": "x".repeat(300), "audience": "walls"})),
        )
        .await;
    assert_eq!(s, 422);
    admin
        .call(
            "POST",
            "/api/events/ev/announcements",
            Some(json!({"message": null, "audience": "all"})),
        )
        .await;
    assert_eq!(admin.wall("ev").await["announcement"], Value::Null);
    let (s, _) = admin
        .call(
            "POST",
            "/api/events/ev/announcements",
            Some(json!({"message": "hi", "audience": "everyone"})),
        )
        .await;
    assert_eq!(s, 400, "unknown audience");
}

#[tokio::test]
async fn stats_count_and_rank_by_who_got_there_first() {
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    let ids = admin.add_people("ev", 5).await;
    for (a, b) in [(1, 2), (3, 4), (1, 0), (3, 0), (2, 4)] {
        admin
            .connect(
                "ev",
                &format!("p{a}@example.org"),
                &format!("p{b}@example.org"),
            )
            .await;
    }
    let (s, st) = admin.call("GET", "/api/events/ev/stats", None).await;
    assert_eq!(s, 200, "{st}");
    assert_eq!(
        (st["people"].as_u64(), st["connections"].as_u64()),
        (Some(5), Some(5))
    );
    assert_eq!(st["connectionsLast10Min"], 5);
    assert_eq!(st["tapsPerMinute"].as_array().unwrap().len(), 10);
    let top: Vec<(&str, u64)> = st["top"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["person"]["name"].as_str().unwrap(),
                e["connections"].as_u64().unwrap(),
            )
        })
        .collect();
    // Everyone ends with 2; the order is who reached 2 first: Person 1 (3rd tap), then Persons 3 and 0 (both
    // with the 4th tap), then Persons 2 and 4 (the 5th).
    assert!(top.iter().all(|(_, n)| *n == 2), "{top:?}");
    let names: Vec<&str> = top.iter().map(|(n, _)| *n).collect();
    assert_eq!(names[0], "Person 1", "{top:?}");
    let mut mid = names[1..3].to_vec();
    mid.sort();
    assert_eq!(mid, ["Person 0", "Person 3"], "{top:?}");
    let mut last = names[3..].to_vec();
    last.sort();
    assert_eq!(last, ["Person 2", "Person 4"], "{top:?}");
    admin
        .call(
            "PATCH",
            &format!("/api/events/ev/profiles/{}", ids[1]),
            Some(json!({"hidden": true})),
        )
        .await;
    let (_, st) = admin.call("GET", "/api/events/ev/stats", None).await;
    assert_eq!(
        (
            st["people"].as_u64(),
            st["hidden"].as_u64(),
            st["connections"].as_u64()
        ),
        (Some(4), Some(1), Some(3))
    );
    assert!(
        !st["top"].to_string().contains("Person 1"),
        "hidden people are not on the leaderboard"
    );
}

#[tokio::test]
async fn the_phone_page_connects_people_who_hold_their_badges() {
    // Behind a (trusted) proxy on loopback, each "phone" below is its own address.
    let server = TestServer::start_with(BIN, &["--trusted-proxies", "127.0.0.1"]).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    let ids = admin.add_people("ev", 3).await;
    admin
        .call(
            "PATCH",
            &format!("/api/events/ev/profiles/{}", ids[0]),
            Some(json!({"major": "Physics", "company": "<Acme & Co>"})),
        )
        .await;
    let link = async |id: &str| -> String {
        let (s, b) = admin
            .call(
                "GET",
                &format!("/api/events/ev/profiles/{id}/badge-link"),
                None,
            )
            .await;
        assert_eq!(s, 200, "{b}");
        b["path"].as_str().unwrap().to_owned()
    };
    let (l0, l1) = (link(&ids[0]).await, link(&ids[1]).await);
    assert!(l0.starts_with(&format!("/p/{}?k=", ids[0])), "{l0}");
    let key = |l: &str| l.split_once("?k=").unwrap().1.to_owned();
    let http = reqwest::Client::new();
    let get = async |path: &str, phone: &str, cookie: Option<&str>| {
        let mut rb = http
            .get(format!("{}{path}", server.base))
            .header("x-forwarded-for", phone);
        if let Some(c) = cookie {
            rb = rb.header("cookie", c);
        }
        let r = rb.send().await.unwrap();
        let status = r.status().as_u16();
        let csp = r
            .headers()
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap().to_owned());
        (status, r.text().await.unwrap(), csp)
    };
    let post = async |path: &str, phone: &str, cookie: Option<&str>, form: &[(&str, &str)]| {
        let mut rb = http
            .post(format!("{}{path}", server.base))
            .header("x-forwarded-for", phone)
            .form(form);
        if let Some(c) = cookie {
            rb = rb.header("cookie", c);
        }
        rb.send().await.unwrap()
    };

    // A stranger sees a private event's person as initials, without details, and never the e-mail.
    let (s, html, csp) = get(&format!("/p/{}", ids[0]), "203.0.113.1", None).await;
    assert_eq!(s, 200);
    assert!(csp.unwrap().contains("frame-ancestors 'none'"));
    assert!(
        html.contains("P0") && !html.contains("Person 0") && !html.contains("Physics"),
        "{html}"
    );
    assert!(!html.contains("p0@example.org"), "never the e-mail");
    assert!(!html.contains("Acme"));

    // Ada's phone: she taps her own badge and says it is hers.
    let (_, html, _) = get(&l0, "203.0.113.2", None).await;
    assert!(html.contains("This is my badge"), "{html}");
    let r = post(
        &format!("/p/{}/claim", ids[0]),
        "203.0.113.2",
        None,
        &[("k", &key(&l0))],
    )
    .await;
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let cookie = cookie.split(';').next().unwrap().to_owned();
    // Then she taps Person 1's badge: one tap connects them, and now she sees names (she is an attendee).
    let (_, html, _) = get(&l1, "203.0.113.2", Some(&cookie)).await;
    assert!(
        html.contains("Connect") && html.contains("Person 1"),
        "{html}"
    );
    let connect = format!("/p/{}/connect", ids[1]);
    let r = post(&connect, "203.0.113.2", Some(&cookie), &[("k", &key(&l1))]).await;
    assert_eq!(r.status(), 201);
    assert!(r.text().await.unwrap().contains("now connected"));
    let r = post(&connect, "203.0.113.2", Some(&cookie), &[("k", &key(&l1))]).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("already connected"));
    assert_eq!(admin.wall("ev").await["links"].as_array().unwrap().len(), 1);

    // Knowing an e-mail proves nothing: the same answer for a registered and an unknown one, nothing stored.
    let known = post(
        &format!("/p/{}/connect", ids[2]),
        "203.0.113.3",
        None,
        &[("email", "p1@example.org")],
    )
    .await;
    let (ks, kb) = (known.status(), known.text().await.unwrap());
    let unknown = post(
        &format!("/p/{}/connect", ids[2]),
        "203.0.113.4",
        None,
        &[("email", "nobody@example.org")],
    )
    .await;
    assert_eq!(
        (ks.as_u16(), kb),
        (unknown.status().as_u16(), unknown.text().await.unwrap())
    );
    assert_eq!(ks, 403);
    // Holding a badge's link is needed too: no key (or a wrong one) connects nobody, a forged cookie is nobody.
    let r = post(
        &format!("/p/{}/connect", ids[2]),
        "203.0.113.5",
        Some(&cookie),
        &[("k", "0000")],
    )
    .await;
    assert_eq!(r.status(), 403);
    let forged = format!("lw_badge={}.{}", ids[1], "0".repeat(24));
    let r = post(
        &format!("/p/{}/connect", ids[2]),
        "203.0.113.6",
        Some(&forged),
        &[("k", &key(&l1))],
    )
    .await;
    assert_eq!(r.status(), 403);
    // Another site's page cannot post for her.
    let r = http
        .post(format!("{}{connect}", server.base))
        .header("x-forwarded-for", "203.0.113.7")
        .header("origin", "https://evil.example")
        .header("cookie", &cookie)
        .form(&[("k", key(&l1))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("another website"));
    // Her own badge: no connection with herself.
    let r = post(
        &format!("/p/{}/connect", ids[0]),
        "203.0.113.8",
        Some(&cookie),
        &[("k", &key(&l0))],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(admin.wall("ev").await["links"].as_array().unwrap().len(), 1);

    // Per address: a burst of 5 posts passes (10 a minute after that), then a clear "slow down".
    for _ in 0..5 {
        post(&format!("/p/{}/connect", ids[2]), "203.0.113.9", None, &[]).await;
    }
    let r = post(&format!("/p/{}/connect", ids[2]), "203.0.113.9", None, &[]).await;
    assert_eq!(r.status(), 429);
    assert!(r.text().await.unwrap().contains("Wait a minute"));
    // Without the trusted proxy the header would be ignored: from a new address the limit is fresh.
    assert_ne!(
        post(&format!("/p/{}/connect", ids[2]), "203.0.113.10", None, &[])
            .await
            .status(),
        429
    );

    admin
        .call(
            "PATCH",
            &format!("/api/events/ev/profiles/{}", ids[2]),
            Some(json!({"hidden": true})),
        )
        .await;
    assert_eq!(
        get(&format!("/p/{}", ids[2]), "203.0.113.11", None).await.0,
        404
    );
    assert_eq!(get("/p/nobody", "203.0.113.11", None).await.0, 404);
}

#[tokio::test]
async fn moderation_reaches_open_walls_live() {
    use livewall_testkit::ws;
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    let ids = admin.add_people("ev", 4).await;
    admin
        .connect("ev", "p0@example.org", "p1@example.org")
        .await;
    admin
        .connect("ev", "p2@example.org", "p0@example.org")
        .await;
    let (_, kiosk) = admin.device("ev", "kiosk").await;
    let mut wall = ws::connect(&server.base, Some(&kiosk)).await;
    let sub = wall.subscribe("ev", None).await;
    assert_eq!(sub["type"], "subscribed");

    // Deleting a person removes their connections: one `removed` per link, then the node goes.
    admin
        .call(
            "DELETE",
            &format!("/api/events/ev/profiles/{}", ids[0]),
            None,
        )
        .await;
    let removed = [
        wall.recv_type("removed").await,
        wall.recv_type("removed").await,
    ];
    let mut pairs: Vec<(String, String)> = removed
        .iter()
        .map(|r| {
            (
                r["source"].as_str().unwrap().to_owned(),
                r["target"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    pairs.sort();
    let mut expected = vec![
        (ids[0].clone(), ids[1].clone()),
        (ids[2].clone(), ids[0].clone()),
    ];
    expected.sort();
    assert_eq!(pairs, expected);
    let node = wall.recv_type("node").await;
    assert_eq!(
        (node["node"]["id"].as_str(), node["hidden"].as_bool()),
        (Some(ids[0].as_str()), Some(true))
    );

    // Moderation of one connection.
    let (_, c) = admin
        .connect("ev", "p1@example.org", "p3@example.org")
        .await;
    assert_eq!(wall.recv_type("connection").await["seq"], c["seq"]);
    admin
        .call(
            "DELETE",
            &format!(
                "/api/events/ev/connections/{}",
                c["connection"]["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    let r = wall.recv_type("removed").await;
    assert_eq!(
        (r["source"].as_str(), r["target"].as_str()),
        (Some(ids[1].as_str()), Some(ids[3].as_str()))
    );

    // Hiding a person takes them off the wall; the announcement banner arrives live.
    admin
        .call(
            "PATCH",
            &format!("/api/events/ev/profiles/{}", ids[3]),
            Some(json!({"hidden": true})),
        )
        .await;
    let n = wall.recv_type("node").await;
    assert_eq!(
        (n["node"]["id"].as_str(), n["hidden"].as_bool()),
        (Some(ids[3].as_str()), Some(true))
    );
    admin
        .call(
            "POST",
            "/api/events/ev/announcements",
            Some(json!({"message": "Doors close at 10", "audience": "walls"})),
        )
        .await;
    let a = wall.recv_type("announcement").await;
    assert_eq!(
        (a["message"].as_str(), a["audience"].as_str()),
        (Some("Doors close at 10"), Some("walls"))
    );

    // Deleting the event tells its walls.
    admin.call("DELETE", "/api/events/ev", None).await;
    let e = wall.recv_type("error").await;
    assert_eq!(
        (e["code"].as_str(), e["eventId"].as_str()),
        (Some("not_found"), Some("ev"))
    );
}
