//! Following the live log against the real server: the offline cache and resume across a server restart.

#![allow(clippy::unwrap_used)]

use livewall_client::Client;
use livewall_client::cache::WallCache;
use livewall_client::live::{LiveUpdate, follow};
use livewall_protocol::ServerMessage;
use livewall_testkit::{Api, TestServer, server_bin};
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;
use tokio::sync::mpsc::Receiver;

async fn next(rx: &mut Receiver<LiveUpdate>) -> LiveUpdate {
    tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("a live update within 20 s")
        .expect("the follower is running")
}

/// The next update that is not an online/offline notice or a control frame.
async fn next_data(rx: &mut Receiver<LiveUpdate>) -> LiveUpdate {
    loop {
        match next(rx).await {
            LiveUpdate::Online(_) | LiveUpdate::Control(_) => continue,
            other => return other,
        }
    }
}

fn links(v: &serde_json::Value) -> BTreeSet<(String, String)> {
    v["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["source"].as_str().unwrap().to_owned(),
                l["target"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn setup(server: &TestServer, people: usize) -> (Api, Client) {
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    admin.add_people("ev", people).await;
    let (_, kiosk) = admin.device("ev", "kiosk").await;
    (admin, Client::new(&server.base, Some(kiosk)).unwrap())
}

#[tokio::test]
async fn the_cache_rebuilds_the_wall_with_the_server_down() {
    let mut server = TestServer::start(server_bin()).await;
    let (admin, kiosk) = setup(&server, 8).await;
    admin
        .connect("ev", "p0@example.org", "p1@example.org")
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cache = WallCache::open(&dir.path().join("cache.db")).unwrap();

    let mut live = follow(kiosk.clone(), "ev".into(), None);
    let LiveUpdate::Snapshot(snap) = next_data(&mut live.updates).await else {
        panic!("a snapshot first")
    };
    assert_eq!(snap.links.len(), 1);
    cache.save_snapshot(&snap).await.unwrap();
    for i in 2..7 {
        admin
            .connect(
                "ev",
                &format!("p{i}@example.org"),
                &format!("p{}@example.org", i - 1),
            )
            .await;
    }
    for _ in 2..7 {
        let LiveUpdate::Entry(e) = next_data(&mut live.updates).await else {
            panic!("an entry")
        };
        assert!(matches!(e, ServerMessage::Connection { .. }));
        cache.append("ev", &e).await.unwrap();
    }
    live.stop();
    let expected = admin.wall("ev").await;
    server.kill();

    // A new process opening the cache file draws the same wall, with no server.
    drop(cache);
    let cache = WallCache::open(&dir.path().join("cache.db")).unwrap();
    let wall = serde_json::to_value(cache.load("ev").await.unwrap().unwrap()).unwrap();
    assert_eq!(links(&wall), links(&expected));
    assert_eq!(wall["seq"], expected["seq"]);
    assert_eq!(
        wall["nodes"].as_array().unwrap().len(),
        expected["nodes"].as_array().unwrap().len()
    );
    assert!(kiosk.wall("ev").await.is_err(), "the server really is down");
}

#[tokio::test]
async fn the_follower_resumes_after_a_server_restart_without_gap_or_duplicate() {
    let mut server = TestServer::start(server_bin()).await;
    let (admin, kiosk) = setup(&server, 20).await;
    let mut live = follow(kiosk, "ev".into(), None);
    let LiveUpdate::Snapshot(snap) = next_data(&mut live.updates).await else {
        panic!("a snapshot first")
    };
    let mut seen = vec![];
    for i in 1..4 {
        admin
            .connect("ev", "p0@example.org", &format!("p{i}@example.org"))
            .await;
        let LiveUpdate::Entry(e) = next_data(&mut live.updates).await else {
            panic!("an entry")
        };
        seen.push(e.seq().unwrap());
    }
    server.restart().await;
    let admin = server.admin().await;
    for i in 4..10 {
        let (s, _) = admin
            .connect("ev", "p0@example.org", &format!("p{i}@example.org"))
            .await;
        assert_eq!(s, 201);
    }
    loop {
        match next_data(&mut live.updates).await {
            LiveUpdate::Entry(e) => {
                seen.push(e.seq().unwrap());
                if seen.len() == 9 {
                    break;
                }
            }
            LiveUpdate::Snapshot(_) => {
                panic!("the position was resumable: no snapshot reload expected")
            }
            _ => {}
        }
    }
    let expected: Vec<u64> = (snap.seq + 1..=snap.seq + 9).collect();
    assert_eq!(seen, expected, "every entry once, in order");
    live.stop();
}

/// Regression: 4001 means "do not reconnect". The follower says why on screen and stops, instead of knocking
/// with a revoked token for ever.
#[tokio::test]
async fn a_revoked_token_closes_the_follower_for_good_with_the_reason() {
    let server = TestServer::start(server_bin()).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    admin.add_people("ev", 2).await;
    let (kiosk_id, kiosk) = admin.device("ev", "kiosk").await;
    let client = Client::new(&server.base, Some(kiosk)).unwrap();
    let mut f = follow(client, "ev".into(), None);
    assert!(matches!(
        next_data(&mut f.updates).await,
        LiveUpdate::Snapshot(_)
    ));
    let (s, b) = admin.revoke_device("ev", &kiosk_id).await;
    assert_eq!(s, 200, "{b}");
    let problem = loop {
        match next(&mut f.updates).await {
            LiveUpdate::Problem(p) => break p,
            LiveUpdate::Online(false) | LiveUpdate::Control(_) => continue,
            other => panic!("unexpected update after the revocation: {other:?}"),
        }
    };
    assert!(problem.what.contains("revoked"), "{problem:?}");
    assert!(problem.fix.contains("Mint a new device"), "{problem:?}");
    // The follower ended: its channel closes instead of a reconnection attempt with the dead token.
    let end = tokio::time::timeout(Duration::from_secs(10), f.updates.recv())
        .await
        .expect("the follower stops rather than retrying");
    assert!(end.is_none(), "nothing after the final close: {end:?}");
}

/// The server asks walls to reload when it renames everyone (initials only switched): the follower hands over the
/// new snapshot, whose people carry the names the server chose.
#[tokio::test]
async fn an_initials_switch_hands_over_a_snapshot_with_the_new_names() {
    let server = TestServer::start(server_bin()).await;
    let (admin, kiosk) = setup(&server, 4).await;
    admin
        .connect("ev", "p0@example.org", "p1@example.org")
        .await;
    let mut f = follow(kiosk, "ev".into(), None);
    assert!(matches!(
        next_data(&mut f.updates).await,
        LiveUpdate::Snapshot(_)
    ));
    let (s, b) = admin
        .set_settings("ev", json!({"initialsOnly": true}))
        .await;
    assert_eq!(s, 200, "{b}");
    assert!(matches!(
        next_data(&mut f.updates).await,
        LiveUpdate::Entry(ServerMessage::Event { reload: true, .. })
    ));
    let LiveUpdate::Snapshot(snap) = next_data(&mut f.updates).await else {
        panic!("no snapshot after the reload request");
    };
    assert!(snap.settings.initials_only);
    let names: BTreeSet<&str> = snap.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, BTreeSet::from(["P0", "P1", "P2", "P3"]));
    f.stop();
}
