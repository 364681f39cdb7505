//! Command-line flags (first phase of the configuration: raw values, checked later by [`crate::settings::Launch`]).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use crate::settings::{Role, Saved};

/// The livewall desktop app: `livewall kiosk|station|admin`, or no role to use the saved settings.
#[derive(Debug, Clone, Parser)]
#[command(name = "livewall", version, about)]
pub struct Args {
    /// What this device is (kiosk, station or admin); without it the saved settings decide, or the settings screen
    /// asks.
    #[arg(value_parser = parse_role)]
    pub role: Option<Role>,
    /// Server base URL, e.g. `http://192.168.1.20:8080`.
    #[arg(long)]
    pub server: Option<String>,
    /// Device token (kiosk or station), as minted in the admin screens.
    #[arg(long)]
    pub token: Option<String>,
    /// Event id.
    #[arg(long)]
    pub event: Option<String>,
    /// PIN that lets staff leave the kiosk (Ctrl+Alt+Shift+Q, then the PIN).
    #[arg(long)]
    pub exit_pin: Option<String>,
    /// Where settings, the wall cache and the tap outbox live (default: the platform's app data directory).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Only use NFC readers whose name contains this.
    #[arg(long)]
    pub reader: Option<String>,
    /// Show the settings screen even when the settings are complete.
    #[arg(long)]
    pub settings: bool,
    /// Run the server in this process (one laptop runs the whole event).
    #[arg(long, requires = "db")]
    pub embedded_server: bool,
    /// Database file of the embedded server.
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Address the embedded server listens on (all interfaces so LAN devices can join).
    #[arg(long, default_value = "0.0.0.0:8080")]
    pub bind: SocketAddr,
    /// The address phones and other devices reach the embedded server at (badge links, setup links), e.g.
    /// `http://192.168.1.20:8080`; default: this machine's LAN address.
    #[arg(long)]
    pub public_url: Option<String>,
    /// Built web UI the embedded server serves to browsers and the admin window (`ui/dist`).
    #[arg(long)]
    pub ui_dir: Option<PathBuf>,
    /// Password of the embedded server's `admin` account, set when its database is created (else a generated one
    /// is logged once).
    #[arg(long, env = "LIVEWALL_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// Write an XDG autostart entry that starts this kiosk at login, then exit.
    #[arg(long)]
    pub install_autostart: bool,
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
}

impl Args {
    /// The flags that are settings, to lay over the saved ones.
    pub fn as_saved(&self) -> Saved {
        Saved {
            role: self.role,
            server: self.server.clone(),
            token: self.token.clone(),
            event: self.event.clone(),
            exit_pin: self.exit_pin.clone(),
        }
    }
}

/// Writes `~/.config/autostart/livewall-<role>.desktop` starting this binary with `args` at login.
pub fn install_autostart(role: Role, args: &[String]) -> std::io::Result<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .ok_or_else(|| std::io::Error::other("neither XDG_CONFIG_HOME nor HOME is set"))?;
    let dir = base.join("autostart");
    std::fs::create_dir_all(&dir)?;
    let exe = std::env::current_exe()?;
    let quoted: Vec<String> = std::iter::once(exe.display().to_string())
        .chain(args.iter().cloned())
        .map(|a| format!("\"{}\"", a.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    let path = dir.join(format!("livewall-{}.desktop", role.label()));
    let body = format!(
        "[Desktop Entry]\nType=Application\nName=livewall {}\nExec={}\nX-GNOME-Autostart-enabled=true\nTerminal=false\n",
        role.label(),
        quoted.join(" ")
    );
    std::fs::write(&path, body)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_kiosk_command_line() {
        let a = Args::try_parse_from([
            "livewall",
            "kiosk",
            "--server",
            "http://s:1",
            "--event",
            "ev",
            "--exit-pin",
            "4711",
        ])
        .map_err(|e| e.to_string());
        let a = a.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.role, Some(Role::Kiosk));
        assert_eq!(a.as_saved().exit_pin.as_deref(), Some("4711"));
        assert!(
            Args::try_parse_from(["livewall", "kiosk", "--embedded-server"]).is_err(),
            "needs --db"
        );
        assert!(Args::try_parse_from(["livewall", "projector"]).is_err());
    }
}
