//! The livewall desktop app: one Tauri 2 binary whose role is chosen by argument or saved settings.
//!
//! - **kiosk**: the fullscreen wall, drawn at once from the SQLite cache and then followed live ([`kiosk`]).
//! - **station**: NFC taps paired into connections, queued durably and delivered exactly once ([`station`]).
//! - **admin**: the organiser's screens, served by the server, plus badge enrolment on the local reader
//!   ([`badges`]).
//! - **embedded server**: the server crate in this process for a one-laptop event ([`embedded`]).
//!
//! A thin shell: the work is done by `livewall-client`, `livewall-nfc` and `livewall-server`. Every role has its
//! own window label, and the capability files grant each label only its own commands.

pub mod badges;
pub mod cli;
pub mod commands;
pub mod embedded;
pub mod error;
pub mod kiosk;
pub mod settings;
pub mod single;
pub mod staff;
pub mod station;
pub mod trust;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tauri::ipc::CapabilityBuilder;
use tauri::window::Color;
use tauri::{AppHandle, Manager, RunEvent, Runtime, WebviewUrl, WebviewWindowBuilder, WindowEvent};

use crate::cli::Args;
use crate::embedded::{Embedded, EmbeddedConfig, EmbeddedError};
use crate::settings::{Launch, Role, Saved};

/// The colour every window shows before its first frame: the wall's own background, never a white flash.
const BACKGROUND: Color = Color(11, 13, 23, 255);

