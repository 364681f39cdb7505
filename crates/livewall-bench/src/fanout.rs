//! The fan-out scenario: N subscribers on one event, K stations posting M connections per second.

use crate::server::{self, Target};
use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::json;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::TcpSocket;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_util::sync::CancellationToken;

/// Flags of `fanout`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Server base URL (ignored with --spawn-server).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Start this server binary on a temporary database instead of using --url.
    #[arg(long)]
    spawn_server: Option<String>,
    /// Extra flags for the spawned server (repeatable), e.g. --server-arg=--ws-buffer-bytes=4096.
    #[arg(long = "server-arg", allow_hyphen_values = true)]
    server_args: Vec<String>,
    /// Process id of the server at --url, for its memory figures (known when spawned).
    #[arg(long)]
    server_pid: Option<u32>,
    /// Password of the server's `admin` account.
    #[arg(
        long,
        env = "LIVEWALL_ADMIN_PASSWORD",
        default_value = "bench-admin-password"
    )]
    admin_password: String,
    /// The event to create and load (must not exist yet).
    #[arg(long, default_value = "bench")]
    event: String,
    /// Subscribers to open.
    #[arg(long, short = 'n', default_value_t = 1000)]
    subscribers: usize,
    /// Connections posted per second in total (0: only hold the subscribers).
    #[arg(long, short = 'm', default_value_t = 100.0)]
    rate: f64,
    /// Stations posting (each with its own token and HTTP client).
    #[arg(long, short = 'k', default_value_t = 4)]
    stations: usize,
    /// How long to post (or hold idle subscribers), in seconds.
    #[arg(long, default_value_t = 30)]
    duration: u64,
    /// Loopback source addresses to spread sockets over (127.0.0.1 .. 127.0.0.N), when ephemeral ports run
    /// short; 0 lets the kernel choose.
    #[arg(long, default_value_t = 0)]
    source_ips: u8,
    /// Sockets being opened at the same time.
    #[arg(long, default_value_t = 200)]
    connect_concurrency: usize,
    /// Extra subscribers that stop reading right after subscribing, with a tiny receive buffer (stalled displays):
    /// the server must drop them without slowing the others.
    #[arg(long, default_value_t = 0)]
    stalled: usize,
}

/// The part of a frame the bench reads.
#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type", borrow)]
    kind: &'a str,
    seq: Option<u64>,
    #[serde(rename = "createdAt")]
    created_at: Option<u64>,
}

/// What one subscriber saw.
#[derive(Default)]
struct Seen {
    received: u64,
    out_of_order: u64,
    latencies_us: Vec<u32>,
    closed: Option<String>,
}

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

