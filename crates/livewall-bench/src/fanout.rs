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
    /// A second server binary to measure the same way (with --spawn-server): both runs are printed side by side.
    #[arg(long)]
    compare: Option<String>,
    /// Extra flags for the --compare server (repeatable); with --compare alone, the same binary under other flags.
    #[arg(long = "compare-arg", allow_hyphen_values = true)]
    compare_args: Vec<String>,
    /// With --compare: how many runs of each, alternating (A B A B ...), so a noisy moment hits both.
    #[arg(long, default_value_t = 1)]
    runs: usize,
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

/// One server to measure: a binary spawned with flags, or the one at --url.
struct Subject {
    label: String,
    bin: Option<String>,
    args: Vec<String>,
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
    let first = Subject {
        label: "A".into(),
        bin: a.spawn_server.clone(),
        args: a.server_args.clone(),
    };
    if a.compare.is_none() && a.compare_args.is_empty() {
        let r = measure(&a, &first).await?;
        return r.print(&a, &mut std::io::stdout().lock());
    }
    let Some(bin_a) = a.spawn_server.clone() else {
        bail!("--compare needs --spawn-server: both servers are started here");
    };
    let second = Subject {
        label: "B".into(),
        bin: Some(a.compare.clone().unwrap_or(bin_a)),
        args: if a.compare_args.is_empty() {
            a.server_args.clone()
        } else {
            a.compare_args.clone()
        },
    };
    let mut reports: Vec<(String, Report)> = Vec::new();
    for i in 0..a.runs.max(1) {
        for subject in [&first, &second] {
            eprintln!("run {} of {}: {}", i + 1, subject.label, describe(subject));
            let r = measure(&a, subject).await?;
            reports.push((format!("{}{}", subject.label, i + 1), r));
        }
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "A: {}", describe(&first))?;
    writeln!(out, "B: {}", describe(&second))?;
    print_table(&a, &reports, &mut out)
}

fn describe(s: &Subject) -> String {
    let bin = s.bin.as_deref().unwrap_or("the server at --url");
    if s.args.is_empty() {
        bin.to_owned()
    } else {
        format!("{bin} {}", s.args.join(" "))
    }
}

/// The load average over the last minute, to say how quiet the machine was.
fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

/// What one run measured.
struct Report {
    base: String,
    asked: usize,
    held: usize,
    failed: usize,
    open_secs: f64,
    first_failure: Option<String>,
    rss_before: Option<u64>,
    rss_after: Option<u64>,
    rss_end: Option<u64>,
    posted: u64,
    post_errors: u64,
    post_secs: f64,
    deliver_secs: f64,
    stations: usize,
    last_seq: u64,
    expected: u64,
    received: u64,
    out_of_order: u64,
    /// Post to receipt of each delivery, microseconds, sorted.
    latencies_us: Vec<u32>,
    /// Each post's round trip as its station saw it, microseconds, sorted.
    rtts_us: Vec<u32>,
    /// Server CPU (user + system) over the posting and delivery, seconds.
    server_cpu_secs: Option<f64>,
    load_before: f64,
    closed: Vec<String>,
    stalled: usize,
    stalled_dropped: usize,
}

/// The `p` quantile (0..=1) of sorted microseconds, in milliseconds.
fn pct(sorted_us: &[u32], p: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let i = ((sorted_us.len() as f64 * p).ceil() as usize).clamp(1, sorted_us.len()) - 1;
    f64::from(sorted_us[i]) / 1000.0
}

