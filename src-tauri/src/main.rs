//! `livewall`: the desktop app's entry point (flags, logging, exit status).

use clap::Parser;

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,livewall_app=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    livewall_client::init_tls();
    let args = livewall_app::cli::Args::parse();
    if args.install_autostart {
        let role = args.role.unwrap_or(livewall_app::settings::Role::Kiosk);
        let rest: Vec<String> = std::env::args()
            .skip(1)
            .filter(|a| a != "--install-autostart")
            .collect();
        let path = livewall_app::cli::install_autostart(role, &rest)?;
        tracing::info!(path = %path.display(), "autostart entry written");
        return Ok(());
    }
    livewall_app::run(args)?;
    Ok(())
}
