//! The live feed (`/ws`) of the real server binary on 127.0.0.1, with real WebSocket clients.

#![allow(clippy::unwrap_used)]

use livewall_testkit::ws::{self, WsClient};
use livewall_testkit::{Api, TestServer, eventually};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

const BIN: &str = env!("CARGO_BIN_EXE_livewall-server");

/// A server with event `ev` of `people` attendees, an admin client and a station client.
async fn setup(flags: &[&str], people: usize) -> (TestServer, Api, Api) {
    let server = TestServer::start_with(BIN, flags).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    admin.add_people("ev", people).await;
    let (_, station) = admin.device("ev", "station").await;
    let station = admin.with_token(&station);
    (server, admin, station)
}

/// The first `n` distinct pairs of attendee e-mails, so every post is a new connection (a log entry).
fn pairs(n: usize) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(n);
    'outer: for i in 0.. {
        for j in 0..i {
            if out.len() == n {
                break 'outer;
            }
            out.push((format!("p{j}@example.org"), format!("p{i}@example.org")));
        }
    }
    out
}

async fn post(station: &Api, event: &str, (from, to): &(String, String)) {
    let (s, b) = station.connect(event, from, to).await;
    assert_eq!(s, 201, "post connection: {b}");
}

fn seq(v: &Value) -> u64 {
    v["seq"].as_u64().unwrap_or_else(|| panic!("no seq in {v}"))
}

fn seqs(frames: &[Value]) -> Vec<u64> {
    frames.iter().map(seq).collect()
}

#[tokio::test]
async fn many_subscribers_get_every_entry_in_order_whatever_the_token_form() {
    let (server, admin, station) = setup(&[], 12).await;
    let (_, kiosk) = admin.device("ev", "kiosk").await;
    let url = ws::ws_url(&server.base);
    let mut clients = Vec::new();
    for i in 0..16 {
        let c = match i % 4 {
            0 => ws::connect(&server.base, Some(&kiosk)).await,
            1 => ws::try_connect(format!("{url}?token={kiosk}"))
                .await
                .unwrap(),
            2 => ws::try_connect(format!("{url}?Authorization=Bearer%20{kiosk}"))
                .await
                .unwrap(),
            _ => {
                let mut req = url.as_str().into_client_request().unwrap();
                req.headers_mut().insert(
                    "sec-websocket-protocol",
                    HeaderValue::from_str(&format!("bearer, {kiosk}")).unwrap(),
                );
                let (ws, res) = tokio_tungstenite::connect_async(req).await.unwrap();
                assert_eq!(res.headers()["sec-websocket-protocol"], "bearer");
                WsClient::from_stream(ws)
            }
        };
        clients.push(c);
    }
    let mut start = None;
    for c in &mut clients {
        let sub = c.subscribe("ev", None).await;
        assert_eq!(sub["recovered"], false, "{sub}");
        assert_eq!(*start.get_or_insert(seq(&sub)), seq(&sub));
    }
    let start = start.unwrap();
    let posted = pairs(40);
    for p in &posted {
        post(&station, "ev", p).await;
    }
    for c in &mut clients {
        let got = c.entries(posted.len()).await;
        assert_eq!(seqs(&got), (start + 1..=start + 40).collect::<Vec<_>>());
        for (frame, (from, to)) in got.iter().zip(&posted) {
            assert_eq!(frame["type"], "connection", "{frame}");
            assert_eq!(frame["eventId"], "ev");
            let names = (
                frame["from"]["name"].as_str().unwrap(),
                frame["to"]["name"].as_str().unwrap(),
            );
            let want = (
                from.trim_end_matches("@example.org"),
                to.trim_end_matches("@example.org"),
            );
            assert_eq!(names.0.replace("Person ", "p"), want.0, "{frame}");
            assert_eq!(names.1.replace("Person ", "p"), want.1, "{frame}");
        }
    }
    let metrics = async || {
        let (_, m) = Api::finish(admin.request("GET", "/metrics")).await;
        m.as_str().unwrap_or_default().to_owned()
    };
    assert!(
        metrics()
            .await
            .contains("livewall_ws_connections{role=\"kiosk\"} 16")
    );
    // Per-event gauges follow presence, which is gathered for up to half a second.
    eventually("the per-event gauge", async || {
        metrics()
            .await
            .contains("livewall_ws_subscribers{event=\"ev\",role=\"wall\"} 16")
    })
    .await;
}

