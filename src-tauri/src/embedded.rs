//! The embedded server: `livewall_server` in this process on a local SQLite file, so one laptop can run a whole
//! event and other devices on the LAN join it at `http://<laptop>:<port>`.

use std::net::SocketAddr;
use std::path::PathBuf;

use tokio_util::sync::CancellationToken;

/// Why the embedded server did not start.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    /// The address could not be bound (in use, no permission).
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

/// A running embedded server.
#[derive(Debug, Clone)]
pub struct Embedded {
    /// The URL this machine's windows use (loopback when bound to every interface).
    pub url: String,
    /// Cancelled when the app exits: the server finishes in-flight requests and closes the database.
    pub stop: CancellationToken,
}

/// Starts the server on `bind` with the database at `db`; `ui_dir` is the built web UI to serve (walls, admin);
/// `admin_password` is the first admin account's password when the database is new (`--admin-password` or
/// `LIVEWALL_ADMIN_PASSWORD`).
pub fn start(
    db: PathBuf,
    bind: SocketAddr,
    ui_dir: Option<PathBuf>,
    admin_password: Option<String>,
) -> Result<Embedded, EmbeddedError> {
    tauri::async_runtime::block_on(async move {
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|source| EmbeddedError::Bind { addr: bind, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| EmbeddedError::Bind { addr: bind, source })?;
        let mut config = livewall_server::Config::for_db(&db);
        config.ui_dir = ui_dir;
        config.admin_password = admin_password;
        let generated = config.admin_password.is_none();
        let (state, bootstrap) = livewall_server::AppState::open(config)
            .await
            .map_err(|source| EmbeddedError::Open { path: db, source })?;
        match bootstrap {
            // The organiser needs a generated password once, to log in; it is not stored anywhere in clear.
            Some(admin) if generated => {
                tracing::warn!(user = %admin.username, password = %admin.password,
                "embedded server: first admin account created, note the password")
            }
            Some(admin) => tracing::info!(user = %admin.username,
                "embedded server: first admin account created with the given password"),
            None => {}
        }
        let stop = CancellationToken::new();
        let until = stop.clone().cancelled_owned();
        tauri::async_runtime::spawn(async move {
            if let Err(e) = livewall_server::run(listener, state, until).await {
                tracing::error!(error = %e, "embedded server stopped");
            }
        });
        let host = if addr.ip().is_unspecified() {
            "127.0.0.1".to_owned()
        } else {
            addr.ip().to_string()
        };
        let url = format!("http://{host}:{}", addr.port());
        tracing::info!(%url, %addr, "embedded server running");
        Ok(Embedded { url, stop })
    })
}
