//! Generates the per-command permissions (`allow-<command>`) so the capability files can grant each role's window
//! only its own commands: without an app manifest every window could call every command.

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&[
        "desktop_config",
        "settings_save",
        "settings_decode_qr",
        "settings_parse_link",
        "settings_open",
        "embedded_restart",
        "kiosk_start",
        "kiosk_exit",
        "station_start",
        "station_key_uid",
        "admin_wait_badge",
        "admin_write_badge",
        "admin_open_wall",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .unwrap_or_else(|e| panic!("tauri-build failed: {e:#}"));
}
