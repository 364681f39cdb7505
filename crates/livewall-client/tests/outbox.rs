//! The station outbox against the real server: exactly-once delivery across a killed process and an outage.

#![allow(clippy::unwrap_used)]

use livewall_client::Client;
use livewall_client::outbox::{Delivery, Outbox};
use livewall_protocol::{CreateConnection, HoldKind, PartyRef};
use livewall_testkit::{TestServer, server_bin};
use serde_json::json;
use std::process::Command;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const CLIENT_BIN: &str = env!("CARGO_BIN_EXE_livewall-client");

async fn event_with_station(server: &TestServer) -> String {
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    admin.add_people("ev", 6).await;
    admin.device("ev", "station").await.1
}

fn tap(a: usize, b: usize) -> CreateConnection {
    CreateConnection {
        from: PartyRef::Text(format!("p{a}@example.org")),
        to: PartyRef::Text(format!("p{b}@example.org")),
    }
}

/// A proxy that passes requests to `upstream` but never passes the answers back, and reports when the server
/// has answered: the window in which a station can crash after sending but before hearing back.
async fn answer_swallowing_proxy(
    upstream: std::net::SocketAddr,
) -> (String, tokio::sync::mpsc::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (answered, rx) = tokio::sync::mpsc::channel(8);
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            let answered = answered.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut sr, mut sw) = server.into_split();
                let (mut cr, _cw) = client.split();
                let forward = async {
                    let mut buf = [0u8; 4096];
                    loop {
                        match cr.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                if sw.write_all(&buf[..n]).await.is_err() {
                                    break;
                                }
                            }
                        }
                    }
                };
                let swallow = async {
                    let mut buf = [0u8; 4096];
                    if let Ok(n) = sr.read(&mut buf).await
                        && n > 0
                    {
                        let _ = answered.send(()).await;
                    }
                    std::future::pending::<()>().await;
                };
                tokio::join!(forward, swallow);
            });
        }
    });
    (url, rx)
}

