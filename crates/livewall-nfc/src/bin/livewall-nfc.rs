//! `livewall-nfc`: debug a badge reader at a venue. `watch` prints readers, ATR, UID, tag type, URI and timing as
//! JSON lines on stdout (logs go to stderr); `write` puts a profile URL on a badge.

use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use livewall_nfc::{
    BackendConfig, BadgeResolver, NfcEvent, Pairing, PairingConfig, PairingEvent, PcscBackend,
    PcscConfig,
};
use serde_json::{Value, json};

#[derive(Debug, Parser)]
#[command(
    name = "livewall-nfc",
    version,
    about = "Watch NFC badge readers and write badges"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Backend {
    /// PC/SC readers through pcscd.
    Pcsc,
    /// A libnfc device by connection string (needs the `libnfc` feature).
    Libnfc,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print reader and tag events as JSON lines until interrupted.
    Watch {
        /// Reader backend.
        #[arg(long, value_enum, default_value = "pcsc")]
        backend: Backend,
        /// PC/SC: only readers whose name contains this.
        #[arg(long)]
        reader: Option<String>,
        /// libnfc: connection string, e.g. `pn532_uart:/dev/ttyUSB0` or `acr122_usb`.
        #[arg(long, env = "LIVEWALL_NFC_CONNSTRING")]
        connstring: Option<String>,
        /// Server base URL printed on badges; resolves `{server}/p/{id}` URLs to profile ids.
        #[arg(long, env = "LIVEWALL_SERVER")]
        server: Option<String>,
        /// Also run the tap-pairing machine and print its decisions.
        #[arg(long)]
        pair: bool,
        /// Partner timeout of the pairing machine, in seconds.
        #[arg(long, default_value_t = 15)]
        partner_timeout: u64,
        /// Stop after this many seconds (runs until interrupted otherwise).
        #[arg(long)]
        duration: Option<u64>,
    },
    /// Write a URL onto the badge lying on a PC/SC reader and read it back.
    Write {
        /// Exact PC/SC reader name (see `watch`).
        #[arg(long)]
        reader: String,
        /// The URL, e.g. `https://wall.example.org/p/abc123`.
        url: String,
    },
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Watch {
            backend,
            reader,
            connstring,
            server,
            pair,
            partner_timeout,
            duration,
        } => {
            let config = match backend {
                Backend::Pcsc => BackendConfig::Pcsc(PcscConfig {
                    reader_filter: reader,
                    ..PcscConfig::default()
                }),
                Backend::Libnfc => libnfc_config(connstring)?,
            };
            let pairing = pair.then(|| {
                let config = PairingConfig {
                    partner_timeout: Duration::from_secs(partner_timeout),
                    ..PairingConfig::default()
                };
                Pairing::new(livewall_nfc::pairing::SystemClock, config)
            });
            watch(
                config,
                server.map(BadgeResolver::new),
                pairing,
                duration.map(Duration::from_secs),
            )
        }
        Command::Write { reader, url } => {
            let report = PcscBackend::default()
                .write_uri(&reader, &url)
                .context("writing the badge")?;
            print_line(&json!({
                "written": url,
                "pages_written": report.pages_written,
                "formatted": report.formatted,
                "read_back": report.read_back.content.ok().and_then(|c| c.uri),
            }))
        }
    }
}

#[cfg(feature = "libnfc")]
fn libnfc_config(connstring: Option<String>) -> anyhow::Result<BackendConfig> {
    let connstring = connstring.context("--connstring is required with --backend libnfc")?;
    Ok(BackendConfig::Libnfc(
        livewall_nfc::libnfc_backend::LibnfcConfig::new(connstring),
    ))
}

#[cfg(not(feature = "libnfc"))]
fn libnfc_config(_connstring: Option<String>) -> anyhow::Result<BackendConfig> {
    anyhow::bail!("this build has no libnfc backend: rebuild with `--features libnfc`")
}

fn watch(
    config: BackendConfig,
    resolver: Option<BadgeResolver>,
    mut pairing: Option<Pairing>,
    duration: Option<Duration>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let end = duration.map(|d| started + d);
    let stream = livewall_nfc::watch(config).context("starting the reader backend")?;
    let mut on_reader = std::collections::HashMap::new();
    loop {
        let now = Instant::now();
        if end.is_some_and(|e| now >= e) {
            return Ok(());
        }
        // Wake for the pairing deadline too, so a time-out is printed when it happens.
        let wake = [end, pairing.as_ref().and_then(Pairing::deadline)]
            .into_iter()
            .flatten()
            .min();
        let wait = wake.map_or(Duration::from_secs(3600), |w| {
            w.saturating_duration_since(now)
        });
        let event = stream.recv_timeout(wait);
        let t_ms = started.elapsed().as_secs_f64() * 1000.0;
        let mut decisions: Vec<PairingEvent> =
            pairing.as_mut().map(Pairing::poll).unwrap_or_default();
        if let Some(event) = &event {
            let mut line = serde_json::to_value(event).context("encoding an event")?;
            if let NfcEvent::TagPresent(tag) = event {
                let resolver = resolver.clone().unwrap_or_else(|| BadgeResolver::new(""));
                let badge = tag.badge(&resolver);
                line["badge"] = serde_json::to_value(&badge).context("encoding a badge")?;
                if let Some(p) = pairing.as_mut() {
                    on_reader.insert(tag.uid.clone(), badge.clone());
                    decisions.extend(p.badge_placed(badge));
                }
            }
            if let (NfcEvent::TagRemoved { uid: Some(uid), .. }, Some(p)) =
                (event, pairing.as_mut())
                && let Some(badge) = on_reader.remove(uid)
            {
                decisions.extend(p.badge_removed(&badge));
            }
            print_line(&with_time(line, t_ms))?;
        } else if stream.is_finished() {
            anyhow::bail!("the reader backend stopped unexpectedly");
        }
        for d in decisions {
            print_line(&with_time(
                serde_json::to_value(&d).context("encoding a pairing event")?,
                t_ms,
            ))?;
        }
    }
}

fn with_time(mut line: Value, t_ms: f64) -> Value {
    if let Value::Object(map) = &mut line {
        map.insert("t_ms".into(), json!((t_ms * 10.0).round() / 10.0));
    }
    line
}

/// JSON lines on stdout are this tool's output; flushed per line so `| jq` and log files see events at once.
fn print_line(value: &Value) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{value}").context("writing to stdout")?;
    out.flush().context("flushing stdout")
}