pub(crate) async fn run(a: Args) -> anyhow::Result<()> {
    let limit = rlimit::increase_nofile_limit(a.subscribers as u64 * 2 + 1024)
        .context("cannot raise the open-file limit")?;
    if limit < a.subscribers as u64 + 256 {
        bail!(
            "the open-file limit is {limit}, too low for {} sockets",
            a.subscribers
        );
    }
    let target = match &a.spawn_server {
        Some(bin) => server::spawn(bin, &a.server_args, &a.admin_password).await?,
        None => server::existing(&a.url, a.server_pid, &a.admin_password).await?,
    };
    let (kiosk, stations, pairs, start_seq) = prepare(&target, &a).await?;
    let addr = resolve(&target.base).await?;
    let rss_before = target.pid.map(server::rss_kib).transpose()?;

    // Open and subscribe every socket; each then runs its own reader task.
    let stop = CancellationToken::new();
    let delivered = Arc::new(AtomicU64::new(0));
    let opened_at = Instant::now();
    let mut readers = JoinSet::new();
    let gate = Arc::new(tokio::sync::Semaphore::new(a.connect_concurrency.max(1)));
    let mut opening = JoinSet::new();
    for i in 0..a.subscribers {
        let source = (a.source_ips > 0).then(|| {
            IpAddr::V4(Ipv4Addr::new(
                127,
                0,
                0,
                1 + (i % usize::from(a.source_ips)) as u8,
            ))
        });
        let (gate, base, kiosk, event) = (
            gate.clone(),
            target.base.clone(),
            kiosk.clone(),
            a.event.clone(),
        );
        opening.spawn(async move {
            let _permit = gate.acquire_owned().await?;
            open(addr, source, &base, &kiosk, &event, None).await
        });
    }
    // Stalled subscribers: held open, never read.
    let mut stalled = Vec::with_capacity(a.stalled);
    for _ in 0..a.stalled {
        stalled.push(open(addr, None, &target.base, &kiosk, &a.event, Some(2048)).await?);
    }
    let mut failures = Vec::new();
    while let Some(r) = opening.join_next().await {
        match r? {
            Ok(ws) => {
                let (stop, delivered) = (stop.clone(), delivered.clone());
                readers.spawn(read(ws, start_seq, stop, delivered));
            }
            Err(e) => failures.push(e.to_string()),
        }
    }
    let held = readers.len();
    let open_secs = opened_at.elapsed().as_secs_f64();
    if let Some(e) = failures.first() {
        eprintln!(
            "{} sockets failed to open; first error: {e}",
            failures.len()
        );
    }
    // Let the server settle (presence broadcasts, allocator) before measuring memory.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = target.pid.map(server::rss_kib).transpose()?;

    // Post.
    let posted = Arc::new(AtomicU64::new(0));
    let last_seq = Arc::new(AtomicU64::new(start_seq));
    let post_errors = Arc::new(AtomicU64::new(0));
    let next_pair = Arc::new(AtomicUsize::new(0));
    let pairs = Arc::new(pairs);
    let post_started = Instant::now();
    let mut posters = JoinSet::new();
    if a.rate > 0.0 {
        let per_station = a.rate / stations.len() as f64;
        for token in &stations {
            let (http, url, token) = (
                reqwest::Client::new(),
                format!("{}/api/events/{}/connections", target.base, a.event),
                token.clone(),
            );
            let (posted, last_seq, errors, next_pair, pairs) = (
                posted.clone(),
                last_seq.clone(),
                post_errors.clone(),
                next_pair.clone(),
                pairs.clone(),
            );
            let end = post_started + Duration::from_secs(a.duration);
            posters.spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / per_station));
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
                while Instant::now() < end {
                    tick.tick().await;
                    let Some((from, to)) = pairs.get(next_pair.fetch_add(1, Ordering::Relaxed))
                    else {
                        break;
                    };
                    let body = json!({"from": {"email": from}, "to": {"email": to}});
                    match server::call(&http, "POST", &url, Some(&token), Some(body)).await {
                        Ok((201, b)) => {
                            posted.fetch_add(1, Ordering::Relaxed);
                            if let Some(s) = b["seq"].as_u64() {
                                last_seq.fetch_max(s, Ordering::Relaxed);
                            }
                        }
                        _ => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            });
        }
        while posters.join_next().await.is_some() {}
    } else {
        tokio::time::sleep(Duration::from_secs(a.duration)).await;
    }
    let post_secs = post_started.elapsed().as_secs_f64();
    let posted = posted.load(Ordering::Relaxed);
    let expected = posted * held as u64;
    // Wait for the last deliveries (at most 30 s), then stop the readers.
    let deadline = Instant::now() + Duration::from_secs(30);
    while delivered.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let deliver_secs = post_started.elapsed().as_secs_f64();
    let rss_end = target.pid.map(server::rss_kib).transpose()?;
    stop.cancel();
    // A stalled socket the server dropped reads as ended once its buffered bytes are drained.
    let mut stalled_dropped = 0;
    for mut ws in stalled {
        let gone = tokio::time::timeout(Duration::from_secs(2), async {
            loop {
                match ws.next().await {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return true,
                    Some(Ok(_)) => {}
                }
            }
        })
        .await
        .unwrap_or(false);
        stalled_dropped += usize::from(gone);
    }

    let mut latencies = Vec::new();
    let (mut received, mut out_of_order, mut closed) = (0u64, 0u64, Vec::new());
    while let Some(r) = readers.join_next().await {
        let seen = r?;
        received += seen.received;
        out_of_order += seen.out_of_order;
        latencies.extend(seen.latencies_us);
        if let Some(c) = seen.closed {
            closed.push(c);
        }
    }
    latencies.sort_unstable();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        f64::from(latencies[i]) / 1000.0
    };

    let mut out = std::io::stdout().lock();
    writeln!(out, "livewall-bench fanout against {}", target.base)?;
    writeln!(
        out,
        "subscribers: {held} held of {} asked ({} failed), opened in {open_secs:.1} s",
        a.subscribers,
        failures.len()
    )?;
    if let (Some(b), Some(after)) = (rss_before, rss_after) {
        let per = (after.saturating_sub(b) as f64 * 1024.0) / held.max(1) as f64;
        writeln!(
            out,
            "server RSS: {b} KiB before, {after} KiB with the subscribers: {:.1} KiB per socket",
            per / 1024.0
        )?;
    }
    if let Some(end) = rss_end {
        writeln!(out, "server RSS at the end: {end} KiB")?;
    }
    if a.rate > 0.0 {
        writeln!(
            out,
            "posts: {posted} accepted ({:.1}/s over {post_secs:.1} s, asked {}/s), {} failed, {} stations, last seq {}",
            posted as f64 / post_secs,
            a.rate,
            post_errors.load(Ordering::Relaxed),
            stations.len(),
            last_seq.load(Ordering::Relaxed)
        )?;
        writeln!(
            out,
            "deliveries: {received} of {expected} expected; {:.0}/s sustained",
            received as f64 / deliver_secs
        )?;
        writeln!(
            out,
            "loss: {} (missing {}, out of order {out_of_order})",
            expected.saturating_sub(received) + out_of_order,
            expected.saturating_sub(received)
        )?;
        writeln!(
            out,
            "latency post->receive (server createdAt to client receipt): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            pct(0.50),
            pct(0.99),
            pct(1.0)
        )?;
    }
    writeln!(out, "sockets closed by the server: {}", closed.len())?;
    if a.stalled > 0 {
        writeln!(
            out,
            "stalled subscribers: {} of {} dropped by the server",
            stalled_dropped, a.stalled
        )?;
    }
    if let Some(c) = closed.first() {
        writeln!(out, "  first close: {c}")?;
    }
    Ok(())
}