#[tokio::test]
async fn a_tap_sent_by_a_killed_station_is_created_exactly_once() {
    let server = TestServer::start(server_bin()).await;
    let token = event_with_station(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let outbox_path = dir.path().join("outbox.db");
    let out = Command::new(CLIENT_BIN)
        .args([
            "enqueue",
            "--event",
            "ev",
            "--from",
            "p0@example.org",
            "--to",
            "p1@example.org",
            "--outbox",
        ])
        .arg(&outbox_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let admin = server.admin().await;
    let seq_before = admin.wall("ev").await["seq"].as_u64().unwrap();

    let (proxy, mut answered) = answer_swallowing_proxy(server.addr).await;
    let mut flush = Command::new(CLIENT_BIN)
        .args(["flush", "--server", &proxy, "--token", &token, "--outbox"])
        .arg(&outbox_path)
        .spawn()
        .unwrap();
    tokio::time::timeout(Duration::from_secs(20), answered.recv())
        .await
        .unwrap()
        .unwrap();
    flush.kill().unwrap();
    flush.wait().unwrap();

    // The server has the connection, the station never heard back: the tap is still queued.
    assert_eq!(admin.wall("ev").await["links"].as_array().unwrap().len(), 1);
    let outbox = Outbox::open(&outbox_path).unwrap();
    assert_eq!(outbox.len().await.unwrap(), 1);

    // After the "restart", delivery repeats the request with the same key and gets the first answer.
    let client = Client::new(&server.base, Some(token)).unwrap();
    let report = outbox.deliver(&client).await.unwrap();
    assert_eq!(report.deliveries.len(), 1);
    match &report.deliveries[0] {
        Delivery::Delivered { posted, .. } => {
            assert_eq!(
                posted.status, 201,
                "the idempotent retry returns the first answer"
            );
            assert!(!posted.outcome.duplicate);
        }
        Delivery::Refused { error, .. } => panic!("refused: {error}"),
    }
    assert!(outbox.is_empty().await.unwrap());
    let wall = admin.wall("ev").await;
    assert_eq!(wall["links"].as_array().unwrap().len(), 1);
    assert_eq!(
        wall["seq"].as_u64().unwrap(),
        seq_before + 1,
        "one connection entry in the log, not two"
    );
}

#[tokio::test]
async fn taps_made_while_the_server_is_down_are_delivered_once_in_order() {
    let mut server = TestServer::start(server_bin()).await;
    let token = event_with_station(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(&dir.path().join("outbox.db")).unwrap();
    let client = Client::new(&server.base, Some(token)).unwrap();

    assert!(server.terminate().await, "clean shutdown");
    for (a, b) in [(0, 1), (2, 3), (4, 5)] {
        outbox.enqueue("ev", tap(a, b)).await.unwrap();
    }
    outbox.enqueue("ev", tap(0, 99)).await.unwrap();
    let report = outbox.deliver(&client).await.unwrap();
    assert_eq!((report.deliveries.len(), report.waiting), (0, 4));
    assert_eq!(
        report.hold.map(|h| h.kind),
        Some(livewall_protocol::HoldKind::Unreachable)
    );
    let pending = outbox.pending().await.unwrap();
    assert_eq!(pending[0].attempts, 1);
    assert!(pending[0].last_error.is_some());

    server.restart().await;
    let report = outbox.deliver(&client).await.unwrap();
    assert_eq!(report.waiting, 0);
    let statuses: Vec<String> = report
        .deliveries
        .iter()
        .map(|d| match d {
            Delivery::Delivered { posted, .. } => posted.status.to_string(),
            Delivery::Refused { error, .. } => format!("refused: {error}"),
        })
        .collect();
    assert_eq!(statuses[..3], ["201", "201", "201"]);
    assert!(
        statuses[3].contains("404") && statuses[3].contains("p99@example.org"),
        "{statuses:?}"
    );
    assert!(outbox.is_empty().await.unwrap());
    // Delivering again sends nothing.
    assert!(outbox.deliver(&client).await.unwrap().deliveries.is_empty());
    let admin = server.admin().await;
    let (_, list) = admin.call("GET", "/api/events/ev/connections", None).await;
    let order: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["from"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["Person 0", "Person 2", "Person 4"]);
}

/// Queues three taps, delivers them with `client` and checks they all stay, held for `kind`, with nothing stored.
async fn kept(outbox: &Outbox, client: &Client, event: &str, kind: HoldKind) {
    let report = outbox.deliver(client).await.unwrap();
    assert!(report.deliveries.is_empty(), "{:?}", report.deliveries);
    assert_eq!(report.waiting, 3, "every tap is still queued");
    let hold = report.hold.expect("the round says why it stopped");
    assert_eq!(hold.kind, kind, "{}", hold.message);
    assert!(!hold.message.is_empty());
    assert_eq!(outbox.len().await.unwrap(), 3);
    let _ = event;
}

/// A station whose token the server refuses keeps every tap, whatever the reason (revoked, minted for another
/// event, garbage), and so does one whose event is missing; a valid token then delivers each tap exactly once.
#[tokio::test]
async fn refused_credentials_and_a_missing_event_keep_taps_until_a_valid_token_delivers_them_once()
{
    let server = TestServer::start(server_bin()).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    admin.add_people("ev", 6).await;
    admin.create_event("other", json!({})).await;
    let (revoked_id, revoked) = admin.device("ev", "station").await;
    let (s, b) = admin
        .call(
            "POST",
            &format!("/api/events/ev/devices/{revoked_id}/revoke"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (_, other_event) = admin.device("other", "station").await;
    let (_, kiosk) = admin.device("ev", "kiosk").await;
    let (_, valid) = admin.device("ev", "station").await;

    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(&dir.path().join("outbox.db")).unwrap();
    for (a, b) in [(0, 1), (2, 3), (4, 5)] {
        outbox.enqueue("ev", tap(a, b)).await.unwrap();
    }
    let base = Client::new(&server.base, None).unwrap();
    for (token, what) in [
        (revoked.as_str(), "revoked"),
        (other_event.as_str(), "minted for another event"),
        (kiosk.as_str(), "a kiosk's, not a station's"),
        ("garbage.not-a-token", "garbage"),
    ] {
        eprintln!("token {what}");
        kept(
            &outbox,
            &base.with_token(token),
            "ev",
            HoldKind::TokenRefused,
        )
        .await;
    }
    kept(&outbox, &base, "ev", HoldKind::TokenRefused).await;

    // The event the taps were made for is gone (deleted, or the station was set up with a typo).
    let moved = Outbox::open(&dir.path().join("moved.db")).unwrap();
    for (a, b) in [(0, 1), (2, 3), (4, 5)] {
        moved.enqueue("no-such-event", tap(a, b)).await.unwrap();
    }
    let admin_client = base.with_token(admin.token.clone().unwrap());
    kept(
        &moved,
        &admin_client,
        "no-such-event",
        HoldKind::EventNotFound,
    )
    .await;

    // A valid token: each tap is stored once, and a second round sends nothing.
    let good = base.with_token(valid);
    let report = outbox.deliver(&good).await.unwrap();
    assert_eq!((report.deliveries.len(), report.waiting), (3, 0));
    assert!(report.hold.is_none());
    assert!(
        report
            .deliveries
            .iter()
            .all(|d| matches!(d, Delivery::Delivered { posted, .. } if posted.status == 201))
    );
    assert!(outbox.deliver(&good).await.unwrap().deliveries.is_empty());
    let (_, list) = admin.call("GET", "/api/events/ev/connections", None).await;
    assert_eq!(list.as_array().unwrap().len(), 3);
}

/// Only a refusal of the tap itself drops it: an unknown badge and the same person twice are dropped with the
/// reason, and the taps after them are still delivered.
#[tokio::test]
async fn a_tap_refused_for_itself_is_dropped_with_its_reason() {
    let server = TestServer::start(server_bin()).await;
    let token = event_with_station(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(&dir.path().join("outbox.db")).unwrap();
    let client = Client::new(&server.base, Some(token)).unwrap();
    outbox.enqueue("ev", tap(0, 99)).await.unwrap();
    outbox.enqueue("ev", tap(1, 1)).await.unwrap();
    outbox
        .enqueue(
            "ev",
            CreateConnection {
                from: PartyRef::By(livewall_protocol::PartyKey::TagUid("04DEADBEEF0001".into())),
                to: PartyRef::Text("p2@example.org".into()),
            },
        )
        .await
        .unwrap();
    outbox.enqueue("ev", tap(2, 3)).await.unwrap();
    let report = outbox.deliver(&client).await.unwrap();
    assert!(report.hold.is_none());
    let answers: Vec<String> = report
        .deliveries
        .iter()
        .map(|d| match d {
            Delivery::Delivered { posted, .. } => posted.status.to_string(),
            Delivery::Refused { error, .. } => format!("refused: {error}"),
        })
        .collect();
    assert_eq!(answers.len(), 4, "{answers:?}");
    assert!(answers[0].contains("p99@example.org"), "{answers:?}");
    assert!(
        answers[1].starts_with("refused") && answers[1].contains("422"),
        "{answers:?}"
    );
    assert!(answers[2].contains("04DEADBEEF0001"), "{answers:?}");
    assert_eq!(answers[3], "201");
    assert!(outbox.is_empty().await.unwrap());
}
