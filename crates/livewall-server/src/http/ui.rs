//! The web UI (`ui/dist`, built by Vite): `/wall/{event}`, `/station`, `/admin` all load the one-page app, which
//! picks its view from the path; `/assets/*` are its files. So a wall works in any browser.

use crate::error::Error;
use crate::state::AppState;
use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;
use std::path::{Path, PathBuf};
use tower_http::services::{ServeDir, ServeFile};

/// Where the built UI is: the configured folder, else `ui/dist` of this source tree when it exists.
pub fn ui_dir(configured: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = configured {
        return Some(p.to_owned());
    }
    let dev = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist");
    dev.join("index.html").is_file().then_some(dev)
}

pub(crate) fn router(dir: Option<PathBuf>) -> Router<AppState> {
    const PAGES: [&str; 6] = [
        "/",
        "/wall/{event}",
        "/station",
        "/admin",
        "/admin/{*rest}",
        "/kiosk",
    ];
    match dir {
        Some(dir) => {
            let index = ServeFile::new(dir.join("index.html"));
            let mut r = Router::new().nest_service("/assets", ServeDir::new(dir.join("assets")));
            for page in PAGES {
                r = r.route_service(page, index.clone());
            }
            r
        }
        None => {
            let missing = || async {
                Error::Unavailable(
                    "the web UI is not built: run `npm --prefix ui ci && npm --prefix ui run build`, or pass --ui-dir"
                        .into(),
                )
                .into_response()
            };
            let mut r = Router::new();
            for page in PAGES {
                r = r.route(page, get(missing));
            }
            r
        }
    }
}
