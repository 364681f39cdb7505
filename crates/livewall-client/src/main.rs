//! `livewall-client`: look into a station's outbox and a kiosk's cache, and send what waits.

#![allow(clippy::print_stdout)] // a command-line tool: its output is the point

use anyhow::Context;
use clap::{Parser, Subcommand};
use livewall_client::{Client, cache::WallCache, outbox::Outbox};
use livewall_protocol::{CreateConnection, PartyRef};
use std::path::PathBuf;

/// Tools for a station's tap outbox and a kiosk's wall cache.
#[derive(Parser)]
#[command(name = "livewall-client", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Queue a tap (two people who met) in an outbox.
    Enqueue {
        #[arg(long, env = "LIVEWALL_OUTBOX")]
        outbox: PathBuf,
        #[arg(long)]
        event: String,
        /// E-mail, profile id or badge UID.
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
    /// List the taps waiting in an outbox.
    Pending {
        #[arg(long, env = "LIVEWALL_OUTBOX")]
        outbox: PathBuf,
    },
    /// Send the waiting taps to a server.
    Flush {
        #[arg(long, env = "LIVEWALL_OUTBOX")]
        outbox: PathBuf,
        #[arg(long, env = "LIVEWALL_SERVER")]
        server: String,
        #[arg(long, env = "LIVEWALL_TOKEN", hide_env_values = true)]
        token: String,
    },
    /// Print the cached wall of an event (people and links) as JSON.
    Wall {
        #[arg(long, env = "LIVEWALL_CACHE")]
        cache: PathBuf,
        #[arg(long)]
        event: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Enqueue {
            outbox,
            event,
            from,
            to,
        } => {
            let ob = Outbox::open(&outbox).context("cannot open the outbox")?;
            let tap = ob
                .enqueue(
                    &event,
                    CreateConnection {
                        from: PartyRef::Text(from),
                        to: PartyRef::Text(to),
                    },
                )
                .await?;
            println!("{}", tap.key);
        }
        Command::Pending { outbox } => {
            let ob = Outbox::open(&outbox).context("cannot open the outbox")?;
            for tap in ob.pending().await? {
                println!(
                    "{}",
                    serde_json::json!({"key": tap.key, "event": tap.event_id, "request": tap.request,
                        "createdAt": tap.created_at, "attempts": tap.attempts, "lastError": tap.last_error})
                );
            }
        }
        Command::Flush {
            outbox,
            server,
            token,
        } => {
            let ob = Outbox::open(&outbox).context("cannot open the outbox")?;
            let client = Client::new(&server, Some(token))?;
            let report = ob.deliver(&client).await?;
            eprintln!(
                "delivered or answered: {}, still waiting: {}",
                report.deliveries.len(),
                report.waiting
            );
            if let Some(hold) = report.hold {
                anyhow::bail!("stopped ({:?}), taps kept: {}", hold.kind, hold.message);
            }
        }
        Command::Wall { cache, event } => {
            let c = WallCache::open(&cache).context("cannot open the cache")?;
            let snap = c
                .load(&event)
                .await?
                .with_context(|| format!("nothing cached for event {event}"))?;
            println!("{}", serde_json::to_string_pretty(&snap)?);
        }
    }
    Ok(())
}
