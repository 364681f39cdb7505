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
pub mod station;
pub mod trust;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use tauri::ipc::CapabilityBuilder;
use tauri::{AppHandle, Manager, RunEvent, Runtime, WebviewUrl, WebviewWindowBuilder, WindowEvent};

use crate::cli::Args;
use crate::embedded::Embedded;
use crate::settings::{Launch, Role, Saved};

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

/// Everything shared by the commands about this device.
pub struct AppCtx {
    /// Where settings, cache and outbox live.
    pub data_dir: PathBuf,
    /// NFC reader name filter.
    pub reader_filter: Option<String>,
    /// The embedded server, when this app runs one.
    pub embedded: Option<Embedded>,
    saved: Mutex<Saved>,
    launched: Mutex<Option<Launch>>,
    problem: Mutex<Option<String>>,
    exit_allowed: AtomicBool,
    lock: Mutex<Option<std::os::unix::net::UnixListener>>,
}

impl AppCtx {
    /// The saved settings (merged with the command line).
    pub fn saved(&self) -> Saved {
        self.saved
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set_saved(&self, s: Saved) {
        *self.saved.lock().unwrap_or_else(PoisonError::into_inner) = s;
    }

    /// The running role's settings.
    pub fn launched(&self) -> Option<Launch> {
        self.launched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn problem(&self) -> Option<String> {
        self.problem
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
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
        commands::kiosk::kiosk_start,
        commands::kiosk::kiosk_exit,
        commands::station::station_start,
        commands::station::station_key_uid,
        commands::admin::admin_wait_badge,
        commands::admin::admin_write_badge,
    ])
    .on_window_event(|window, event| {
        if let WindowEvent::CloseRequested { api, .. } = event
            && window.label() == Role::Kiosk.label()
            && !window.state::<AppCtx>().exit_allowed.load(Ordering::SeqCst)
        {
            // Alt+F4 or a stray window-manager gesture must not take the wall down.
            tracing::info!("kiosk close request ignored (use the exit chord)");
            api.prevent_close();
        }
    })
    .setup(move |app| {
        setup(app.handle(), &args)?;
        Ok(())
    })
}

fn setup<R: Runtime>(app: &AppHandle<R>, args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let data_dir = match &args.data_dir {
        Some(d) => d.clone(),
        None => app.path().app_data_dir()?,
    };
    std::fs::create_dir_all(&data_dir)?;
    let mut flags = args.as_saved();
    let embedded = match (&args.db, args.embedded_server) {
        (Some(db), true) => {
            let e = embedded::start(
                db.clone(),
                args.bind,
                args.ui_dir.clone(),
                args.admin_password.clone(),
            )?;
            flags.server = flags.server.or_else(|| Some(e.url.clone()));
            Some(e)
        }
        _ => None,
    };
    let saved = Saved::load(&data_dir).overlay(flags);
    let ctx = AppCtx {
        data_dir: data_dir.clone(),
        reader_filter: args.reader.clone(),
        embedded,
        saved: Mutex::new(saved.clone()),
        launched: Mutex::new(None),
        problem: Mutex::new(None),
        exit_allowed: AtomicBool::new(false),
        lock: Mutex::new(None),
    };
    app.manage(ctx);
    app.manage(commands::kiosk::PinGuard::default());
    let ctx = app.state::<AppCtx>();
    match Launch::check(saved, data_dir.clone()) {
        Ok(launch) if !args.settings => launch_role(app, &ctx, launch)?,
        Ok(_) => open_settings(app, &data_dir, None)?,
        Err(why) => {
            *ctx.problem.lock().unwrap_or_else(PoisonError::into_inner) = Some(why.message.clone());
            open_settings(app, &data_dir, Some(why.message))?;
        }
    }
    Ok(())
}

fn open_settings<R: Runtime>(
    app: &AppHandle<R>,
    data_dir: &std::path::Path,
    problem: Option<String>,
) -> Result<(), LaunchError> {
    tracing::info!(?problem, "showing the settings screen");
    // The same web context as the role window it starts: WebKitGTK lets only the first web context of a process be
    // automated, so a role opened from this screen stays reachable by the WebDriver end-to-end tests.
    WebviewWindowBuilder::new(app, "settings", WebviewUrl::App("settings".into()))
        .title("livewall · settings")
        .inner_size(760.0, 720.0)
        .data_directory(data_dir.join("webview"))
        .build()
        .map_err(|e| LaunchError::Window("settings", e))?;
    Ok(())
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
            match single::acquire(dir).map_err(LaunchError::Lock)? {
                single::Lock::Acquired(l) => {
                    let listener = l.try_clone().map_err(LaunchError::Lock)?;
                    single::serve(app.clone(), listener);
                    *ctx.lock.lock().unwrap_or_else(PoisonError::into_inner) = Some(l);
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
            let path = dir.join("wall-cache.db");
            let cache = livewall_client::cache::WallCache::open(&path)
                .map_err(|e| LaunchError::Storage(path.display().to_string(), e))?;
            app.manage(kiosk::Kiosk::new(client, event, cache));
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
                .closable(false)
                .resizable(false)
                .zoom_hotkeys_enabled(false)
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
            app.manage(station::Station::new(
                client,
                event,
                outbox,
                ctx.reader_filter.clone(),
            ));
            WebviewWindowBuilder::new(app, "station", WebviewUrl::App("station".into()))
                .title("livewall · station")
                .inner_size(1280.0, 800.0)
                .maximized(true)
                .zoom_hotkeys_enabled(false)
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
                    .permission("allow-admin-write-badge");
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
                .data_directory(dir.join("webview"))
                .build()
                .map_err(|e| LaunchError::Window("admin", e))?;
        }
    }
    *ctx.launched.lock().unwrap_or_else(PoisonError::into_inner) = Some(launch);
    Ok(())
}

/// Runs the app until it exits.
pub fn run(args: Args) -> Result<(), tauri::Error> {
    let app = builder::<tauri::Wry>(args).build(tauri::generate_context!())?;
    app.run(|app, event| {
        if let RunEvent::Exit = event
            && let Some(e) = &app.state::<AppCtx>().embedded
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
        assert_eq!(config["embeddedServer"], false, "{config}");
        assert_eq!(config["problem"], "choose what this device is", "{config}");
        assert!(unknown_refused, "an unregistered command answered");
    }
}