/// Creates the event, its people, the station tokens and a kiosk token; returns the kiosk token, the station
/// tokens, enough distinct e-mail pairs for the run, and the log position before the run.
async fn prepare(
    t: &Target,
    a: &Args,
) -> anyhow::Result<(String, Vec<String>, Vec<(String, String)>, u64)> {
    let admin = Some(t.admin_token.as_str());
    let base = &t.base;
    let ev = &a.event;
    let (s, b) = server::call(
        &t.http,
        "POST",
        &format!("{base}/api/events"),
        admin,
        Some(json!({"id": ev, "name": "Bench"})),
    )
    .await?;
    if s != 201 {
        bail!("cannot create event {ev:?} ({s}): {b}");
    }
    let wanted = (a.rate * a.duration as f64 * 1.2) as usize + 16;
    let people = ((2.0 * wanted as f64).sqrt().ceil() as usize + 2).max(2);
    let profiles: Vec<_> = (0..people)
        .map(|i| json!({"name": format!("Bench Person {i}"), "email": format!("b{i}@bench.example")}))
        .collect();
    let (s, b) = server::call(
        &t.http,
        "POST",
        &format!("{base}/api/events/{ev}/profiles/bulk"),
        admin,
        Some(json!({"profiles": profiles})),
    )
    .await?;
    if s != 201 {
        bail!("cannot create people ({s}): {b}");
    }
    let mut tokens = Vec::new();
    for (i, role) in std::iter::once("kiosk")
        .chain(std::iter::repeat_n("station", a.stations.max(1)))
        .enumerate()
    {
        let (s, b) = server::call(
            &t.http,
            "POST",
            &format!("{base}/api/events/{ev}/devices"),
            admin,
            Some(json!({"name": format!("bench {role} {i}"), "role": role})),
        )
        .await?;
        if s != 201 {
            bail!("cannot mint a {role} token ({s}): {b}");
        }
        tokens.push(b["token"].as_str().context("no token")?.to_owned());
    }
    let kiosk = tokens.remove(0);
    let mut pairs = Vec::with_capacity(wanted);
    'outer: for i in 1..people {
        for j in 0..i {
            if pairs.len() == wanted {
                break 'outer;
            }
            pairs.push((format!("b{j}@bench.example"), format!("b{i}@bench.example")));
        }
    }
    let (s, w) = server::call(
        &t.http,
        "GET",
        &format!("{base}/api/events/{ev}/wall"),
        admin,
        None,
    )
    .await?;
    if s != 200 {
        bail!("cannot read the wall ({s}): {w}");
    }
    let start = w["seq"].as_u64().context("the snapshot has no seq")?;
    Ok((kiosk, tokens, pairs, start))
}

