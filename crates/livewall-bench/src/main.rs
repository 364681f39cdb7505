//! `livewall-bench`: load generator for the livewall live feed.
//!
//! `fanout` opens N WebSocket subscribers on one event, posts M connections per second from K stations through
//! the REST API, and reports subscribers held, deliveries per second, publish-to-receive latency, loss (every
//! subscriber must receive every entry, in order) and the server's memory per socket. It targets any server URL,
//! or starts a server binary itself on a temporary database.

mod fanout;
mod server;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "livewall-bench", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Many subscribers on one event while stations post connections.
    Fanout(fanout::Args),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Fanout(args) => fanout::run(args).await,
    }
}
