//! The station outbox against the real server: exactly-once delivery across a killed process and an outage.

#![allow(clippy::unwrap_used)]

use livewall_client::Client;
use livewall_client::outbox::{Delivery, Outbox};
use livewall_protocol::{CreateConnection, PartyRef};
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
    assert!(report.stopped_by.is_some());
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