async fn resolve(base: &str) -> anyhow::Result<SocketAddr> {
    let host = base
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default();
    tokio::net::lookup_host(host)
        .await?
        .next()
        .with_context(|| format!("cannot resolve {host}"))
}

type Ws = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// Opens one socket (from `source` when given, with a receive buffer of `recv_buffer` bytes when given) and
/// subscribes it.
async fn open(
    addr: SocketAddr,
    source: Option<IpAddr>,
    base: &str,
    token: &str,
    event: &str,
    recv_buffer: Option<u32>,
) -> anyhow::Result<Ws> {
    let socket = TcpSocket::new_v4()?;
    if let Some(ip) = source {
        socket.bind(SocketAddr::new(ip, 0))?;
    }
    if let Some(n) = recv_buffer {
        socket.set_recv_buffer_size(n)?;
    }
    let tcp = socket.connect(addr).await?;
    tcp.set_nodelay(true)?;
    let mut req = format!("{}/ws", base.replacen("http://", "ws://", 1)).into_client_request()?;
    req.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {token}"))?,
    );
    // Small buffers: the bench itself holds thousands of sockets on the same machine.
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let (mut ws, _) = tokio_tungstenite::client_async_with_config(req, tcp, Some(config)).await?;
    ws.send(Message::text(
        json!({"action": "subscribe", "eventId": event}).to_string(),
    ))
    .await?;
    loop {
        match tokio::time::timeout(Duration::from_secs(30), ws.next()).await {
            Err(_) => bail!("no answer to subscribe in 30 s"),
            Ok(None) => bail!("closed before subscribed"),
            Ok(Some(m)) => {
                if let Message::Text(t) = m?
                    && parse(&t).is_some_and(|f| f.kind == "subscribed")
                {
                    return Ok(ws);
                }
            }
        }
    }
}

fn parse(t: &Utf8Bytes) -> Option<Frame<'_>> {
    serde_json::from_str(t.as_str()).ok()
}

/// Counts the entries one subscriber receives, checks their order and records their latency.
async fn read(
    mut ws: Ws,
    start_seq: u64,
    stop: CancellationToken,
    delivered: Arc<AtomicU64>,
) -> Seen {
    let mut seen = Seen::default();
    let mut last = start_seq;
    loop {
        let msg = tokio::select! {
            m = ws.next() => m,
            _ = stop.cancelled() => break,
        };
        match msg {
            Some(Ok(Message::Text(t))) => {
                let Some(f) = parse(&t) else { continue };
                let (Some(seq), "connection") = (f.seq, f.kind) else {
                    continue;
                };
                if seq != last + 1 {
                    seen.out_of_order += 1;
                }
                last = seq;
                seen.received += 1;
                if let Some(created) = f.created_at {
                    let lat = now_us().saturating_sub(created * 1000);
                    seen.latencies_us
                        .push(u32::try_from(lat).unwrap_or(u32::MAX));
                }
                delivered.fetch_add(1, Ordering::Relaxed);
            }
            Some(Ok(Message::Close(f))) => {
                seen.closed = Some(format!("{f:?}"));
                break;
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => {
                seen.closed = Some(e.to_string());
                break;
            }
            None => {
                seen.closed = Some("connection ended".into());
                break;
            }
        }
    }
    let _ = ws.close(None).await;
    seen
}