async fn measure(a: &Args, subject: &Subject) -> anyhow::Result<Report> {
    let load_before = load_average();
    let target = match &subject.bin {
        Some(bin) => server::spawn(bin, &subject.args, &a.admin_password).await?,
        None => server::existing(&a.url, a.server_pid, &a.admin_password).await?,
    };
    let (kiosk, stations, pairs, start_seq) = prepare(&target, a).await?;
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
    let cpu_before = target.pid.map(server::cpu_secs).transpose()?;
    let mut rtts_us = Vec::new();
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
                let mut rtts = Vec::new();
                let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / per_station));
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
                while Instant::now() < end {
                    tick.tick().await;
                    let Some((from, to)) = pairs.get(next_pair.fetch_add(1, Ordering::Relaxed))
                    else {
                        break;
                    };
                    let body = json!({"from": {"email": from}, "to": {"email": to}});
                    let sent = Instant::now();
                    let answer = server::call(&http, "POST", &url, Some(&token), Some(body)).await;
                    rtts.push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX));
                    match answer {
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
                rtts
            });
        }
        while let Some(r) = posters.join_next().await {
            rtts_us.extend(r?);
        }
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
    let cpu_after = target.pid.map(server::cpu_secs).transpose()?;
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
    rtts_us.sort_unstable();
    Ok(Report {
        base: target.base.clone(),
        asked: a.subscribers,
        held,
        failed: failures.len(),
        open_secs,
        first_failure: failures.first().cloned(),
        rss_before,
        rss_after,
        rss_end,
        posted,
        post_errors: post_errors.load(Ordering::Relaxed),
        post_secs,
        deliver_secs,
        stations: stations.len(),
        last_seq: last_seq.load(Ordering::Relaxed),
        expected,
        received,
        out_of_order,
        latencies_us: latencies,
        rtts_us,
        server_cpu_secs: cpu_before.zip(cpu_after).map(|(b, e)| e - b),
        load_before,
        closed,
        stalled: a.stalled,
        stalled_dropped,
    })
}

impl Report {
    fn rss_per_socket_kib(&self) -> Option<f64> {
        let (b, after) = self.rss_before.zip(self.rss_after)?;
        Some(after.saturating_sub(b) as f64 / self.held.max(1) as f64)
    }

    fn loss(&self) -> u64 {
        self.expected.saturating_sub(self.received) + self.out_of_order
    }

    /// Server CPU seconds per million deliveries.
    fn cpu_per_million(&self) -> Option<f64> {
        let cpu = self.server_cpu_secs?;
        (self.received > 0).then(|| cpu * 1e6 / self.received as f64)
    }

    fn print(&self, a: &Args, out: &mut impl Write) -> anyhow::Result<()> {
        writeln!(out, "livewall-bench fanout against {}", self.base)?;
        writeln!(
            out,
            "subscribers: {} held of {} asked ({} failed), opened in {:.1} s",
            self.held, self.asked, self.failed, self.open_secs
        )?;
        if let Some(e) = &self.first_failure {
            writeln!(out, "  first failure: {e}")?;
        }
        if let (Some(b), Some(after), Some(per)) =
            (self.rss_before, self.rss_after, self.rss_per_socket_kib())
        {
            writeln!(
                out,
                "server RSS: {b} KiB before, {after} KiB with the subscribers: {per:.1} KiB per socket"
            )?;
        }
        if let Some(end) = self.rss_end {
            writeln!(out, "server RSS at the end: {end} KiB")?;
        }
        if a.rate > 0.0 {
            writeln!(
                out,
                "posts: {} accepted ({:.1}/s over {:.1} s, asked {}/s), {} failed, {} stations, last seq {}",
                self.posted,
                self.posted as f64 / self.post_secs,
                self.post_secs,
                a.rate,
                self.post_errors,
                self.stations,
                self.last_seq
            )?;
            writeln!(
                out,
                "deliveries: {} of {} expected; {:.0}/s sustained",
                self.received,
                self.expected,
                self.received as f64 / self.deliver_secs
            )?;
            writeln!(
                out,
                "loss: {} (missing {}, out of order {})",
                self.loss(),
                self.expected.saturating_sub(self.received),
                self.out_of_order
            )?;
            let l = &self.latencies_us;
            writeln!(
                out,
                "latency post->receive (server createdAt to client receipt): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                pct(l, 0.50),
                pct(l, 0.99),
                pct(l, 1.0)
            )?;
            let r = &self.rtts_us;
            writeln!(
                out,
                "post round trip (station's request to its answer): p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms",
                pct(r, 0.50),
                pct(r, 0.99),
                pct(r, 1.0)
            )?;
            if let (Some(cpu), Some(per)) = (self.server_cpu_secs, self.cpu_per_million()) {
                writeln!(
                    out,
                    "server CPU: {cpu:.2} s over the run, {per:.2} s per million deliveries"
                )?;
            }
        }
        writeln!(out, "load average before the run: {:.2}", self.load_before)?;
        writeln!(out, "sockets closed by the server: {}", self.closed.len())?;
        if self.stalled > 0 {
            writeln!(
                out,
                "stalled subscribers: {} of {} dropped by the server",
                self.stalled_dropped, self.stalled
            )?;
        }
        if let Some(c) = self.closed.first() {
            writeln!(out, "  first close: {c}")?;
        }
        Ok(())
    }
}

