//! The livewall desktop app: one Tauri 2 binary whose role is chosen by argument or saved settings.
//!
//! - **kiosk**: the fullscreen wall, drawn at once from the SQLite cache and then followed live ([`kiosk`]).
//! - **station**: NFC taps paired into connections, queued durably and delivered exactly once ([`station`]).
//! - **admin**: the organiser's screens, served by the server, plus badge enrolment on the local reader
//!   ([`enrolment`]).
//! - **embedded server**: the server crate in this process for a one-laptop event ([`embedded`]).
//!
//! A thin shell: the work is done by `livewall-client`, `livewall-nfc` and `livewall-server`. Every role has its
//! own window label, and the capability files grant each label only its own commands.
//!
//! Rooms: `commands/` (one file per role, plus the settings every window reads) only translate IPC calls into calls
//! on [`context::AppCtx`] (the shared state) and [`roles`] (starting and stopping a role's windows and parts); the
//! role modules ([`kiosk`], [`station`], [`enrolment`], [`embedded`]) never reach back into `commands/`.

pub mod cli;
pub mod commands;
pub mod context;
pub mod embedded;
pub mod enrolment;
pub mod error;
pub mod kiosk;
pub mod roles;
pub mod settings;
pub mod single_instance;
pub mod staff;
pub mod station;
pub mod trust;

use tauri::{AppHandle, Manager, RunEvent, Runtime, WindowEvent};

use crate::cli::Args;
pub use crate::context::AppCtx;
use crate::embedded::EmbeddedConfig;
pub use crate::roles::LaunchError;
use crate::roles::{launch_role, open_settings, start_embedded};
use crate::settings::{Launch, Role};

/// The app for `args`, on any runtime.
pub fn builder<R: Runtime>(args: Args) -> tauri::Builder<R> {
    configure(tauri::Builder::<R>::new(), args)
}

/// `base` with the app's commands, window rules and start-up for `args` (`tauri::test::mock_builder()` in tests).
pub fn configure<R: Runtime>(base: tauri::Builder<R>, args: Args) -> tauri::Builder<R> {
    base.invoke_handler(tauri::generate_handler![
        commands::settings::desktop_config,
        commands::settings::settings_save,
        commands::settings::settings_decode_qr,
        commands::settings::settings_parse_link,
        commands::settings::settings_open,
        commands::settings::embedded_restart,
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
                && !window.state::<AppCtx>().exit_allowed() =>
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
    let ctx = AppCtx::new(
        data_dir.clone(),
        args.reader.clone(),
        embedded_config,
        saved,
    );
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
    use std::sync::{Mutex, PoisonError};

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
