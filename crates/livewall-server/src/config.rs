//! Command line and environment: every flag has an environment variable. Raw flags are parsed by clap, then
//! checked into a [`Config`] the rest of the server trusts.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// `livewall-server`: the livewall REST and WebSocket server.
#[derive(Debug, Parser)]
#[command(name = "livewall-server", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Log format.
    #[arg(long, env = "LIVEWALL_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Run the server with a demo event: about 200 attendees and a slow stream of simulated taps.
    Demo(DemoArgs),
    /// Manage organiser accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
}

/// Flags of `serve` (and `demo`).
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// SQLite database file (created if missing). The token-signing secret is kept beside it.
    #[arg(long, env = "LIVEWALL_DB")]
    pub db: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, env = "LIVEWALL_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Token-signing secret (at least 32 characters); by default generated at first start and stored beside the
    /// database as `<db>.secret` with mode 0600.
    #[arg(long, env = "LIVEWALL_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Password of the `admin` account created at first start (random and printed when not given).
    #[arg(long, env = "LIVEWALL_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// The URL people reach this server at (used in printed links and profile URLs).
    #[arg(long, env = "LIVEWALL_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "LIVEWALL_MAX_BODY_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// How many live-log entries per event are kept for walls to replay.
    #[arg(long, env = "LIVEWALL_LOG_RETENTION", default_value_t = 100_000)]
    pub log_retention: u64,
    /// Database reader connections.
    #[arg(long, env = "LIVEWALL_DB_READERS", default_value_t = 4)]
    pub db_readers: usize,
    /// Folder of the built web UI (`ui/dist`); found next to the binary's workspace when not given.
    #[arg(long, env = "LIVEWALL_UI_DIR")]
    pub ui_dir: Option<PathBuf>,
    /// Reverse proxies (IP addresses, comma-separated) whose `X-Forwarded-For` names the real client; from any
    /// other peer the header is ignored, so it cannot be forged to dodge the rate limits.
    #[arg(long, env = "LIVEWALL_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// A bearer token that may read `/metrics` (besides admin tokens), for a Prometheus scraper. The metrics name
    /// events, so they are never public.
    #[arg(long, env = "LIVEWALL_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// At shutdown, how long a live socket gets to take its close frame (peers that never answer are then
    /// dropped), in milliseconds.
    #[arg(long, env = "LIVEWALL_SHUTDOWN_GRACE_MS", default_value_t = 2_000)]
    pub shutdown_grace_ms: u64,
    /// A client must send a request's head within this many milliseconds of connecting (or of its previous
    /// request on a kept-alive connection), or it is dropped.
    #[arg(
        long,
        env = "LIVEWALL_HTTP_HEADER_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub http_header_timeout_ms: u64,
    /// A request body must arrive within this many milliseconds (408 otherwise).
    #[arg(long, env = "LIVEWALL_HTTP_BODY_TIMEOUT_MS", default_value_t = 30_000)]
    pub http_body_timeout_ms: u64,
    /// Open HTTP connections at most (past it, new ones wait); WebSockets have their own limits.
    #[arg(long, env = "LIVEWALL_MAX_CONNECTIONS", default_value_t = 10_000)]
    pub max_connections: usize,
    #[command(flatten)]
    pub ws: WsArgs,
    #[command(flatten)]
    pub webhooks: WebhookArgs,
    #[command(flatten)]
    pub original: OriginalArgs,
}

