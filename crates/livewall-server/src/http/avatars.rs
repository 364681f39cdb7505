//! `GET /avatars/{seed}.svg`: friendly generated portraits, so the demo (and events without photos) need no
//! internet. The same seed always draws the same face.

use super::extract::Path;
use crate::error::{Error, Result};
use crate::state::AppState;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/avatars/{file}", get(avatar))
}

const BACKGROUNDS: [&str; 10] = [
    "#5b8def", "#f28b82", "#fbbc04", "#34a853", "#a142f4", "#24c1e0", "#ff7043", "#8d6e63",
    "#ec407a", "#26a69a",
];
const SKIN: [&str; 6] = [
    "#f9d7c2", "#f1c27d", "#e0ac69", "#c68642", "#8d5524", "#5c3a1e",
];
const HAIR: [&str; 7] = [
    "#2c1b10", "#4a2c17", "#8b5a2b", "#d8b26e", "#b5651d", "#1c1c1c", "#9e9e9e",
];
const SHIRT: [&str; 6] = [
    "#263238", "#37474f", "#f5f5f5", "#1565c0", "#6a1b9a", "#2e7d32",
];

/// Draws the portrait for `seed` as SVG.
pub fn svg(seed: &str) -> String {
    let h = xxhash_rust::xxh3::xxh3_64(seed.as_bytes());
    let pick = |list: &[&'static str], shift: u32| list[((h >> shift) as usize) % list.len()];
    let bg = pick(&BACKGROUNDS, 0);
    let skin = pick(&SKIN, 8);
    let hair = pick(&HAIR, 16);
    let shirt = pick(&SHIRT, 24);
    let style = (h >> 32) % 4;
    let hair_shape = match style {
        0 => r#"<path d="M30 52 Q32 22 64 20 Q96 22 98 52 Q90 36 64 34 Q38 36 30 52Z""#.to_owned(),
        1 => r#"<path d="M26 70 Q22 20 64 18 Q106 20 102 70 L96 70 Q96 38 64 36 Q32 38 32 70Z""#
            .to_owned(),
        2 => r#"<circle cx="64" cy="34" r="22"/><path d="M34 50 Q36 26 64 24 Q92 26 94 50Z""#
            .to_owned(),
        _ => r#"<path d="M32 48 Q40 26 64 26 Q88 26 96 48 Q84 40 64 40 Q44 40 32 48Z""#.to_owned(),
    };
    let glasses = if (h >> 40).is_multiple_of(5) {
        r##"<g fill="none" stroke="#222" stroke-width="2.5"><circle cx="52" cy="58" r="8"/><circle cx="76" cy="58" r="8"/><path d="M60 58h8"/></g>"##
    } else {
        ""
    };
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 128 128" width="128" height="128"><rect width="128" height="128" fill="{bg}"/><path d="M20 128 Q24 96 64 94 Q104 96 108 128Z" fill="{shirt}"/><rect x="56" y="78" width="16" height="20" rx="6" fill="{skin}"/><ellipse cx="64" cy="58" rx="28" ry="32" fill="{skin}"/><g fill="{hair}">{hair_shape} /></g><circle cx="52" cy="58" r="3.2" fill="#222"/><circle cx="76" cy="58" r="3.2" fill="#222"/><path d="M54 74 Q64 82 74 74" stroke="#6d3b2a" stroke-width="3" fill="none" stroke-linecap="round"/>{glasses}</svg>"##
    )
}

/// A generated portrait; `file` is `<seed>.svg` with a seed of letters, digits, `-` or `_`.
#[utoipa::path(get, path = "/avatars/{file}", tag = "assets", params(("file" = String, Path)),
    responses((status = 200, content_type = "image/svg+xml"), (status = 404)))]
pub(crate) async fn avatar(Path(file): Path<String>) -> Result<Response> {
    let seed = file
        .strip_suffix(".svg")
        .filter(|s| {
            !s.is_empty()
                && s.len() <= 64
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .ok_or_else(|| {
            Error::NotFound(format!("no avatar {file:?}; ask for /avatars/<seed>.svg"))
        })?;
    let mut res = svg(seed).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400, immutable"),
    );
    Ok(res)
}
