//! Device settings: what the command line gives, what was saved by the first-run settings screen, and the checked
//! [`Launch`] the rest of the app trusts (two phases: raw values, then validated settings).

use std::path::{Path, PathBuf};

use crate::error::{CommandError, ErrorCode};
pub use livewall_protocol::{DesktopSettings as Saved, DeviceSetup, Role};

/// File name of the saved settings inside the data directory.
const FILE: &str = "settings.json";

/// Reads the saved settings; a missing file is an empty form, an unreadable one is reported and ignored.
pub fn load(dir: &Path) -> Saved {
    let path = dir.join(FILE);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::warn!(path = %path.display(), error = %e, "ignoring unreadable settings");
            Saved::default()
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Saved::default(),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot read settings");
            Saved::default()
        }
    }
}

/// Writes the settings atomically (temporary file + rename), so a power cut never leaves half a file. The file
/// holds the device token and the staff PIN: readable by its owner only.
pub fn save(settings: &Saved, dir: &Path) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!("{FILE}.tmp"));
    let _ = std::fs::remove_file(&tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&tmp)?;
    f.write_all(&serde_json::to_vec_pretty(settings)?)?;
    f.sync_all()?;
    std::fs::rename(tmp, dir.join(FILE))
}

/// `base` with the fields `over` has replaced (command-line flags win over saved values, a new form over the old).
pub fn overlay(mut base: Saved, over: Saved) -> Saved {
    base.role = over.role.or(base.role);
    base.server = over.server.or(base.server);
    base.token = over.token.or(base.token);
    base.event = over.event.or(base.event);
    base.exit_pin = over.exit_pin.or(base.exit_pin);
    base
}

/// Checked settings for one run of one role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    /// The role.
    pub role: Role,
    /// Server base URL without a trailing `/`.
    pub server: String,
    /// Device token, when the role uses one.
    pub token: Option<String>,
    /// Event id (kiosk and station).
    pub event: Option<String>,
    /// PIN to leave the kiosk.
    pub exit_pin: Option<String>,
    /// Where the cache, the outbox and the settings live.
    pub data_dir: PathBuf,
}

/// A server URL as the app uses it: `http(s)://host[:port][/path]` without a trailing `/`.
pub fn normalise_server(raw: &str) -> Result<String, CommandError> {
    let s = raw.trim().trim_end_matches('/');
    let rest = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"))
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::InvalidInput,
                format!("the server address must start with http:// or https:// (got {raw:?})"),
            )
        })?;
    if rest.is_empty() || rest.contains(char::is_whitespace) {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            format!("{raw:?} is not a server address"),
        ));
    }
    Ok(s.to_owned())
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl Launch {
    /// Validates `s`; the error says what the settings screen must still ask for.
    pub fn check(s: Saved, data_dir: PathBuf) -> Result<Self, CommandError> {
        let role = s.role.ok_or_else(|| {
            CommandError::new(ErrorCode::NotConfigured, "choose what this device is")
        })?;
        let server = normalise_server(&non_empty(s.server).ok_or_else(|| {
            CommandError::new(ErrorCode::NotConfigured, "enter the server address")
        })?)?;
        let token = non_empty(s.token);
        let event = non_empty(s.event);
        if role != Role::Admin && event.is_none() {
            return Err(CommandError::new(
                ErrorCode::NotConfigured,
                "enter the event this device is for",
            ));
        }
        if role == Role::Station && token.is_none() {
            return Err(CommandError::new(
                ErrorCode::NotConfigured,
                "a station needs its device token (mint one in the admin screens)",
            ));
        }
        Ok(Self {
            role,
            server,
            token,
            event,
            exit_pin: non_empty(s.exit_pin),
            data_dir,
        })
    }
}

/// Reads the QR code in an image file's bytes (PNG or JPEG) and interprets it as device settings.
pub fn decode_qr(bytes: &[u8]) -> Result<DeviceSetup, CommandError> {
    let img = image::load_from_memory(bytes)
        .map_err(|e| CommandError::new(ErrorCode::NoQrCode, format!("not a readable image: {e}")))?
        .to_luma8();
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| img.as_raw()[y * w + x]);
    let text = prepared
        .detect_grids()
        .into_iter()
        .find_map(|g| g.decode().ok().map(|(_, text)| text))
        .ok_or_else(|| CommandError::new(ErrorCode::NoQrCode, "no QR code found in the image"))?;
    parse_setup(&text)
}