/// Flags for the original Live Wall's clients (its wall, its attendees' phone pages).
#[derive(Debug, Clone, Default, Args)]
pub struct OriginalArgs {
    /// The event that the original clients' `DEFAULT` event id (or no event id at all) names.
    #[arg(long, env = "LIVEWALL_DEFAULT_EVENT")]
    pub default_event: Option<String>,
    /// Browser origins (comma-separated, e.g. `https://wall.example.org`) allowed to call the original paths and
    /// the public wall from their pages. Without it, public reads are allowed from any origin and writes from none;
    /// with it, reads and writes are allowed from these origins only (`*` allows reads from any origin).
    #[arg(long, env = "LIVEWALL_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Issuer (`iss`) of the attendees' ID tokens accepted by the original `POST /interactions`, e.g.
    /// `https://cognito-idp.us-west-2.amazonaws.com/<pool id>`.
    #[arg(long, env = "LIVEWALL_ATTENDEE_ISSUER")]
    pub attendee_issuer: Option<String>,
    /// Where that issuer publishes its signing keys (JWKS), e.g. `<issuer>/.well-known/jwks.json`.
    #[arg(long, env = "LIVEWALL_ATTENDEE_JWKS_URL")]
    pub attendee_jwks_url: Option<String>,
    /// Accepted audiences (`aud`, the app client ids; comma-separated).
    #[arg(long, env = "LIVEWALL_ATTENDEE_AUDIENCE", value_delimiter = ',')]
    pub attendee_audience: Vec<String>,
    /// Least time between two fetches of the key set, in milliseconds: a token with an unknown key id refetches
    /// it, and this keeps forged key ids from turning the server into a flood of requests to the provider.
    #[arg(
        long,
        env = "LIVEWALL_ATTENDEE_JWKS_MIN_REFRESH_MS",
        default_value_t = 10_000
    )]
    pub attendee_jwks_min_refresh_ms: u64,
}

/// Flags of the live WebSocket endpoint (`/ws`).
#[derive(Debug, Clone, Args)]
pub struct WsArgs {
    /// How often the server pings each socket, in milliseconds.
    #[arg(long, env = "LIVEWALL_WS_PING_INTERVAL_MS", default_value_t = 25_000)]
    pub ws_ping_interval_ms: u64,
    /// How long past a missed ping a silent socket is kept before it is dropped, in milliseconds.
    #[arg(long, env = "LIVEWALL_WS_PONG_TIMEOUT_MS", default_value_t = 10_000)]
    pub ws_pong_timeout_ms: u64,
    /// Frames a socket may have waiting to be sent before it is closed as too slow (close code 4008).
    #[arg(long, env = "LIVEWALL_WS_QUEUE_FRAMES", default_value_t = 1024)]
    pub ws_queue_frames: usize,
    /// Largest message a client may send, in bytes (larger ones close the socket with 1009).
    #[arg(long, env = "LIVEWALL_WS_MAX_MESSAGE_BYTES", default_value_t = 16 * 1024)]
    pub ws_max_message_bytes: usize,
    /// Events one socket may subscribe to at once.
    #[arg(long, env = "LIVEWALL_WS_MAX_SUBSCRIPTIONS", default_value_t = 8)]
    pub ws_max_subscriptions: usize,
    /// New sockets per second allowed from one IP address (0: no limit).
    #[arg(long, env = "LIVEWALL_WS_CONNECT_RATE", default_value_t = 20.0)]
    pub ws_connect_rate: f64,
    /// Sockets one IP address may open in a burst before the rate applies (a venue behind one NAT reconnecting).
    #[arg(long, env = "LIVEWALL_WS_CONNECT_BURST", default_value_t = 200)]
    pub ws_connect_burst: u32,
    /// A write to a socket that does not complete in this many milliseconds closes it (a stalled reader whose
    /// kernel buffers are full would otherwise hold its task forever).
    #[arg(long, env = "LIVEWALL_WS_WRITE_TIMEOUT_MS", default_value_t = 5_000)]
    pub ws_write_timeout_ms: u64,
    /// Messages per second one socket may send (subscribe, ping...); more are answered with an error and dropped.
    #[arg(long, env = "LIVEWALL_WS_MESSAGE_RATE", default_value_t = 20)]
    pub ws_message_rate: u32,
    /// Presence changes are gathered for this long before being sent, in milliseconds.
    #[arg(long, env = "LIVEWALL_WS_PRESENCE_INTERVAL_MS", default_value_t = 500)]
    pub ws_presence_interval_ms: u64,
    /// Per-socket write batch size, in bytes: queued frames are written together up to this much.
    #[arg(long, env = "LIVEWALL_WS_BUFFER_BYTES", default_value_t = 4096)]
    pub ws_buffer_bytes: usize,
    /// Per-socket read buffer, in bytes, allocated for every socket at once. Clients only send small messages
    /// (subscribe, ping), so a small one keeps ten thousand idle walls cheap; a larger message still fits (up to
    /// --ws-max-message-bytes), the buffer grows for it.
    #[arg(long, env = "LIVEWALL_WS_READ_BUFFER_BYTES", default_value_t = 512)]
    pub ws_read_buffer_bytes: usize,
    /// Kernel send buffer of every accepted TCP connection, in bytes (default: the kernel's autotuning). A small
    /// one makes a socket that stops reading show up in its outbound queue sooner.
    #[arg(long, env = "LIVEWALL_TCP_SEND_BUFFER_BYTES")]
    pub tcp_send_buffer_bytes: Option<usize>,
}

