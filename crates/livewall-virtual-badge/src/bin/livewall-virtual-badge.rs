//! `livewall-virtual-badge demo-station`: a station window on a virtual reader, with virtual badges tapped on it,
//! for `./scripts/demo --app --station`. It starts a private pcscd with vpcd readers (root, like the tests), runs
//! the station command given after `--` against it, and taps the demo attendees' badges in pairs until the
//! station exits.

use std::process::{Command, ExitCode};
use std::time::Duration;

use clap::{Parser, Subcommand};
use livewall_virtual_badge::{BadgeKind, PcscStack, VirtualBadge, run_isolated};
use rand::Rng;

#[derive(Debug, Parser)]
#[command(
    name = "livewall-virtual-badge",
    about = "Virtual NFC badges on a private PC/SC stack"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Runs a station command on a virtual reader and taps demo attendees' badges on it.
    DemoStation {
        /// The server the badges' links name (as printed on them), e.g. `http://127.0.0.1:8080`.
        #[arg(long)]
        server: String,
        /// How many demo attendees there are (`demo-0000`...).
        #[arg(long, default_value_t = 200)]
        attendees: u32,
        /// Time between two pairs of taps, in milliseconds.
        #[arg(long, default_value_t = 6000)]
        every_ms: u64,
        /// The station command and its arguments.
        #[arg(last = true, required = true)]
        station: Vec<String>,
    },
}

/// The badge of demo attendee `i`: a fixed 7-byte UID and the link to their profile.
fn badge(server: &str, i: u32) -> VirtualBadge {
    let b = i.to_be_bytes();
    VirtualBadge::with_uri(
        BadgeKind::Ntag213,
        &[0x04, 0xDE, 0x30, b[1], b[2], b[3], 0x80],
        &format!("{}/p/demo-{i:04}", server.trim_end_matches('/')),
    )
}

fn run(cli: Cli) -> Result<(), String> {
    let Cmd::DemoStation {
        server,
        attendees,
        every_ms,
        station,
    } = cli.command;
    let stack = PcscStack::start().map_err(|e| e.to_string())?;
    let reader = stack.reader(0);
    let (program, args) = station.split_first().ok_or("no station command given")?;
    // The station inherits this process's PCSCLITE_CSOCK_NAME, so it talks to the private pcscd.
    let mut child = Command::new(program)
        .args(args)
        .arg("--reader")
        .arg(reader.name())
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    eprintln!(
        "virtual reader {:?}: tapping two badges every {every_ms} ms",
        reader.name()
    );
    let mut rng = rand::rng();
    let n = attendees.max(2);
    // Let the station window come up before the first tap.
    std::thread::sleep(Duration::from_secs(5));
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            eprintln!("the station exited ({status})");
            return Ok(());
        }
        let a = rng.random_range(0..n);
        let b = (a + rng.random_range(1..n)) % n;
        for i in [a, b] {
            reader
                .tap(&badge(&server, i), Duration::from_millis(900))
                .map_err(|e| e.to_string())?;
            // pcscd polls vpcd every 400 ms: the removal must be seen before the next badge.
            std::thread::sleep(Duration::from_millis(700));
        }
        std::thread::sleep(Duration::from_millis(every_ms));
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    run_isolated(move || match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("livewall-virtual-badge: {e}");
            ExitCode::FAILURE
        }
    })
}
