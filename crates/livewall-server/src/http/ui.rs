//! The web UI (`ui/dist`, built by Vite): `/wall/{event}`, `/station`, `/admin` all load the one-page app, which
//! picks its view from the path; `/assets/*` are its files. So a wall works in any browser.

use crate::error::Error;
use crate::live::{Upgrader, is_upgrade};
use crate::state::AppState;
use axum::Router;
use axum::extract::{Request, State};
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

/// The page at `/`. The original clients open their socket at the deployment's root, so an upgrade there is handed
/// to the live feed ([`root`]); anything else gets this page.
#[derive(Clone)]
pub(crate) struct StartPage(Option<ServeFile>);

impl StartPage {
    pub(crate) fn new(dir: Option<&Path>) -> Self {
        Self(dir.map(|d| ServeFile::new(d.join("index.html"))))
    }

    pub(crate) async fn respond(&self, req: axum::extract::Request) -> axum::response::Response {
        use tower::ServiceExt;
        match &self.0 {
            Some(file) => match file.clone().oneshot(req).await {
                Ok(res) => res.into_response(),
                Err(never) => match never {},
            },
            None => not_built().into_response(),
        }
    }
}

fn not_built() -> Error {
    Error::Unavailable(
        "the web UI is not built: run `npm --prefix ui ci && npm --prefix ui run build`, or pass --ui-dir".into(),
    )
}

/// `/`: the live feed for an upgrade (the original clients' socket), the start page otherwise.
pub(crate) fn root(page: StartPage, live: Upgrader) -> Router<AppState> {
    Router::new().route(
        "/",
        get(move |State(s): State<AppState>, req: Request| async move {
            if is_upgrade(&req) {
                live.upgrade(s, req).await
            } else {
                page.respond(req).await
            }
        }),
    )
}

pub(crate) fn router(dir: Option<PathBuf>) -> Router<AppState> {
    const PAGES: [&str; 5] = [
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
            let missing = || async { not_built().into_response() };
            let mut r = Router::new();
            for page in PAGES {
                r = r.route(page, get(missing));
            }
            r
        }
    }
}