/// Flags of the webhook deliveries.
#[derive(Debug, Clone, clap::Args)]
pub struct WebhookArgs {
    /// Wait before the first retry of a failed delivery, in milliseconds; each next retry waits twice as long
    /// (with random jitter), up to --webhook-retry-max-ms.
    #[arg(long, env = "LIVEWALL_WEBHOOK_RETRY_BASE_MS", default_value_t = 5_000)]
    pub webhook_retry_base_ms: u64,
    /// Longest wait between two attempts, in milliseconds.
    #[arg(
        long,
        env = "LIVEWALL_WEBHOOK_RETRY_MAX_MS",
        default_value_t = 3_600_000
    )]
    pub webhook_retry_max_ms: u64,
    /// Failed attempts in a row after which an endpoint is paused (its deliveries wait for the organiser).
    #[arg(long, env = "LIVEWALL_WEBHOOK_PAUSE_AFTER", default_value_t = 10)]
    pub webhook_pause_after: u32,
    /// How long a receiver has to answer, in milliseconds.
    #[arg(long, env = "LIVEWALL_WEBHOOK_TIMEOUT_MS", default_value_t = 10_000)]
    pub webhook_timeout_ms: u64,
    /// Days a delivered message stays visible to the organiser (pending ones are kept until delivered).
    #[arg(long, env = "LIVEWALL_WEBHOOK_KEEP_DAYS", default_value_t = 30)]
    pub webhook_keep_days: u32,
}

impl WebhookArgs {
    fn check(&self) -> Result<WebhookConfig, ConfigError> {
        let ms = |name: &str, v: u64, lo: u64, hi: u64| {
            if (lo..=hi).contains(&v) {
                Ok(Duration::from_millis(v))
            } else {
                Err(ConfigError(format!(
                    "--{name} must be between {lo} and {hi} milliseconds"
                )))
            }
        };
        let retry_base = ms(
            "webhook-retry-base-ms",
            self.webhook_retry_base_ms,
            10,
            3_600_000,
        )?;
        let retry_max = ms(
            "webhook-retry-max-ms",
            self.webhook_retry_max_ms,
            10,
            86_400_000,
        )?;
        if retry_max < retry_base {
            return Err(ConfigError(
                "--webhook-retry-max-ms must be at least --webhook-retry-base-ms".into(),
            ));
        }
        if self.webhook_pause_after == 0 {
            return Err(ConfigError(
                "--webhook-pause-after must be at least 1".into(),
            ));
        }
        Ok(WebhookConfig {
            retry_base,
            retry_max,
            pause_after: self.webhook_pause_after,
            timeout: ms("webhook-timeout-ms", self.webhook_timeout_ms, 100, 120_000)?,
            keep: Duration::from_secs(u64::from(self.webhook_keep_days.clamp(1, 3650)) * 86_400),
        })
    }
}

/// Checked settings of the webhook deliveries.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    pub retry_base: Duration,
    pub retry_max: Duration,
    pub pause_after: u32,
    pub timeout: Duration,
    pub keep: Duration,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            retry_base: Duration::from_secs(5),
            retry_max: Duration::from_secs(3600),
            pause_after: 10,
            timeout: Duration::from_secs(10),
            keep: Duration::from_secs(30 * 86_400),
        }
    }
}

/// Flags of `demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
    /// How many attendees the demo event has.
    #[arg(long, env = "LIVEWALL_DEMO_ATTENDEES", default_value_t = 200)]
    pub attendees: usize,
    /// Average time between simulated taps, in milliseconds (0: no simulated taps).
    #[arg(long, env = "LIVEWALL_DEMO_TAP_MS", default_value_t = 2500)]
    pub tap_ms: u64,
    /// Mint a station token for the demo event and write it to this file (readable by its owner only), for a
    /// demo station window.
    #[arg(long)]
    pub station_token_file: Option<PathBuf>,
}

