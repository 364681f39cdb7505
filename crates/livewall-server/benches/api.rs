//! REST benchmark: connection posts per second (one client sequentially, 32 concurrent clients) and wall
//! snapshot latency and size for an event of 5,000 profiles and 25,000 connections.
//!
//! Run: `cargo bench -p livewall-server --bench api` (release build; the server runs in this process on
//! 127.0.0.1 and the clients share the same 2 cores). Figures go to BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use livewall_protocol::{CreateConnection, CreateEvent, CreateProfile, PartyKey, PartyRef};
use livewall_server::domain::connections::{self, Meeting};
use livewall_server::{AppState, Config, db};
use serde_json::json;
use std::time::{Duration, Instant};

const PROFILES: usize = 5_000;
const LINKS: usize = 25_000;

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The `k`-th distinct pair of the 5,000 people (k < 5,000 × 4,999 / 2).
fn pair(k: usize) -> (usize, usize) {
    let a = k % PROFILES;
    let b = (a + 1 + k / PROFILES) % PROFILES;
    (a, b)
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_db(dir.path().join("bench.db"));
    config.admin_password = Some("bench-password".into());
    let (state, _) = AppState::open(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(livewall_server::run(
        listener,
        state.clone(),
        std::future::pending(),
    ));

    // Seed: 5,000 profiles and 25,000 connections, written straight to the store.
    let t = Instant::now();
    state
        .db
        .write(|tx| {
            db::events::insert(
                tx,
                CreateEvent {
                    id: Some("bench".into()),
                    name: "Bench".into(),
                    starts_at: None,
                    ends_at: None,
                    settings: None,
                },
                0,
            )
        })
        .await
        .unwrap();
    let people: Vec<CreateProfile> = (0..PROFILES)
        .map(|i| CreateProfile {
            id: Some(format!("p{i:05}")),
            name: format!("Attendee Number {i}"),
            email: format!("p{i}@example.org"),
            avatar: Some(format!("/avatars/p{i:05}.svg")),
            major: Some(["Physics", "Design", "Biology", "Economics"][i % 4].into()),
            company: Some(["Contoso", "Fabrikam", "Northwind"][i % 3].into()),
            tags: None,
            hidden: None,
            consent: None,
        })
        .collect();
    livewall_server::domain::profiles::create_many(&state, "bench".into(), people)
        .await
        .unwrap();
    let meetings = (0..LINKS)
        .map(|k| {
            let (a, b) = pair(k);
            let req = CreateConnection {
                from: PartyRef::By(PartyKey::ProfileId(format!("p{a:05}"))),
                to: PartyRef::By(PartyKey::ProfileId(format!("p{b:05}"))),
            };
            Meeting {
                at: k as i64,
                ..Meeting::now("bench", req)
            }
        })
        .collect();
    connections::record_all(&state, meetings).await.unwrap();
    println!(
        "seeded {PROFILES} profiles and {LINKS} connections in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let token: String = client
        .post(format!("{base}/api/login"))
        .json(&json!({"username": "admin", "password": "bench-password"}))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let post = |client: reqwest::Client, token: String, base: String, k: usize| async move {
        let (a, b) = pair(k);
        let res = client
            .post(format!("{base}/api/events/bench/connections"))
            .bearer_auth(token)
            .json(&json!({"from": {"email": format!("p{a}@example.org")}, "to": {"email": format!("p{b}@example.org")}}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        res.bytes().await.unwrap();
    };

    // 1. Snapshot of the 5,000 / 25,000 event.
    let wall = format!("{base}/api/events/bench/wall");
    let get = |enc: &'static str| {
        let (client, token, wall) = (client.clone(), token.clone(), wall.clone());
        async move {
            let s = Instant::now();
            let res = client
                .get(&wall)
                .bearer_auth(&token)
                .header("accept-encoding", enc)
                .send()
                .await
                .unwrap();
            let etag = res.headers()["etag"].to_str().unwrap().to_owned();
            let body = res.bytes().await.unwrap();
            (s.elapsed(), body.len(), etag)
        }
    };
    let mut cold = Vec::new();
    let mut size = 0;
    for _ in 0..20 {
        // Drop the cached body so each snapshot is built from the database.
        state.walls.lock().unwrap().clear();
        let (d, len, _) = get("identity").await;
        cold.push(d);
        size = len;
    }
    cold.sort();
    let mut warm = Vec::new();
    let mut etag = String::new();
    for _ in 0..50 {
        let (d, _, e) = get("identity").await;
        warm.push(d);
        etag = e;
    }
    warm.sort();
    let mut sizes = Vec::new();
    for enc in ["gzip", "br"] {
        let mut lat = Vec::new();
        let mut len = 0;
        for _ in 0..20 {
            let (d, l, _) = get(enc).await;
            lat.push(d);
            len = l;
        }
        lat.sort();
        sizes.push(format!(
            "{enc} {:.0} KB (p50 {})",
            len as f64 / 1024.0,
            ms(pct(&lat, 0.5))
        ));
    }
    let mut not_modified = Vec::new();
    for _ in 0..50 {
        let s = Instant::now();
        let res = client
            .get(&wall)
            .bearer_auth(&token)
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 304);
        not_modified.push(s.elapsed());
    }
    not_modified.sort();
    println!(
        "snapshot, {PROFILES} profiles / {} links: {:.0} KB JSON; built from the database p50 {} p95 {} max {}; \
         cached p50 {} p95 {}; 304 p50 {}; {}",
        LINKS,
        size as f64 / 1024.0,
        ms(pct(&cold, 0.5)),
        ms(pct(&cold, 0.95)),
        ms(*cold.last().unwrap()),
        ms(pct(&warm, 0.5)),
        ms(pct(&warm, 0.95)),
        ms(pct(&not_modified, 0.5)),
        sizes.join(", ")
    );

    // 2. Posts, one client, sequential.
    let n = 2_000;
    let t = Instant::now();
    let mut lat = Vec::with_capacity(n);
    for k in LINKS..LINKS + n {
        let s = Instant::now();
        post(client.clone(), token.clone(), base.clone(), k).await;
        lat.push(s.elapsed());
    }
    let el = t.elapsed();
    lat.sort();
    println!(
        "posts, 1 client sequential: {n} in {:.2} s = {:.0} posts/s (p50 {}, p99 {})",
        el.as_secs_f64(),
        n as f64 / el.as_secs_f64(),
        ms(pct(&lat, 0.5)),
        ms(pct(&lat, 0.99))
    );

    // 3. Posts, 32 concurrent clients.
    let clients = 32;
    let per = 500;
    let start = LINKS + n;
    let t = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, token, base) = (client.clone(), token.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per);
            for i in 0..per {
                let s = Instant::now();
                post(
                    client.clone(),
                    token.clone(),
                    base.clone(),
                    start + c * per + i,
                )
                .await;
                lat.push(s.elapsed());
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for task in tasks {
        lat.extend(task.await.unwrap());
    }
    let el = t.elapsed();
    lat.sort();
    let total = clients * per;
    println!(
        "posts, {clients} concurrent clients: {total} in {:.2} s = {:.0} posts/s (p50 {}, p99 {})",
        el.as_secs_f64(),
        total as f64 / el.as_secs_f64(),
        ms(pct(&lat, 0.5)),
        ms(pct(&lat, 0.99))
    );
}
