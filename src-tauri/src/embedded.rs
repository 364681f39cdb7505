//! The embedded server: `livewall_server` in this process on a local SQLite file, so one laptop can run a whole
//! event and other devices on the LAN join it at `http://<laptop>:<port>`.
//!
//! Phones and other devices cannot use `127.0.0.1`: badge links, setup links and the address shown to the organiser
//! use the machine's LAN address (or `--public-url`), while this machine's own windows keep the loopback one.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use livewall_protocol::EmbeddedServer;
use tokio_util::sync::CancellationToken;

/// Why the embedded server did not start.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    /// Another program already listens on the port.
    #[error("port {} is already in use by another program (another livewall, or a second copy of this app)", .addr.port())]
    PortTaken {
        /// The address.
        addr: SocketAddr,
    },
    /// The address could not be bound (no permission, not an address of this machine).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The database could not be opened.
    #[error("cannot open the event database {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: livewall_server::Error,
    },
}

/// How to start the embedded server.
#[derive(Debug, Clone)]
pub struct EmbeddedConfig {
    /// The event database.
    pub db: PathBuf,
    /// Where to listen (all interfaces by default, so LAN devices can join).
    pub bind: SocketAddr,
    /// The built web UI to serve (walls, admin).
    pub ui_dir: Option<PathBuf>,
    /// The first admin account's password when the database is new; generated (and shown once) otherwise.
    pub admin_password: Option<String>,
    /// The address other devices use; default: this machine's LAN address.
    pub public_url: Option<String>,
}

/// A running embedded server.
#[derive(Debug)]
pub struct Embedded {
    /// The URL this machine's windows use (loopback when bound to every interface).
    pub url: String,
    /// The URL phones and other devices use.
    pub public_url: String,
    /// Cancelled when the app exits: the server finishes in-flight requests and closes the database.
    pub stop: CancellationToken,
    /// The first admin account this run created, and its generated password until a window has shown it.
    admin: Mutex<Option<(String, Option<String>)>>,
}

impl Embedded {
    /// What windows show about this server. The generated password is answered once: after that only the
    /// organiser who saw it knows it.
    pub fn describe(&self) -> EmbeddedServer {
        let mut admin = self.admin.lock().unwrap_or_else(PoisonError::into_inner);
        let (admin_user, admin_password) = match admin.as_mut() {
            Some((user, password)) => (Some(user.clone()), password.take()),
            None => (None, None),
        };
        EmbeddedServer {
            public_url: self.public_url.clone(),
            local_url: self.url.clone(),
            admin_user,
            admin_password,
        }
    }
}

/// This machine's address on the local network: a private IPv4 address if it has one (the venue's Wi-Fi or
/// cable), else any other non-loopback IPv4, else loopback.
pub fn lan_address() -> IpAddr {
    let candidates: Vec<Ipv4Addr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| !i.is_loopback())
        .filter_map(|i| match i.ip() {
            IpAddr::V4(v4) if !v4.is_link_local() && !v4.is_unspecified() => Some(v4),
            _ => None,
        })
        .collect();
    candidates
        .iter()
        .find(|a| a.is_private())
        .or_else(|| candidates.first())
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |a| IpAddr::V4(*a))
}

/// A free port near `port` on `ip`, to offer when `port` is taken.
pub fn free_port_near(ip: IpAddr, port: u16) -> Option<u16> {
    (1..=50)
        .filter_map(|d| port.checked_add(d))
        .find(|p| std::net::TcpListener::bind((ip, *p)).is_ok())
}

/// Starts the server per `config`.
pub fn start(config: EmbeddedConfig) -> Result<Embedded, EmbeddedError> {
    tauri::async_runtime::block_on(async move {
        let bind = config.bind;
        let listener = match tokio::net::TcpListener::bind(bind).await {
            Ok(l) => l,
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                return Err(EmbeddedError::PortTaken { addr: bind });
            }
            Err(source) => return Err(EmbeddedError::Bind { addr: bind, source }),
        };
        let addr = listener
            .local_addr()
            .map_err(|source| EmbeddedError::Bind { addr: bind, source })?;
        let local_host = if addr.ip().is_unspecified() {
            "127.0.0.1".to_owned()
        } else {
            addr.ip().to_string()
        };
        let url = format!("http://{local_host}:{}", addr.port());
        let public_url = match &config.public_url {
            Some(u) => u.trim_end_matches('/').to_owned(),
            None if addr.ip().is_unspecified() => {
                format!("http://{}:{}", lan_address(), addr.port())
            }
            None => url.clone(),
        };
        let mut server_config = livewall_server::Config::for_db(&config.db);
        server_config.ui_dir = config.ui_dir;
        server_config.admin_password = config.admin_password;
        server_config.public_url = Some(public_url.clone());
        let generated = server_config.admin_password.is_none();
        let (state, bootstrap) = livewall_server::AppState::open(server_config)
            .await
            .map_err(|source| EmbeddedError::Open {
                path: config.db.clone(),
                source,
            })?;
        let admin = bootstrap.map(|a| {
            tracing::info!(user = %a.username, generated, "embedded server: first admin account created");
            (a.username, generated.then_some(a.password))
        });
        let stop = CancellationToken::new();
        let until = stop.clone().cancelled_owned();
        tauri::async_runtime::spawn(async move {
            if let Err(e) = livewall_server::run(listener, state, until).await {
                tracing::error!(error = %e, "embedded server stopped");
            }
        });
        tracing::info!(%url, %public_url, %addr, "embedded server running");
        Ok(Embedded {
            url,
            public_url,
            stop,
            admin: Mutex::new(admin),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_port_is_said_in_words_with_a_free_one_near_it() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = taken.local_addr().expect("addr");
        let dir = tempfile::tempdir().expect("tempdir");
        let err = start(EmbeddedConfig {
            db: dir.path().join("ev.db"),
            bind: addr,
            ui_dir: None,
            admin_password: None,
            public_url: None,
        })
        .err()
        .map(|e| e.to_string());
        assert_eq!(
            err,
            Some(format!(
                "port {} is already in use by another program (another livewall, or a second copy of this app)",
                addr.port()
            ))
        );
        let offer = free_port_near(addr.ip(), addr.port()).expect("a free port");
        assert_ne!(offer, addr.port());
    }

    #[test]
    fn the_lan_address_is_never_unspecified() {
        assert!(!lan_address().is_unspecified());
    }
}