/// `admin` subcommands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an organiser account (or set the password of an existing one).
    Create {
        /// SQLite database file.
        #[arg(long, env = "LIVEWALL_DB", default_value = "livewall.db")]
        db: PathBuf,
        #[arg(long)]
        username: String,
        /// The password; read from the LIVEWALL_NEW_PASSWORD variable or standard input when not given.
        #[arg(long, env = "LIVEWALL_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

/// Checked settings of a running server.
#[derive(Debug, Clone)]
pub struct Config {
    pub db_path: PathBuf,
    pub jwt_secret: Option<String>,
    pub admin_password: Option<String>,
    pub public_url: Option<String>,
    pub max_body_bytes: usize,
    pub log_retention: u64,
    pub db_readers: usize,
    pub ui_dir: Option<PathBuf>,
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The scraper's token for `/metrics`.
    pub metrics_token: Option<String>,
    /// How long shutdown waits for each socket's close handshake.
    pub shutdown_grace: Duration,
    pub http: HttpConfig,
    pub ws: WsConfig,
    /// The event the original clients' `DEFAULT` names.
    pub default_event: Option<String>,
    pub cors: CorsConfig,
    /// Attendee sign-in for the original connection post; `None` when not configured.
    pub attendee_idp: Option<IdpConfig>,
    pub webhooks: WebhookConfig,
}

/// Limits of HTTP connections (see [`crate::serve`]).
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub max_connections: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 10_000,
        }
    }
}

/// Which browser origins may call the cross-origin paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorsConfig {
    /// Public reads from any origin.
    pub any_origin_reads: bool,
    /// Origins (`scheme://host[:port]`) allowed to read and to write.
    pub origins: Vec<String>,
}

/// An external identity provider whose ID tokens name attendees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpConfig {
    pub issuer: String,
    pub jwks_url: String,
    pub audience: Vec<String>,
    pub min_refresh: Duration,
}

/// Checked settings of the live WebSocket endpoint.
#[derive(Debug, Clone)]
pub struct WsConfig {
    pub ping_interval: Duration,
    pub pong_timeout: Duration,
    pub queue_frames: usize,
    pub max_message_bytes: usize,
    pub max_subscriptions: usize,
    /// Sockets per second per IP; `None` means no limit.
    pub connect_rate: Option<f64>,
    pub connect_burst: u32,
    pub presence_interval: Duration,
    pub write_timeout: Duration,
    /// Client messages per second per socket (the burst is five seconds' worth).
    pub message_rate: u32,
    pub buffer_bytes: usize,
    pub read_buffer_bytes: usize,
    /// `SO_SNDBUF` of accepted connections; `None` leaves the kernel's autotuning.
    pub tcp_send_buffer: Option<usize>,
}

impl Default for WsConfig {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(25),
            pong_timeout: Duration::from_secs(10),
            queue_frames: 1024,
            max_message_bytes: 16 * 1024,
            max_subscriptions: 8,
            connect_rate: Some(20.0),
            connect_burst: 200,
            presence_interval: Duration::from_millis(500),
            write_timeout: Duration::from_secs(5),
            message_rate: 20,
            buffer_bytes: 4096,
            read_buffer_bytes: 512,
            tcp_send_buffer: None,
        }
    }
}

