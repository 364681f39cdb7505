//! `livewall-server`: thin entry point; everything lives in the library.

use anyhow::Context;
use clap::Parser;
use livewall_server::config::{AdminCommand, Cli, Command, Config, LogFormat};
use livewall_server::{AppState, auth, db, demo, ids};
use std::io::Read;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing(cli.log_format);
    match cli.command {
        Command::Serve(args) => {
            let config = Config::from_args(&args, "livewall.db")?;
            let (state, bootstrap) = AppState::open(config)
                .await
                .context("cannot open the server state")?;
            match bootstrap {
                // A generated password is shown once; one the operator supplied is never printed.
                Some(b) if b.generated => eprintln!(
                    "First start: created the organiser account '{}' with password '{}'.\n\
                     Log in with POST /api/login, or change it with: livewall-server admin create --username {}",
                    b.username, b.password, b.username
                ),
                Some(b) => eprintln!(
                    "First start: created the organiser account '{}' with the password you supplied.",
                    b.username
                ),
                None => {}
            }
            let listener = tokio::net::TcpListener::bind(args.bind)
                .await
                .with_context(|| format!("cannot listen on {}", args.bind))?;
            livewall_server::run(listener, state, shutdown_signal()).await?;
        }
        Command::Demo(args) => {
            let mut config = Config::from_args(&args.serve, "livewall-demo.db")?;
            // The original Live Wall's clients name the event DEFAULT: in the demo that is the demo event.
            config
                .default_event
                .get_or_insert_with(|| demo::EVENT_ID.to_owned());
            let (state, bootstrap) = AppState::open(config)
                .await
                .context("cannot open the server state")?;
            let listener = tokio::net::TcpListener::bind(args.serve.bind)
                .await
                .with_context(|| format!("cannot listen on {}", args.serve.bind))?;
            let addr = listener.local_addr()?;
            let event = demo::seed(&state, args.attendees)
                .await
                .context("cannot create the demo event")?;
            if let Some(path) = &args.station_token_file {
                let token = demo::mint_station(&state)
                    .await
                    .context("cannot mint the demo station's token")?;
                write_private(path, &token)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            if args.tap_ms > 0 {
                demo::spawn_taps(
                    state.clone(),
                    event.clone(),
                    std::time::Duration::from_millis(args.tap_ms),
                );
            }
            let base = state
                .config
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{addr}"));
            let ws = base.replacen("http", "ws", 1);
            let mut msg = format!(
                "\nlivewall demo is running.\n  Wall:      {base}/wall/{event}\n  Snapshot:  {base}/api/events/{event}/wall\n  Admin:     {base}/admin\n  API docs:  {base}/api/openapi.json\n  Original Live Wall clients: API_URL={base}  WS_URL={ws}  (event DEFAULT = {event})\n"
            );
            match bootstrap {
                Some(b) if b.generated => {
                    msg.push_str(&format!("  Login:     {} / {}\n", b.username, b.password));
                }
                Some(b) => msg.push_str(&format!(
                    "  Login:     {} / (the password you supplied)\n",
                    b.username
                )),
                None => {}
            }
            eprintln!("{msg}\nPress Ctrl-C to stop.");
            livewall_server::run(listener, state, shutdown_signal()).await?;
        }
        Command::Admin(AdminCommand::Create {
            db: path,
            username,
            password,
        }) => {
            let password = match password {
                Some(p) => p,
                None => {
                    eprintln!("Password for {username} (end with Ctrl-D):");
                    let mut s = String::new();
                    std::io::stdin().read_to_string(&mut s)?;
                    s.trim_end_matches(['\n', '\r']).to_owned()
                }
            };
            auth::check_password_strength(&password)?;
            let store = db::Db::open(&path, 1)?;
            let hash = auth::hash_password(&password)?;
            let now = ids::now_ms();
            let name = username.clone();
            let admin = store
                .write(move |tx| db::admins::upsert(tx, &name, &hash, now))
                .await?;
            eprintln!(
                "Organiser account '{}' is ready in {}.",
                admin.username,
                path.display()
            );
        }
    }
    Ok(())
}

fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown signal received");
}

/// Writes `text` to a new file at `path` that only its owner can read (it holds a device token).
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::remove_file(path);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}
