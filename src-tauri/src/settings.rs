//! Device settings: what the command line gives, what was saved by the first-run settings screen, and the checked
//! [`Launch`] the rest of the app trusts (two phases: raw values, then validated settings).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{CommandError, ErrorCode};

/// What this device is at the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The fullscreen wall behind a big screen.
    Kiosk,
    /// The NFC station where two people tap their badges.
    Station,
    /// The organiser's window.
    Admin,
}

impl Role {
    /// The window label of the role, which the capability files are bound to.
    pub fn label(self) -> &'static str {
        match self {
            Self::Kiosk => "kiosk",
            Self::Station => "station",
            Self::Admin => "admin",
        }
    }
}

/// Settings as saved by the settings screen (every field optional: a half-filled form is kept as typed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Saved {
    /// The role.
    pub role: Option<Role>,
    /// Base URL of the server, e.g. `http://192.168.1.20:8080`.
    pub server: Option<String>,
    /// Device token (kiosk or station) minted in the admin screens.
    pub token: Option<String>,
    /// Event id.
    pub event: Option<String>,
    /// PIN that lets staff leave the kiosk.
    pub exit_pin: Option<String>,
}

/// File name of the saved settings inside the data directory.
const FILE: &str = "settings.json";

impl Saved {
    /// Reads the saved settings; a missing file is an empty form, an unreadable one is reported and ignored.
    pub fn load(dir: &Path) -> Self {
        let path = dir.join(FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(path = %path.display(), error = %e, "ignoring unreadable settings");
                Self::default()
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::default(),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "cannot read settings");
                Self::default()
            }
        }
    }

    /// Writes the settings atomically (temporary file + rename), so a power cut never leaves half a file. The file
    /// holds the device token and the exit PIN: readable by its owner only.
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
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
        f.write_all(&serde_json::to_vec_pretty(self)?)?;
        f.sync_all()?;
        std::fs::rename(tmp, dir.join(FILE))
    }

    /// `self` with the fields `over` has replaced (command-line flags win over saved values).
    pub fn overlay(mut self, over: Saved) -> Self {
        self.role = over.role.or(self.role);
        self.server = over.server.or(self.server);
        self.token = over.token.or(self.token);
        self.event = over.event.or(self.event);
        self.exit_pin = over.exit_pin.or(self.exit_pin);
        self
    }
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

/// What a device QR code carried.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QrSettings {
    /// The device token.
    pub token: String,
    /// The server, when the code names it.
    pub server: Option<String>,
    /// The event, when the code names it.
    pub event: Option<String>,
}

/// Reads the QR code in an image file's bytes (PNG or JPEG) and interprets it as device settings.
pub fn decode_qr(bytes: &[u8]) -> Result<QrSettings, CommandError> {
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
    parse_qr_text(&text)
}

/// A device code is either JSON (`{"server":..,"token":..,"event":..}`), a link carrying `token=` (and maybe
/// `server=`/`event=`) in its query, or the bare token.
pub fn parse_qr_text(text: &str) -> Result<QrSettings, CommandError> {
    let text = text.trim();
    if text.starts_with('{') {
        #[derive(Deserialize)]
        struct J {
            token: String,
            server: Option<String>,
            #[serde(alias = "eventId")]
            event: Option<String>,
        }
        let j: J = serde_json::from_str(text).map_err(|e| {
            CommandError::new(
                ErrorCode::NoQrCode,
                format!("the QR code is not device settings: {e}"),
            )
        })?;
        return Ok(QrSettings {
            token: j.token,
            server: j.server,
            event: j.event,
        });
    }
    if let Some((_, query)) = text.split_once('?') {
        let mut out = QrSettings::default();
        for pair in query.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = v.to_owned();
            match k {
                "token" => out.token = v,
                "server" => out.server = Some(v),
                "event" | "eventId" => out.event = Some(v),
                _ => {}
            }
        }
        if !out.token.is_empty() {
            return Ok(out);
        }
    }
    if text.is_empty() || text.contains(char::is_whitespace) {
        return Err(CommandError::new(
            ErrorCode::NoQrCode,
            "the QR code does not hold a device token",
        ));
    }
    Ok(QrSettings {
        token: text.to_owned(),
        ..QrSettings::default()
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
        saved.save(tmp.path()).expect("save");
        saved.save(tmp.path()).expect("save again over the first");
        let mode = std::fs::metadata(tmp.path().join(FILE))
            .expect("settings file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(
            Saved::load(tmp.path()).token.as_deref(),
            Some("secret-token")
        );
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
        let launch = Launch::check(saved.overlay(flags), dir()).map_err(|e| e.message);
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
        assert_eq!(Saved::load(tmp.path()), Saved::default());
        s.save(tmp.path())
            .map_err(|e| e.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Saved::load(tmp.path()), s);
        std::fs::write(tmp.path().join(FILE), b"{not json").unwrap_or_default();
        assert_eq!(Saved::load(tmp.path()), Saved::default());
    }

    #[test]
    fn qr_text_forms() {
        let j = parse_qr_text(r#"{"server":"http://s:1","token":"T1","eventId":"ev"}"#);
        assert_eq!(
            j.ok(),
            Some(QrSettings {
                token: "T1".into(),
                server: Some("http://s:1".into()),
                event: Some("ev".into())
            })
        );
        let link = parse_qr_text("http://s:1/station?event=ev&token=T2");
        assert_eq!(
            link.ok().map(|q| (q.token, q.event)),
            Some(("T2".into(), Some("ev".into())))
        );
        assert_eq!(
            parse_qr_text(" T3 ").ok().map(|q| q.token),
            Some("T3".into())
        );
        assert!(parse_qr_text("two words").is_err());
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
            Ok(QrSettings {
                token: "dev-tok".into(),
                server: Some("http://10.0.0.2:8080".into()),
                event: Some("summit".into())
            })
        );
        assert_eq!(
            decode_qr(b"not an image").err().map(|e| e.code),
            Some(ErrorCode::NoQrCode)
        );
    }
}