/// How one row of the comparison reads a report.
type Cell = Box<dyn Fn(&Report) -> String>;

/// Several runs side by side: one column per run.
fn print_table(a: &Args, runs: &[(String, Report)], out: &mut impl Write) -> anyhow::Result<()> {
    let opt = |v: Option<f64>, digits: usize| {
        v.map_or_else(|| "-".to_owned(), |v| format!("{v:.digits$}"))
    };
    let rows: Vec<(&str, Cell)> = vec![
        (
            "load average before",
            Box::new(|r| format!("{:.2}", r.load_before)),
        ),
        ("subscribers held", Box::new(|r| r.held.to_string())),
        (
            "RSS per socket (KiB)",
            Box::new(move |r| opt(r.rss_per_socket_kib(), 1)),
        ),
        (
            "posts/s",
            Box::new(|r| format!("{:.1}", r.posted as f64 / r.post_secs)),
        ),
        (
            "deliveries/s",
            Box::new(|r| format!("{:.0}", r.received as f64 / r.deliver_secs)),
        ),
        ("loss", Box::new(|r| r.loss().to_string())),
        (
            "latency p50 (ms)",
            Box::new(|r| format!("{:.2}", pct(&r.latencies_us, 0.5))),
        ),
        (
            "latency p99 (ms)",
            Box::new(|r| format!("{:.2}", pct(&r.latencies_us, 0.99))),
        ),
        (
            "latency max (ms)",
            Box::new(|r| format!("{:.1}", pct(&r.latencies_us, 1.0))),
        ),
        (
            "post RTT p50 (ms)",
            Box::new(|r| format!("{:.2}", pct(&r.rtts_us, 0.5))),
        ),
        (
            "post RTT p99 (ms)",
            Box::new(|r| format!("{:.2}", pct(&r.rtts_us, 0.99))),
        ),
        (
            "server CPU s / M deliveries",
            Box::new(move |r| opt(r.cpu_per_million(), 2)),
        ),
        (
            "closed by the server",
            Box::new(|r| r.closed.len().to_string()),
        ),
    ];
    writeln!(
        out,
        "{} subscribers, {} posts/s asked from {} stations, {} s per run",
        a.subscribers, a.rate, a.stations, a.duration
    )?;
    write!(out, "| {:<28} |", "")?;
    for (label, _) in runs {
        write!(out, " {label:>9} |")?;
    }
    writeln!(out)?;
    write!(out, "|{}|", "-".repeat(30))?;
    for _ in runs {
        write!(out, "{}|", "-".repeat(11))?;
    }
    writeln!(out)?;
    for (name, cell) in rows {
        write!(out, "| {name:<28} |")?;
        for (_, r) in runs {
            write!(out, " {:>9} |", cell(r))?;
        }
        writeln!(out)?;
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