impl WsArgs {
    fn check(&self) -> Result<WsConfig, ConfigError> {
        let ms = |name: &str, v: u64| {
            if (10..=3_600_000).contains(&v) {
                Ok(Duration::from_millis(v))
            } else {
                Err(ConfigError(format!(
                    "--{name} must be between 10 and 3600000 milliseconds"
                )))
            }
        };
        if self.ws_queue_frames == 0 {
            return Err(ConfigError("--ws-queue-frames must be at least 1".into()));
        }
        if self.ws_max_message_bytes < 256 {
            return Err(ConfigError(
                "--ws-max-message-bytes must be at least 256".into(),
            ));
        }
        if self.ws_max_subscriptions == 0 {
            return Err(ConfigError(
                "--ws-max-subscriptions must be at least 1".into(),
            ));
        }
        if !self.ws_connect_rate.is_finite() || self.ws_connect_rate < 0.0 {
            return Err(ConfigError(
                "--ws-connect-rate must be 0 (no limit) or a positive number".into(),
            ));
        }
        if self.ws_connect_burst == 0 {
            return Err(ConfigError("--ws-connect-burst must be at least 1".into()));
        }
        if let Some(n) = self.tcp_send_buffer_bytes
            && !(1024..=64 * 1024 * 1024).contains(&n)
        {
            return Err(ConfigError(
                "--tcp-send-buffer-bytes must be between 1024 and 67108864".into(),
            ));
        }
        if !(256..=16 * 1024 * 1024).contains(&self.ws_buffer_bytes) {
            return Err(ConfigError(
                "--ws-buffer-bytes must be between 256 and 16777216".into(),
            ));
        }
        if !(256..=16 * 1024 * 1024).contains(&self.ws_read_buffer_bytes) {
            return Err(ConfigError(
                "--ws-read-buffer-bytes must be between 256 and 16777216".into(),
            ));
        }
        Ok(WsConfig {
            ping_interval: ms("ws-ping-interval-ms", self.ws_ping_interval_ms)?,
            pong_timeout: ms("ws-pong-timeout-ms", self.ws_pong_timeout_ms)?,
            queue_frames: self.ws_queue_frames,
            max_message_bytes: self.ws_max_message_bytes,
            max_subscriptions: self.ws_max_subscriptions,
            connect_rate: (self.ws_connect_rate > 0.0).then_some(self.ws_connect_rate),
            connect_burst: self.ws_connect_burst,
            presence_interval: ms("ws-presence-interval-ms", self.ws_presence_interval_ms)?,
            write_timeout: ms("ws-write-timeout-ms", self.ws_write_timeout_ms)?,
            message_rate: if self.ws_message_rate > 0 {
                self.ws_message_rate
            } else {
                return Err(ConfigError("--ws-message-rate must be at least 1".into()));
            },
            buffer_bytes: self.ws_buffer_bytes,
            read_buffer_bytes: self.ws_read_buffer_bytes,
            tcp_send_buffer: self.tcp_send_buffer_bytes,
        })
    }
}

/// A flag value that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Checks the flags of `serve`/`demo`; `default_db` is used when `--db` is not given.
    pub fn from_args(a: &ServeArgs, default_db: &str) -> Result<Self, ConfigError> {
        if let Some(s) = &a.jwt_secret
            && s.len() < 32
        {
            return Err(ConfigError(
                "--jwt-secret must be at least 32 characters".into(),
            ));
        }
        if let Some(u) = &a.public_url
            && !is_http_url(u)
        {
            return Err(ConfigError(format!(
                "--public-url {u:?} must start with http:// or https://"
            )));
        }
        if a.max_body_bytes < 1024 {
            return Err(ConfigError("--max-body-bytes must be at least 1024".into()));
        }
        if a.log_retention == 0 {
            return Err(ConfigError("--log-retention must be at least 1".into()));
        }
        Ok(Self {
            db_path: a.db.clone().unwrap_or_else(|| PathBuf::from(default_db)),
            jwt_secret: a.jwt_secret.clone(),
            admin_password: a.admin_password.clone(),
            public_url: a
                .public_url
                .as_ref()
                .map(|u| u.trim_end_matches('/').to_owned()),
            max_body_bytes: a.max_body_bytes,
            log_retention: a.log_retention,
            db_readers: a.db_readers.clamp(1, 64),
            ui_dir: a.ui_dir.clone(),
            trusted_proxies: a.trusted_proxies.clone(),
            metrics_token: match a.metrics_token.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(t) if t.len() >= 16 => Some(t.to_owned()),
                Some(_) => {
                    return Err(ConfigError(
                        "--metrics-token must be at least 16 characters".into(),
                    ));
                }
            },
            shutdown_grace: if a.shutdown_grace_ms <= 60_000 {
                Duration::from_millis(a.shutdown_grace_ms)
            } else {
                return Err(ConfigError(
                    "--shutdown-grace-ms must be at most 60000".into(),
                ));
            },
            http: HttpConfig {
                header_timeout: checked_ms("http-header-timeout-ms", a.http_header_timeout_ms)?,
                body_timeout: checked_ms("http-body-timeout-ms", a.http_body_timeout_ms)?,
                max_connections: if a.max_connections > 0 {
                    a.max_connections
                } else {
                    return Err(ConfigError("--max-connections must be at least 1".into()));
                },
            },
            ws: a.ws.check()?,
            default_event: a.original.default_event.clone(),
            cors: a.original.cors()?,
            attendee_idp: a.original.idp()?,
            webhooks: a.webhooks.check()?,
        })
    }

    /// Settings for tests and embedding: a database path and defaults for the rest.
    pub fn for_db(db_path: impl Into<PathBuf>) -> Self {
        Self {
            db_path: db_path.into(),
            jwt_secret: None,
            admin_password: None,
            public_url: None,
            max_body_bytes: 8 * 1024 * 1024,
            log_retention: 100_000,
            db_readers: 4,
            ui_dir: None,
            trusted_proxies: Vec::new(),
            metrics_token: None,
            shutdown_grace: Duration::from_secs(2),
            http: HttpConfig::default(),
            ws: WsConfig::default(),
            default_event: None,
            cors: CorsConfig {
                any_origin_reads: true,
                origins: Vec::new(),
            },
            attendee_idp: None,
            webhooks: WebhookConfig::default(),
        }
    }
}

