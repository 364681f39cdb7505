//! Starting and stopping the device's role: its windows, its running parts, the settings screen over it, and the
//! embedded server the roles talk to on a one-laptop event.

use std::sync::Arc;

use tauri::ipc::CapabilityBuilder;
use tauri::window::Color;
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

use crate::context::{AppCtx, lock};
use crate::embedded::{self, EmbeddedError};
use crate::settings::{Launch, Role};
use crate::{kiosk, single_instance, station, trust};

/// The colour every window shows before its first frame: the wall's own background, never a white flash.
pub(crate) const BACKGROUND: Color = Color(11, 13, 23, 255);

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

/// Starts (or restarts on `port`) the embedded server; on failure the reason is kept for the settings screen, with
/// a free port to offer when the usual one is taken.
pub fn start_embedded(ctx: &AppCtx, port: Option<u16>) -> Result<(), EmbeddedError> {
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

pub(crate) fn open_settings<R: Runtime>(
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

pub(crate) fn launch_role<R: Runtime>(
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
                match single_instance::acquire(dir).map_err(LaunchError::Lock)? {
                    single_instance::Lock::Acquired(l) => {
                        let listener = l.try_clone().map_err(LaunchError::Lock)?;
                        single_instance::serve(app.clone(), listener);
                        *lock(&ctx.lock) = Some(l);
                    }
                    single_instance::Lock::Taken => {
                        tracing::info!(
                            "a kiosk already runs for this data directory: focusing it instead"
                        );
                        app.exit(0);
                        return Ok(());
                    }
                }
                if single_instance::has_session_bus() {
                    let plugin = tauri_plugin_single_instance::Builder::new()
                        .dbus_id(single_instance::lock_name(dir))
                        .callback(|app, _argv, _cwd| single_instance::focus(app))
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