fn setup_error(why: impl std::fmt::Display) -> CommandError {
    CommandError::new(
        ErrorCode::NoQrCode,
        format!("this is not a livewall setup link or device token: {why}"),
    )
}

/// Reads what a setup link, a QR code or a pasted text carries:
/// - a setup link `http(s)://server/setup#role=station&event=ev&token=…` (as the admin screens mint it; the
///   fields may also be in the query, and `server=` may name another server than the link's own);
/// - JSON `{"server":..,"token":..,"event":..,"role":..}`;
/// - the bare token.
pub fn parse_setup(text: &str) -> Result<DeviceSetup, CommandError> {
    let text = text.trim();
    if text.starts_with('{') {
        #[derive(serde::Deserialize)]
        struct J {
            token: String,
            server: Option<String>,
            #[serde(alias = "eventId")]
            event: Option<String>,
            role: Option<Role>,
        }
        let j: J = serde_json::from_str(text).map_err(setup_error)?;
        return Ok(DeviceSetup {
            token: j.token,
            server: j.server,
            event: j.event,
            role: j.role,
        });
    }
    if text.starts_with("http://") || text.starts_with("https://") {
        let url = url::Url::parse(text).map_err(setup_error)?;
        let mut out = DeviceSetup::default();
        let fragment = url.fragment().unwrap_or_default();
        let pairs = url
            .query_pairs()
            .chain(url::form_urlencoded::parse(fragment.as_bytes()));
        for (k, v) in pairs {
            let v = v.trim().to_owned();
            match k.as_ref() {
                "token" => out.token = v,
                "server" => out.server = Some(v),
                "event" | "eventId" => out.event = Some(v),
                "role" => out.role = Some(v.parse().map_err(setup_error)?),
                _ => {}
            }
        }
        if out.token.is_empty() {
            return Err(setup_error("the link carries no token"));
        }
        if out.server.is_none() {
            out.server = Some(url.origin().ascii_serialization());
        }
        return Ok(out);
    }
    if text.is_empty() || text.contains(char::is_whitespace) {
        return Err(setup_error("it is empty or has spaces"));
    }
    Ok(DeviceSetup {
        token: text.to_owned(),
        ..DeviceSetup::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> PathBuf {
        PathBuf::from("/tmp/unused")
    }

    #[cfg(unix)]
    #[test]
    fn saved_settings_are_readable_by_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().expect("tempdir");
        let saved = Saved {
            token: Some("secret-token".into()),
            exit_pin: Some("2468".into()),
            ..Saved::default()
        };
        save(&saved, tmp.path()).expect("save");
        save(&saved, tmp.path()).expect("save again over the first");
        let mode = std::fs::metadata(tmp.path().join(FILE))
            .expect("settings file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(load(tmp.path()).token.as_deref(), Some("secret-token"));
    }

    #[test]
    fn flags_win_over_saved_settings() {
        let saved = Saved {
            role: Some(Role::Kiosk),
            server: Some("http://a:1".into()),
            event: Some("e1".into()),
            ..Saved::default()
        };
        let flags = Saved {
            server: Some("https://b.example/".into()),
            ..Saved::default()
        };
        let launch = Launch::check(overlay(saved, flags), dir()).map_err(|e| e.message);
        assert_eq!(
            launch.map(|l| (l.role, l.server, l.event)),
            Ok((Role::Kiosk, "https://b.example".into(), Some("e1".into())))
        );
    }

    #[test]
    fn incomplete_settings_say_what_is_missing() {
        let station = Saved {
            role: Some(Role::Station),
            server: Some("http://a:1".into()),
            event: Some("e1".into()),
            token: Some("  ".into()),
            ..Saved::default()
        };
        let err = Launch::check(station, dir()).err().map(|e| e.code);
        assert_eq!(err, Some(ErrorCode::NotConfigured));
        let kiosk = Saved {
            role: Some(Role::Kiosk),
            server: Some("a:1".into()),
            event: Some("e1".into()),
            ..Saved::default()
        };
        assert_eq!(
            Launch::check(kiosk, dir()).err().map(|e| e.code),
            Some(ErrorCode::InvalidInput)
        );
        let admin = Saved {
            role: Some(Role::Admin),
            server: Some("http://a:1".into()),
            ..Saved::default()
        };
        assert!(Launch::check(admin, dir()).is_ok());
    }

    #[test]
    fn settings_round_trip_through_the_file() {
        let tmp = tempfile::tempdir().map_err(|e| e.to_string());
        let Ok(tmp) = tmp else {
            panic!("tempdir: {tmp:?}");
        };
        let s = Saved {
            role: Some(Role::Station),
            server: Some("http://x:9".into()),
            token: Some("tok".into()),
            event: Some("ev".into()),
            exit_pin: None,
        };
        assert_eq!(load(tmp.path()), Saved::default());
        save(&s, tmp.path())
            .map_err(|e| e.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(load(tmp.path()), s);
        std::fs::write(tmp.path().join(FILE), b"{not json").unwrap_or_default();
        assert_eq!(load(tmp.path()), Saved::default());
    }

    #[test]
    fn setup_texts_fill_every_field() {
        let j =
            parse_setup(r#"{"server":"http://s:1","token":"T1","eventId":"ev","role":"kiosk"}"#);
        assert_eq!(
            j.ok(),
            Some(DeviceSetup {
                token: "T1".into(),
                server: Some("http://s:1".into()),
                event: Some("ev".into()),
                role: Some(Role::Kiosk),
            })
        );
        // The link the admin screens mint: the server is the link's own origin, the rest in the fragment.
        let minted = parse_setup(
            "http://192.168.1.20:8080/setup#role=station&event=summit%2026&token=a.b-c",
        );
        assert_eq!(
            minted.ok(),
            Some(DeviceSetup {
                token: "a.b-c".into(),
                server: Some("http://192.168.1.20:8080".into()),
                event: Some("summit 26".into()),
                role: Some(Role::Station),
            })
        );
        let query = parse_setup("https://wall.example.org/station?event=ev&token=T2");
        assert_eq!(
            query.ok().map(|q| (q.token, q.event, q.server)),
            Some((
                "T2".into(),
                Some("ev".into()),
                Some("https://wall.example.org".into())
            ))
        );
        assert_eq!(parse_setup(" T3 ").ok().map(|q| q.token), Some("T3".into()));
        assert!(parse_setup("two words").is_err());
        assert!(
            parse_setup("http://s:1/setup#role=station&event=ev").is_err(),
            "no token"
        );
        assert!(
            parse_setup("http://s:1/setup#role=projector&token=t").is_err(),
            "no such role"
        );
    }

    #[test]
    fn decodes_a_qr_code_from_a_png() {
        let code = qrcode::QrCode::new(
            br#"{"server":"http://10.0.0.2:8080","token":"dev-tok","event":"summit"}"#,
        )
        .unwrap_or_else(|e| panic!("encode: {e}"));
        let width = code.width();
        let colors = code.to_colors();
        let (scale, quiet) = (6usize, 4usize);
        let side = u32::try_from((width + 2 * quiet) * scale).unwrap_or(0);
        let img = image::GrayImage::from_fn(side, side, |x, y| {
            let (mx, my) = (x as usize / scale, y as usize / scale);
            let dark = mx >= quiet
                && my >= quiet
                && mx < width + quiet
                && my < width + quiet
                && colors[(my - quiet) * width + (mx - quiet)] == qrcode::Color::Dark;
            image::Luma([if dark { 0 } else { 255 }])
        });
        let mut png = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap_or_else(|e| panic!("png: {e}"));
        let got = decode_qr(&png).map_err(|e| e.message);
        assert_eq!(
            got,
            Ok(DeviceSetup {
                token: "dev-tok".into(),
                server: Some("http://10.0.0.2:8080".into()),
                event: Some("summit".into()),
                role: None,
            })
        );
        assert_eq!(
            decode_qr(b"not an image").err().map(|e| e.code),
            Some(ErrorCode::NoQrCode)
        );
    }
}