fn checked_ms(name: &str, v: u64) -> Result<Duration, ConfigError> {
    if (100..=3_600_000).contains(&v) {
        Ok(Duration::from_millis(v))
    } else {
        Err(ConfigError(format!(
            "--{name} must be between 100 and 3600000 milliseconds"
        )))
    }
}

/// The event id the original clients use when they name none.
pub const DEFAULT_EVENT_ALIAS: &str = "DEFAULT";

impl Config {
    /// The event an original client means: its `DEFAULT` (or no id at all) is `--default-event`; `None` when it
    /// names no event and no default is configured.
    pub fn event_named(&self, given: Option<&str>) -> Option<String> {
        match given.map(str::trim) {
            None | Some("") | Some(DEFAULT_EVENT_ALIAS) => self.default_event.clone(),
            Some(id) => Some(id.to_owned()),
        }
    }
}

fn is_http_url(u: &str) -> bool {
    u.starts_with("http://") || u.starts_with("https://")
}

impl OriginalArgs {
    fn cors(&self) -> Result<CorsConfig, ConfigError> {
        let listed: Vec<&str> = self
            .cors_origins
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty())
            .collect();
        let mut origins = Vec::new();
        for o in &listed {
            if *o == "*" {
                continue;
            }
            let o = o.trim_end_matches('/');
            let rest = o
                .strip_prefix("https://")
                .or_else(|| o.strip_prefix("http://"))
                .filter(|r| !r.is_empty() && !r.contains('/'));
            if rest.is_none() || axum::http::HeaderValue::from_str(o).is_err() {
                return Err(ConfigError(format!(
                    "--cors-origins: {o:?} is not an origin; write scheme://host[:port], e.g. https://wall.example.org"
                )));
            }
            // Browsers send origins in lower case and without the scheme's default port.
            let o = o.to_ascii_lowercase();
            let o = o
                .strip_suffix(":443")
                .filter(|_| o.starts_with("https://"))
                .or_else(|| o.strip_suffix(":80").filter(|_| o.starts_with("http://")))
                .unwrap_or(&o)
                .to_owned();
            origins.push(o);
        }
        Ok(CorsConfig {
            any_origin_reads: listed.is_empty() || listed.contains(&"*"),
            origins,
        })
    }

    fn idp(&self) -> Result<Option<IdpConfig>, ConfigError> {
        let audience: Vec<String> = self
            .attendee_audience
            .iter()
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty())
            .collect();
        match (&self.attendee_issuer, &self.attendee_jwks_url) {
            (None, None) if audience.is_empty() => Ok(None),
            (Some(issuer), Some(jwks_url)) => {
                if !is_http_url(jwks_url) {
                    return Err(ConfigError(format!(
                        "--attendee-jwks-url {jwks_url:?} must start with http:// or https://"
                    )));
                }
                if audience.is_empty() {
                    return Err(ConfigError(
                        "--attendee-audience is needed with --attendee-issuer: without it, an ID token the provider \
                         issued for any other app would be accepted"
                            .into(),
                    ));
                }
                Ok(Some(IdpConfig {
                    issuer: issuer.trim().to_owned(),
                    jwks_url: jwks_url.trim().to_owned(),
                    audience,
                    min_refresh: Duration::from_millis(self.attendee_jwks_min_refresh_ms),
                }))
            }
            _ => Err(ConfigError(
                "attendee sign-in needs all of --attendee-issuer, --attendee-jwks-url and --attendee-audience".into(),
            )),
        }
    }
}