/// Why the app could not start a role.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// A window could not be created.
    #[error("cannot open the {0} window: {1}")]
    Window(&'static str, #[source] tauri::Error),
    /// The local cache or outbox could not be opened.
    #[error("cannot open {0}: {1}")]
    Storage(String, #[source] livewall_client::ClientError),
    /// The server URL is not usable.
    #[error("bad server address: {0}")]
    Client(#[source] livewall_client::ClientError),
    /// The single-instance lock failed.
    #[error("cannot take the kiosk lock: {0}")]
    Lock(#[source] std::io::Error),
    /// A role was launched twice.
    #[error("this device already runs as {0}")]
    AlreadyRunning(&'static str),
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Everything shared by the commands about this device.
pub struct AppCtx {
    /// Where settings, cache and outbox live.
    pub data_dir: PathBuf,
    /// NFC reader name filter.
    pub reader_filter: Option<String>,
    embedded_config: Option<EmbeddedConfig>,
    embedded: Mutex<Option<Arc<Embedded>>>,
    saved: Mutex<Saved>,
    launched: Mutex<Option<Launch>>,
    station: Mutex<Option<Arc<station::Station>>>,
    kiosk: Mutex<Option<Arc<kiosk::Kiosk>>>,
    problem: Mutex<Option<String>>,
    offer_port: Mutex<Option<u16>>,
    exit_allowed: AtomicBool,
    lock: Mutex<Option<std::os::unix::net::UnixListener>>,
}

impl AppCtx {
    /// The saved settings (merged with the command line).
    pub fn saved(&self) -> Saved {
        lock(&self.saved).clone()
    }

    fn set_saved(&self, s: Saved) {
        *lock(&self.saved) = s;
    }

    /// The running role's settings.
    pub fn launched(&self) -> Option<Launch> {
        lock(&self.launched).clone()
    }

    /// The embedded server, when this app runs one.
    pub fn embedded(&self) -> Option<Arc<Embedded>> {
        lock(&self.embedded).clone()
    }

    /// The running station, if this device is one now.
    pub fn station(&self) -> Option<Arc<station::Station>> {
        lock(&self.station).clone()
    }

    /// The running kiosk, if this device is one now.
    pub fn kiosk(&self) -> Option<Arc<kiosk::Kiosk>> {
        lock(&self.kiosk).clone()
    }

    fn problem(&self) -> Option<String> {
        lock(&self.problem).clone()
    }

    fn offer_port(&self) -> Option<u16> {
        *lock(&self.offer_port)
    }

    fn set_problem(&self, problem: impl Into<String>, offer_port: Option<u16>) {
        *lock(&self.problem) = Some(problem.into());
        *lock(&self.offer_port) = offer_port;
    }

    fn clear_problem(&self) {
        *lock(&self.problem) = None;
        *lock(&self.offer_port) = None;
    }

    /// Lets the kiosk window close (after the exit chord and PIN).
    pub fn allow_exit(&self) {
        self.exit_allowed.store(true, Ordering::SeqCst);
    }
}

/// The app for `args`, on any runtime.
pub fn builder<R: Runtime>(args: Args) -> tauri::Builder<R> {
    configure(tauri::Builder::<R>::new(), args)
}

/// `base` with the app's commands, window rules and start-up for `args` (`tauri::test::mock_builder()` in tests).
pub fn configure<R: Runtime>(base: tauri::Builder<R>, args: Args) -> tauri::Builder<R> {
    base.invoke_handler(tauri::generate_handler![
        commands::common::desktop_config,
        commands::common::settings_save,
        commands::common::settings_decode_qr,
        commands::common::settings_parse_link,
        commands::common::settings_open,
        commands::common::embedded_restart,
        commands::kiosk::kiosk_start,
        commands::kiosk::kiosk_exit,
        commands::station::station_start,
        commands::station::station_key_uid,
        commands::admin::admin_wait_badge,
        commands::admin::admin_write_badge,
        commands::admin::admin_open_wall,
    ])
    .on_window_event(|window, event| match event {
        WindowEvent::CloseRequested { api, .. }
            if window.label() == Role::Kiosk.label()
                && !window.state::<AppCtx>().exit_allowed.load(Ordering::SeqCst) =>
        {
            // Alt+F4 or a stray window-manager gesture must not take the wall down.
            tracing::info!("kiosk close request ignored (use the exit chord)");
            api.prevent_close();
        }
        WindowEvent::Destroyed if window.label() == "settings" => {
            // Staff closed the settings without changing anything: the kiosk goes back on top.
            if let Some(k) = window.app_handle().get_webview_window(Role::Kiosk.label()) {
                let _ = k.set_always_on_top(true);
                let _ = k.set_focus();
            }
        }
        _ => {}
    })
    .setup(move |app| {
        setup(app.handle(), &args)?;
        Ok(())
    })
}

/// Starts (or restarts on `port`) the embedded server; on failure the reason is kept for the settings screen, with
/// a free port to offer when the usual one is taken.
fn start_embedded(ctx: &AppCtx, port: Option<u16>) -> Result<(), EmbeddedError> {
    let Some(mut config) = ctx.embedded_config.clone() else {
        return Ok(());
    };
    if let Some(p) = port {
        config.bind.set_port(p);
    }
    match embedded::start(config.clone()) {
        Ok(e) => {
            let mut saved = ctx.saved();
            saved.server = Some(e.url.clone());
            ctx.set_saved(saved);
            *lock(&ctx.embedded) = Some(Arc::new(e));
            ctx.clear_problem();
            Ok(())
        }
        Err(e) => {
            tracing::error!(error = %e, "the embedded server did not start");
            let offer = matches!(e, EmbeddedError::PortTaken { .. })
                .then(|| embedded::free_port_near(config.bind.ip(), config.bind.port()))
                .flatten();
            let fix = match offer {
                Some(p) => format!(
                    " Start it on port {p} instead, or close the other program and start again."
                ),
                None => String::new(),
            };
            ctx.set_problem(
                format!("The event server could not start: {e}.{fix}"),
                offer,
            );
            Err(e)
        }
    }
}

fn setup<R: Runtime>(app: &AppHandle<R>, args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let data_dir = match &args.data_dir {
        Some(d) => d.clone(),
        None => app.path().app_data_dir()?,
    };
    std::fs::create_dir_all(&data_dir)?;
    let embedded_config = match (&args.db, args.embedded_server) {
        (Some(db), true) => Some(EmbeddedConfig {
            db: db.clone(),
            bind: args.bind,
            ui_dir: args.ui_dir.clone(),
            admin_password: args.admin_password.clone(),
            public_url: args.public_url.clone(),
        }),
        _ => None,
    };
    let saved = settings::overlay(settings::load(&data_dir), args.as_saved());
    let ctx = AppCtx {
        data_dir: data_dir.clone(),
        reader_filter: args.reader.clone(),
        embedded_config,
        embedded: Mutex::new(None),
        saved: Mutex::new(saved),
        launched: Mutex::new(None),
        station: Mutex::new(None),
        kiosk: Mutex::new(None),
        problem: Mutex::new(None),
        offer_port: Mutex::new(None),
        exit_allowed: AtomicBool::new(false),
        lock: Mutex::new(None),
    };
    app.manage(ctx);
    app.manage(staff::PinGuard::default());
    let ctx = app.state::<AppCtx>();
    // Every failure from here on is said on the settings screen, in words; none ends the app with a backtrace.
    if start_embedded(&ctx, None).is_err() {
        return Ok(open_settings(app, &data_dir)?);
    }
    match Launch::check(ctx.saved(), data_dir.clone()) {
        Ok(launch) if !args.settings => {
            if let Err(e) = launch_role(app, &ctx, launch) {
                tracing::error!(error = %e, "cannot start the role");
                ctx.set_problem(e.to_string(), None);
                open_settings(app, &data_dir)?;
            }
        }
        Ok(_) => open_settings(app, &data_dir)?,
        Err(why) => {
            ctx.set_problem(why.message.clone(), None);
            open_settings(app, &data_dir)?;
        }
    }
    Ok(())
}

fn open_settings<R: Runtime>(
    app: &AppHandle<R>,
    data_dir: &std::path::Path,
) -> Result<(), LaunchError> {
    tracing::info!(problem = ?app.state::<AppCtx>().problem(), "showing the settings screen");
    if let Some(w) = app.get_webview_window("settings") {
        let _ = w.set_focus();
        return Ok(());
    }
    // The same web context as the role window it starts: WebKitGTK lets only the first web context of a process be
    // automated, so a role opened from this screen stays reachable by the WebDriver end-to-end tests.
    let window = WebviewWindowBuilder::new(app, "settings", WebviewUrl::App("settings".into()))
        .title("livewall · settings")
        .inner_size(760.0, 720.0)
        .background_color(BACKGROUND)
        .data_directory(data_dir.join("webview"))
        .build()
        .map_err(|e| LaunchError::Window("settings", e))?;
    allow_camera(&window);
    Ok(())
}

/// The settings screen may read a setup QR code from a webcam. WebKitGTK keeps media capture off and denies
/// permission requests the app does not answer: here video capture (no microphone) is allowed, in this window
/// only.
#[cfg(target_os = "linux")]
fn allow_camera<R: Runtime>(window: &tauri::WebviewWindow<R>) {
    let done = window.with_webview(|wv| {
        use webkit2gtk::glib::Cast;
        use webkit2gtk::{
            PermissionRequestExt, SettingsExt, UserMediaPermissionRequest,
            UserMediaPermissionRequestExt, WebViewExt,
        };
        let view = wv.inner();
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_enable_media_stream(true);
        }
        view.connect_permission_request(|_, request| {
            match request.downcast_ref::<UserMediaPermissionRequest>() {
                Some(media) if media.is_for_video_device() && !media.is_for_audio_device() => {
                    request.allow();
                    true
                }
                _ => false,
            }
        });
    });
    if let Err(e) = done {
        tracing::warn!(error = %e, "cannot allow the camera in the settings window");
    }
}

#[cfg(not(target_os = "linux"))]
fn allow_camera<R: Runtime>(_window: &tauri::WebviewWindow<R>) {}

/// Opens the settings over the running role (staff, after the PIN): the kiosk steps back from always-on-top
/// until the settings close.
pub fn open_settings_over_role<R: Runtime>(
    app: &AppHandle<R>,
    ctx: &AppCtx,
) -> Result<(), LaunchError> {
    if let Some(k) = app.get_webview_window(Role::Kiosk.label()) {
        let _ = k.set_always_on_top(false);
    }
    open_settings(app, &ctx.data_dir)?;
    if let Some(w) = app.get_webview_window("settings") {
        let _ = w.set_always_on_top(true);
        let _ = w.set_focus();
    }
    Ok(())
}

/// Stops the running role: its tasks end and its windows close. The station's queued taps stay on disk; the kiosk
/// keeps its single-instance lock (this process is still the kiosk of its data directory).
pub fn stop_role<R: Runtime>(app: &AppHandle<R>, ctx: &AppCtx) {
    if let Some(s) = lock(&ctx.station).take() {
        s.stop();
    }
    if let Some(k) = lock(&ctx.kiosk).take() {
        k.stop();
    }
    for label in ROLE_WINDOWS {
        if let Some(w) = app.get_webview_window(label) {
            let _ = w.destroy();
        }
    }
    if let Some(l) = lock(&ctx.launched).take() {
        tracing::info!(role = l.role.label(), "role stopped");
    }
}

/// The labels of the windows a role opens.
const ROLE_WINDOWS: [&str; 4] = ["kiosk", "station", "admin", "wall"];

/// Waits (up to two seconds) until the windows [`stop_role`] closed are gone, so their labels can be used again.
pub async fn role_windows_closed<R: Runtime>(app: &AppHandle<R>) {
    for _ in 0..100 {
        if ROLE_WINDOWS
            .iter()
            .all(|l| app.get_webview_window(l).is_none())
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tracing::warn!("the previous role's windows did not close in time");
}

/// Starts `launch`'s role: its state, its window.
pub fn launch<R: Runtime>(
    app: &AppHandle<R>,
    ctx: &AppCtx,
    launch: Launch,
) -> Result<(), LaunchError> {
    launch_role(app, ctx, launch)
}

fn launch_role<R: Runtime>(
    app: &AppHandle<R>,
    ctx: &AppCtx,
    launch: Launch,
) -> Result<(), LaunchError> {
    if let Some(running) = ctx.launched() {
        return Err(LaunchError::AlreadyRunning(running.role.label()));
    }
    let client = livewall_client::Client::new(&launch.server, launch.token.clone())
        .map_err(LaunchError::Client)?;
    let dir = &launch.data_dir;
    let event = launch.event.clone().unwrap_or_default();
    tracing::info!(role = launch.role.label(), server = %launch.server, %event, "starting");
    match launch.role {
        Role::Kiosk => {
            if lock(&ctx.lock).is_none() {
                match single::acquire(dir).map_err(LaunchError::Lock)? {
                    single::Lock::Acquired(l) => {
                        let listener = l.try_clone().map_err(LaunchError::Lock)?;
                        single::serve(app.clone(), listener);
                        *lock(&ctx.lock) = Some(l);
                    }
                    single::Lock::Taken => {
                        tracing::info!(
                            "a kiosk already runs for this data directory: focusing it instead"
                        );
                        app.exit(0);
                        return Ok(());
                    }
                }
                if single::has_session_bus() {
                    let plugin = tauri_plugin_single_instance::Builder::new()
                        .dbus_id(single::lock_name(dir))
                        .callback(|app, _argv, _cwd| single::focus(app))
                        .build();
                    if let Err(e) = app.plugin(plugin) {
                        tracing::warn!(error = %e, "single-instance plugin unavailable");
                    }
                }
            }
            let path = dir.join("wall-cache.db");
            let cache = livewall_client::cache::WallCache::open(&path)
                .map_err(|e| LaunchError::Storage(path.display().to_string(), e))?;
            *lock(&ctx.kiosk) = Some(Arc::new(kiosk::Kiosk::new(client, event, cache)));
            let mut builder =
                WebviewWindowBuilder::new(app, "kiosk", WebviewUrl::App("kiosk".into()));
            // Without a window manager (a bare X session on a mini-PC, Xvfb) fullscreen is only a hint: cover the
            // monitor explicitly as well.
            if let Ok(Some(m)) = app.primary_monitor() {
                let size = m.size().to_logical::<f64>(m.scale_factor());
                let pos = m.position().to_logical::<f64>(m.scale_factor());
                builder = builder
                    .inner_size(size.width, size.height)
                    .position(pos.x, pos.y);
            }
            let window = builder
                .title("livewall")
                .fullscreen(true)
                .decorations(false)
                .always_on_top(true)
                .visible_on_all_workspaces(true)
                .closable(false)
                .minimizable(false)
                .resizable(false)
                .zoom_hotkeys_enabled(false)
                .background_color(BACKGROUND)
                .data_directory(dir.join("webview"))
                .build()
                .map_err(|e| LaunchError::Window("kiosk", e))?;
            if let Err(e) = window.set_cursor_visible(false) {
                tracing::debug!(error = %e, "cannot hide the cursor");
            }
        }
        Role::Station => {
            let path = dir.join("outbox.db");
            let outbox = livewall_client::outbox::Outbox::open(&path)
                .map_err(|e| LaunchError::Storage(path.display().to_string(), e))?;
            // Badges may carry the embedded server's LAN address while this window uses the loopback one.
            let badge_servers: Vec<String> = ctx
                .embedded()
                .map(|e| e.public_url.clone())
                .into_iter()
                .collect();
            *lock(&ctx.station) = Some(Arc::new(station::Station::new(
                client,
                event,
                outbox,
                ctx.reader_filter.clone(),
                &badge_servers,
            )));
            WebviewWindowBuilder::new(app, "station", WebviewUrl::App("station".into()))
                .title("livewall · station")
                .inner_size(1280.0, 800.0)
                .maximized(true)
                .zoom_hotkeys_enabled(false)
                .background_color(BACKGROUND)
                .data_directory(dir.join("webview"))
                .build()
                .map_err(|e| LaunchError::Window("station", e))?;
        }
        Role::Admin => {
            // The admin screens come from the server itself (same origin for their REST calls); this capability
            // lets that origin, in the admin window only, call the badge commands.
            let origin = launch.server.clone();
            if trust::may_use_local_reader(&origin) {
                let cap = CapabilityBuilder::new("admin-remote")
                    .remote(format!("{origin}/*"))
                    .window("admin")
                    .permission("core:event:default")
                    .permission("allow-desktop-config")
                    .permission("allow-admin-wait-badge")
                    .permission("allow-admin-write-badge")
                    .permission("allow-admin-open-wall");
                if let Err(e) = app.add_capability(cap) {
                    tracing::error!(error = %e, "cannot grant the admin pages the badge commands");
                }
            } else {
                tracing::warn!(%origin, "the admin pages come over plain http from another machine: \
                    badge reading and writing stay off (use https, or the embedded server)");
            }
            let url = format!("{origin}/admin").parse().map_err(|_| {
                LaunchError::Client(livewall_client::ClientError::Url(origin.clone()))
            })?;
            WebviewWindowBuilder::new(app, "admin", WebviewUrl::External(url))
                .title("livewall · admin")
                .inner_size(1280.0, 860.0)
                .background_color(BACKGROUND)
                .data_directory(dir.join("webview"))
                .build()
                .map_err(|e| LaunchError::Window("admin", e))?;
        }
    }
    *lock(&ctx.launched) = Some(launch);
    Ok(())
}

/// Runs the app until it exits.
pub fn run(args: Args) -> Result<(), tauri::Error> {
    let app = builder::<tauri::Wry>(args).build(tauri::generate_context!())?;
    app.run(|app, event| {
        if let RunEvent::Exit = event
            && let Some(e) = app.state::<AppCtx>().embedded()
        {
            e.stop.cancel();
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use tauri::Manager;
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder, mock_context, noop_assets};
    use tauri::webview::InvokeRequest;

    use super::*;

    fn request(cmd: &str) -> InvokeRequest {
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost"
                .parse()
                .unwrap_or_else(|e| panic!("url: {e}")),
            body: InvokeBody::default(),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_owned(),
        }
    }

    /// The app builds on the mock runtime: with no settings it opens the settings window, whose `desktop_config`
    /// command answers; a command that was never registered does not.
    #[test]
    fn builds_on_the_mock_runtime_with_its_commands() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let args = Args::parse_from([
            "livewall".as_ref(),
            "--data-dir".as_ref(),
            tmp.path().as_os_str(),
        ]);
        let app = configure(mock_builder(), args)
            .build(mock_context(noop_assets()))
            .unwrap_or_else(|e| panic!("build: {e}"));
        let answers = std::sync::Arc::new(Mutex::new(None));
        let seen = answers.clone();
        // The setup (which opens the window) runs when the event loop starts; ask once it is ready, then leave.
        app.run_return(move |app, event| {
            if !matches!(event, RunEvent::Ready) {
                return;
            }
            // Without the window the loop would never end: fail here.
            let window = app.get_webview_window("settings").unwrap_or_else(|| {
                panic!(
                    "no settings window: {:?}",
                    app.webview_windows().keys().collect::<Vec<_>>()
                )
            });
            let asked = (
                get_ipc_response(&window, request("desktop_config")).map(|b| {
                    b.deserialize::<serde_json::Value>()
                        .map_err(|e| e.to_string())
                }),
                get_ipc_response(&window, request("no_such_command")).is_err(),
            );
            *seen.lock().unwrap_or_else(PoisonError::into_inner) = Some(asked);
            // The mock runtime ends its loop when the last window is gone.
            let _ = window.destroy();
        });
        let answers = answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some((Ok(Ok(config)), unknown_refused)) = answers else {
            panic!("no answer from desktop_config: {answers:?}");
        };
        assert_eq!(config["role"], serde_json::Value::Null, "{config}");
        assert_eq!(config["embedded"], serde_json::Value::Null, "{config}");
        assert_eq!(config["problem"], "choose what this device is", "{config}");
        assert!(unknown_refused, "an unregistered command answered");
    }
}