#[tokio::test]
async fn resume_after_a_drop_mid_stream_has_no_gap_and_no_duplicate() {
    let (server, admin, station) = setup(&[], 14).await;
    let (_, kiosk) = admin.device("ev", "kiosk").await;
    let mut wall = ws::connect(&server.base, Some(&kiosk)).await;
    let sub = wall.subscribe("ev", None).await;
    let (epoch, start) = (sub["epoch"].as_str().unwrap().to_owned(), seq(&sub));
    let total = 80;
    let poster = tokio::spawn({
        let station = station.clone();
        async move {
            for p in &pairs(total) {
                post(&station, "ev", p).await;
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        }
    });
    let before = wall.entries(15).await;
    // Drop without a close handshake, as a Wi-Fi loss would, while posts keep arriving.
    drop(wall);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let last = seq(before.last().unwrap());
    let mut wall = ws::connect(&server.base, Some(&kiosk)).await;
    let sub = wall.subscribe("ev", Some((&epoch, last))).await;
    assert_eq!(
        (sub["recovered"].as_bool(), sub["seq"].as_u64()),
        (Some(true), Some(last)),
        "{sub}"
    );
    let after = wall.entries(start as usize + total - last as usize).await;
    poster.await.unwrap();
    let all: Vec<u64> = seqs(&before).into_iter().chain(seqs(&after)).collect();
    assert_eq!(all, (start + 1..=start + total as u64).collect::<Vec<_>>());
    // Nothing more is owed: the next frame is the answer to a ping, not a late duplicate.
    wall.send_json(&json!({"action": "ping"})).await;
    loop {
        let v = wall.recv_json().await;
        assert!(
            v.get("seq").is_none(),
            "unexpected entry after the end: {v}"
        );
        if v["type"] == "pong" {
            break;
        }
    }
}

#[tokio::test]
async fn stale_epoch_too_old_or_future_positions_are_not_recovered() {
    let server = TestServer::start_with(BIN, &["--log-retention", "10"]).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    // 1100 `node` entries; the log is pruned at seq 1024, keeping the last 10 of it.
    admin.add_people("ev", 1100).await;
    let mut c = ws::connect(&server.base, admin.token.as_deref()).await;
    let sub = c.subscribe("ev", None).await;
    let epoch = sub["epoch"].as_str().unwrap().to_owned();
    assert_eq!(seq(&sub), 1100);

    let inside = c.subscribe("ev", Some((&epoch, 1095))).await;
    assert_eq!(inside["recovered"], true, "{inside}");
    let replayed = c.entries(5).await;
    assert_eq!(seqs(&replayed), vec![1096, 1097, 1098, 1099, 1100]);
    assert!(replayed.iter().all(|e| e["type"] == "node"));

    let too_old = c.subscribe("ev", Some((&epoch, 5))).await;
    assert_eq!(
        (too_old["recovered"].as_bool(), too_old["seq"].as_u64()),
        (Some(false), Some(1100)),
        "{too_old}"
    );
    let ahead = c.subscribe("ev", Some((&epoch, 5000))).await;
    assert_eq!(ahead["recovered"], false, "{ahead}");
    let foreign = c.subscribe("ev", Some(("not-an-epoch", 1099))).await;
    assert_eq!(foreign["recovered"], false, "{foreign}");
    c.ping_pong().await;

    // The event is deleted and made again under the same id: a new epoch, so the old position is void.
    let (s, _) = admin.call("DELETE", "/api/events/ev", None).await;
    assert_eq!(s, 204);
    admin.create_event("ev", json!({})).await;
    admin.add_people("ev", 3).await;
    let mut c = ws::connect(&server.base, admin.token.as_deref()).await;
    let sub = c.subscribe("ev", Some((&epoch, 2))).await;
    assert_eq!(sub["recovered"], false, "{sub}");
    assert_ne!(sub["epoch"].as_str(), Some(epoch.as_str()));
}

#[tokio::test]
async fn a_slow_reader_is_closed_with_4008_and_a_fast_one_gets_everything() {
    let (server, admin, station) = setup(
        &["--ws-queue-frames", "8", "--tcp-send-buffer-bytes", "8192"],
        40,
    )
    .await;
    let (_, kiosk) = admin.device("ev", "kiosk").await;
    let mut fast = ws::connect(&server.base, Some(&kiosk)).await;
    let start = seq(&fast.subscribe("ev", None).await);
    // A socket with a tiny receive buffer, so the server's queue fills soon after this client stops reading.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let tcp = socket.connect(server.addr).await.unwrap();
    let (slow_ws, _) =
        tokio_tungstenite::client_async(ws::request(&server.base, Some(&kiosk)), tcp)
            .await
            .unwrap();
    let mut slow = WsClient::from_stream(slow_ws);
    let sub = slow.subscribe("ev", None).await;
    let epoch = sub["epoch"].as_str().unwrap().to_owned();

    let total = 600;
    let fast_reader = tokio::spawn(async move { fast.entries(total).await });
    let posts = pairs(total);
    for chunk in posts.chunks(total / 4) {
        let station = station.clone();
        let chunk = chunk.to_vec();
        tokio::spawn(async move {
            for p in &chunk {
                post(&station, "ev", p).await;
            }
        });
    }
    let got = fast_reader.await.unwrap();
    assert_eq!(
        seqs(&got),
        (start + 1..=start + total as u64).collect::<Vec<_>>()
    );

    // Only now does the slow reader look: a gap-free prefix, then the close frame with 4008.
    let mut prefix = Vec::new();
    let code = loop {
        match slow.next_message().await {
            Some(Message::Text(t)) => {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                if v["type"] == "connection" {
                    prefix.push(seq(&v));
                }
            }
            Some(Message::Close(f)) => break f.map(|f| u16::from(f.code)),
            Some(other) => panic!("unexpected frame {other:?}"),
            None => break None,
        }
    };
    assert_eq!(code, Some(4008));
    assert!(
        prefix.len() < total,
        "the slow reader was closed before the end"
    );
    assert_eq!(
        prefix,
        (start + 1..start + 1 + prefix.len() as u64).collect::<Vec<_>>()
    );

    // It resumes from what it has and gets exactly the rest.
    let last = prefix.last().copied().unwrap_or(start);
    let mut again = ws::connect(&server.base, Some(&kiosk)).await;
    let sub = again.subscribe("ev", Some((&epoch, last))).await;
    assert_eq!(sub["recovered"], true, "{sub}");
    let rest = again.entries((start + total as u64 - last) as usize).await;
    assert_eq!(
        seqs(&rest),
        (last + 1..=start + total as u64).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_silent_peer_is_dropped_after_the_heartbeat_timeout_and_presence_follows() {
    let flags = [
        "--ws-ping-interval-ms",
        "200",
        "--ws-pong-timeout-ms",
        "300",
        "--ws-presence-interval-ms",
        "50",
    ];
    let (server, admin, _station) = setup(&flags, 2).await;
    let (kiosk_id, kiosk) = admin.device("ev", "kiosk").await;
    let mut watcher = ws::connect(&server.base, admin.token.as_deref()).await;
    watcher.subscribe("ev", None).await;
    let mut silent = ws::connect(&server.base, Some(&kiosk)).await;
    silent.subscribe("ev", None).await;
    let started = Instant::now();
    let (s, p) = admin.call("GET", "/api/events/ev/presence", None).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(
        (p["walls"].as_u64(), p["stations"].as_u64()),
        (Some(1), Some(0)),
        "{p}"
    );
    assert_eq!(p["devices"], json!([kiosk_id]));

    // `silent` is never polled again, so it answers no ping; the watcher keeps reading (and so answers them).
    while watcher.recv_type("presence").await["walls"] != 1 {}
    loop {
        let v = watcher.recv_type("presence").await;
        if v["walls"] == 0 {
            assert_eq!(v["devices"], json!([]), "{v}");
            break;
        }
    }
    assert!(
        started.elapsed() >= Duration::from_millis(450),
        "dropped before ping interval + pong timeout"
    );
    let (_, p) = admin.call("GET", "/api/events/ev/presence", None).await;
    assert_eq!(p["walls"], 0, "{p}");
    assert_eq!(silent.close_code().await, Some(4002));
    watcher.ping_pong().await;
    let (s, b) = server
        .api()
        .call("GET", "/api/events/ev/presence", None)
        .await;
    assert_eq!(s, 401, "presence is for organisers: {b}");
}

#[tokio::test]
async fn refused_before_the_upgrade_without_a_valid_token_unless_the_wall_is_public() {
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    admin.create_event("pub", json!({"publicWall": true})).await;

    // No token at all opens anonymously, as the original's `$connect`: it may follow public walls only.
    let mut bare = ws::try_connect(ws::request(&server.base, None))
        .await
        .unwrap();
    bare.send_json(&json!({"action": "subscribe", "eventId": "ev"}))
        .await;
    assert_eq!(bare.recv_type("error").await["code"], "forbidden");
    let e = ws::try_connect(ws::request(&server.base, Some("not-a-token")))
        .await
        .err()
        .unwrap();
    let (status, body) = ws::refusal(&e);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthorized")),
        "{body}"
    );
    let url = ws::ws_url(&server.base);
    let e = ws::try_connect(format!("{url}?eventId=ev"))
        .await
        .err()
        .unwrap();
    assert_eq!(ws::refusal(&e).0, 401, "a private wall needs a token");

    // A public wall works in any browser, for that one event.
    let mut anon = ws::try_connect(format!("{url}?eventId=pub")).await.unwrap();
    assert_eq!(anon.subscribe("pub", None).await["recovered"], false);
    anon.send_json(&json!({"action": "subscribe", "eventId": "ev"}))
        .await;
    let err = anon.recv_type("error").await;
    assert_eq!(
        (err["code"].as_str(), err["eventId"].as_str()),
        (Some("forbidden"), Some("ev")),
        "{err}"
    );
    anon.ping_pong().await;
}

#[tokio::test]
async fn another_events_token_gets_a_forbidden_error_and_keeps_its_socket() {
    let (server, admin, _) = setup(&[], 2).await;
    admin.create_event("other", json!({})).await;
    let (_, kiosk) = admin.device("ev", "kiosk").await;
    let mut c = ws::connect(&server.base, Some(&kiosk)).await;
    c.send_json(&json!({"action": "subscribe", "eventId": "other"}))
        .await;
    let err = c.recv_type("error").await;
    assert_eq!(
        (err["code"].as_str(), err["eventId"].as_str()),
        (Some("forbidden"), Some("other")),
        "{err}"
    );
    c.send_json(&json!({"action": "subscribe", "eventId": "missing"}))
        .await;
    assert_eq!(c.recv_type("error").await["code"], "forbidden");
    c.ping_pong().await;
    assert_eq!(c.subscribe("ev", None).await["eventId"], "ev");
}

#[tokio::test]
async fn malformed_frames_get_errors_and_limits_hold() {
    let flags = [
        "--ws-max-message-bytes",
        "1024",
        "--ws-max-subscriptions",
        "2",
        "--ws-connect-rate",
        "0.5",
        "--ws-connect-burst",
        "3",
    ];
    let server = TestServer::start_with(BIN, &flags).await;
    let admin = server.admin().await;
    for e in ["a", "b", "c"] {
        admin.create_event(e, json!({})).await;
    }
    let token = admin.token.clone().unwrap();
    let mut c = ws::connect(&server.base, Some(&token)).await;
    for bad in [
        Message::text("not json"),
        Message::text(r#"{"action":"dance"}"#),
        Message::text(r#"{"action":"subscribe"}"#),
        Message::binary(vec![1u8, 2, 3]),
    ] {
        c.send(bad).await;
        let err = c.recv_type("error").await;
        assert_eq!(err["code"], "bad_request", "{err}");
        assert!(!err["message"].as_str().unwrap().is_empty());
    }
    c.ping_pong().await;
    c.send_json(&json!({"action": "subscribe", "eventId": "missing"}))
        .await;
    assert_eq!(c.recv_type("error").await["code"], "not_found");

    c.subscribe("a", None).await;
    c.subscribe("b", None).await;
    c.send_json(&json!({"action": "subscribe", "eventId": "c"}))
        .await;
    let err = c.recv_type("error").await;
    assert!(
        err["message"].as_str().unwrap().contains("at most 2"),
        "{err}"
    );
    c.send_json(&json!({"action": "unsubscribe", "eventId": "a"}))
        .await;
    c.subscribe("c", None).await;

    // A burst of 3 from this address: `c` was the first, two more pass, the fourth is refused.
    let _second = ws::connect(&server.base, Some(&token)).await;
    let _third = ws::connect(&server.base, Some(&token)).await;
    let e = ws::try_connect(ws::request(&server.base, Some(&token)))
        .await
        .err()
        .unwrap();
    let (status, body) = ws::refusal(&e);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate_limited")),
        "{body}"
    );

    c.send(Message::text("x".repeat(4096))).await;
    assert_eq!(c.close_code().await, Some(1009));
}

#[tokio::test]
async fn sigterm_closes_every_socket_with_1001() {
    let (mut server, admin, _) = setup(&[], 2).await;
    let (_, kiosk) = admin.device("ev", "kiosk").await;
    let mut readers = Vec::new();
    for _ in 0..5 {
        let mut c = ws::connect(&server.base, Some(&kiosk)).await;
        c.subscribe("ev", None).await;
        readers.push(tokio::spawn(async move { c.close_code().await }));
    }
    assert!(
        server.terminate().await,
        "the server exits cleanly; log:\n{}",
        server.log()
    );
    for r in readers {
        assert_eq!(r.await.unwrap(), Some(1001));
    }
}

#[tokio::test]
async fn revoking_a_device_disconnects_its_sockets_at_once() {
    let flags = ["--ws-presence-interval-ms", "50"];
    let (server, admin, _) = setup(&flags, 2).await;
    let (kiosk_id, kiosk) = admin.device("ev", "kiosk").await;
    let (_, other) = admin.device("ev", "kiosk").await;
    let mut a = ws::connect(&server.base, Some(&kiosk)).await;
    a.subscribe("ev", None).await;
    let mut b = ws::connect(&server.base, Some(&kiosk)).await;
    let mut keep = ws::connect(&server.base, Some(&other)).await;
    keep.subscribe("ev", None).await;

    let (s, d) = admin
        .call(
            "POST",
            &format!("/api/events/ev/devices/{kiosk_id}/revoke"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(a.close_code().await, Some(4001));
    assert_eq!(
        b.close_code().await,
        Some(4001),
        "even a socket that never subscribed"
    );
    keep.ping_pong().await;
    let e = ws::try_connect(ws::request(&server.base, Some(&kiosk)))
        .await
        .err()
        .unwrap();
    assert_eq!(ws::refusal(&e).0, 401);
    eventually("presence without the revoked device", async || {
        admin.call("GET", "/api/events/ev/presence", None).await.1["walls"] == 1
    })
    .await;
}

/// Regression: with "initials only" the server sends the initials as the name and walls show them as they are, so
/// switching it must rename everyone on every wall, in one frame: a frame per person would overflow the queue of
/// every socket in an event bigger than the queue (here 20 people, 8 frames).
#[tokio::test]
async fn switching_initials_only_asks_walls_to_reload_a_snapshot_named_by_the_server() {
    let (server, admin, station) = setup(&["--ws-queue-frames", "8"], 20).await;
    let (s, b) = station
        .connect("ev", "p0@example.org", "p1@example.org")
        .await;
    assert_eq!(s, 201, "{b}");
    let (_, kiosk) = admin.device("ev", "kiosk").await;
    let mut wall = ws::connect(&server.base, Some(&kiosk)).await;
    wall.subscribe("ev", None).await;

    let (s, b) = admin
        .set_settings("ev", json!({"initialsOnly": true}))
        .await;
    assert_eq!(s, 200, "{b}");
    let frame = wall.entries(1).await.remove(0);
    assert_eq!(frame["type"], "event", "{frame}");
    assert_eq!(frame["settings"]["initialsOnly"], true);
    assert_eq!(frame["reload"], true, "walls are asked to reload: {frame}");
    let snap = admin.wall("ev").await;
    let p0 = snap["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["initials"] == "P0")
        .cloned()
        .unwrap_or_else(|| panic!("Person 0 in {snap}"));
    assert_eq!(
        p0["name"], "P0",
        "\"Person 0\" is shown as P0, its initials, once"
    );
    // Still subscribed: nothing overflowed.
    wall.ping_pong().await;
    let (s, _) = station
        .connect("ev", "p2@example.org", "p3@example.org")
        .await;
    assert_eq!(s, 201);
    let next = wall.entries(1).await.remove(0);
    assert_eq!(next["type"], "connection");
    assert_eq!(next["from"]["name"], "P2", "{next}");

    // A change that renames nobody is applied as it comes.
    admin
        .call("PATCH", "/api/events/ev", Some(json!({"name": "Renamed"})))
        .await;
    let frame = wall.entries(1).await.remove(0);
    assert_eq!(frame["name"], "Renamed");
    assert!(frame.get("reload").is_none(), "{frame}");
}
