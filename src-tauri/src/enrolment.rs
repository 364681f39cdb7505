//! Badge enrolment on the admin machine's reader: wait for a badge, or write a profile URL onto one and check it.
//!
//! Each call watches the reader only for its own duration (the admin window does not need a reader most of the
//! time, and a station on the same machine must not be starved), on a blocking thread.

use std::time::{Duration, Instant};

use livewall_nfc::{BackendConfig, NfcEvent, PcscBackend, PcscConfig, TagEvent};
use livewall_protocol::TagUid;
use serde::Serialize;

use crate::error::{CommandError, CommandResult, ErrorCode};

/// How long to wait for pcscd to report a reader before saying there is none.
const READER_GRACE: Duration = Duration::from_millis(2500);
/// The longest wait a caller may ask for.
pub const MAX_WAIT: Duration = Duration::from_secs(120);

/// A badge on the admin reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BadgeSeen {
    /// UID, uppercase hex.
    pub uid: String,
    /// The URI written on it, if any.
    pub uri: Option<String>,
    /// Tag type, as the NFC crate names it (e.g. `ntag213`).
    pub tag_type: String,
}

/// A badge written and verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BadgeWritten {
    /// UID, uppercase hex.
    pub uid: String,
}

impl From<&TagEvent> for BadgeSeen {
    fn from(t: &TagEvent) -> Self {
        Self {
            uid: t.uid.clone(),
            uri: t.uri.clone(),
            tag_type: serde_json::to_value(t.tag_type)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| format!("{:?}", t.tag_type)),
        }
    }
}

/// Waits up to `timeout` for a badge on a reader matching `filter`.
pub fn wait_badge(filter: Option<String>, timeout: Duration) -> CommandResult<TagEvent> {
    let timeout = timeout.min(MAX_WAIT);
    let stream = livewall_nfc::watch(BackendConfig::Pcsc(PcscConfig {
        reader_filter: filter,
        ..PcscConfig::default()
    }))?;
    let start = Instant::now();
    let mut readers = 0usize;
    let mut service_down: Option<String> = None;
    loop {
        let elapsed = start.elapsed();
        if elapsed >= timeout {
            return Err(CommandError::new(
                ErrorCode::Timeout,
                format!(
                    "no badge was placed on the reader within {} s",
                    timeout.as_secs()
                ),
            ));
        }
        if readers == 0 && elapsed >= READER_GRACE {
            return Err(match service_down {
                Some(m) => CommandError::new(
                    ErrorCode::ReaderService,
                    format!("the smart-card service is not running ({m}); start pcscd"),
                ),
                None => CommandError::new(
                    ErrorCode::NoReader,
                    "no NFC reader found: plug in a USB reader (e.g. ACR122U)",
                ),
            });
        }
        let slice = (timeout - elapsed).min(Duration::from_millis(250));
        match stream.recv_timeout(slice) {
            Some(NfcEvent::ReaderAttached { watched: true, .. }) => readers += 1,
            Some(NfcEvent::ReaderDetached { .. }) => readers = readers.saturating_sub(1),
            Some(NfcEvent::ServiceDown { message, .. }) => service_down = Some(message),
            Some(NfcEvent::ServiceUp { .. }) => service_down = None,
            Some(NfcEvent::TagPresent(tag)) => return Ok(tag),
            Some(NfcEvent::Error { message, .. }) => {
                tracing::info!(%message, "reader error while waiting for a badge");
            }
            Some(NfcEvent::ReaderAttached { .. } | NfcEvent::TagRemoved { .. }) | None => {}
        }
    }
}

/// What an enrolment may overwrite.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteGuard {
    /// The badge the organiser checked (its UID): another badge on the reader is refused.
    pub expect_uid: Option<String>,
    /// Overwrite a badge that already holds another link (the organiser confirmed it).
    pub replace: bool,
}

/// Decides whether `tag` may receive `url`: `Ok(false)` when it already holds exactly that link.
pub fn may_write(tag: &TagEvent, url: &str, guard: &WriteGuard) -> CommandResult<bool> {
    if let Some(expected) = &guard.expect_uid
        && !same_badge(expected, &tag.uid)
    {
        return Err(CommandError::new(
            ErrorCode::WrongBadge,
            format!(
                "another badge is on the reader now (UID {}): put back the badge you tapped (UID {expected})",
                tag.uid
            ),
        ));
    }
    match tag.uri.as_deref() {
        Some(held) if held == url => Ok(false),
        Some(held) if !guard.replace => Err(CommandError::new(
            ErrorCode::BadgeInUse,
            format!(
                "this badge already holds another link ({held}), so it may be someone else's: use a blank badge, \
                 or choose Replace to overwrite it"
            ),
        )),
        _ => Ok(true),
    }
}

/// Waits for a badge, checks it may take `url` (see [`WriteGuard`]), writes it as an NDEF URI record and checks
/// the read-back.
pub fn write_badge(
    filter: Option<String>,
    url: &str,
    timeout: Duration,
    guard: &WriteGuard,
) -> CommandResult<BadgeWritten> {
    if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 800 {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            "the badge URL must be an http(s) link of reasonable length",
        ));
    }
    let tag = wait_badge(filter, timeout)?;
    if !may_write(&tag, url, guard)? {
        tracing::info!(uid = %tag.uid, url, "badge already holds this link");
        return Ok(BadgeWritten { uid: tag.uid });
    }
    let report = PcscBackend::default().write_uri(&tag.reader, url)?;
    let read_back = report
        .read_back
        .content
        .as_ref()
        .ok()
        .and_then(|c| c.uri.clone());
    if read_back.as_deref() != Some(url) {
        return Err(CommandError::new(
            ErrorCode::VerifyFailed,
            format!(
                "the badge reads back {read_back:?} instead of the URL: keep it on the reader and try again"
            ),
        ));
    }
    tracing::info!(uid = %tag.uid, url, pages = report.pages_written, formatted = report.formatted, "badge enrolled");
    Ok(BadgeWritten { uid: tag.uid })
}

/// Whether two UIDs name the same badge, however each was written (the one rule is `TagUid`).
fn same_badge(a: &str, b: &str) -> bool {
    match (TagUid::parse(a), TagUid::parse(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.eq_ignore_ascii_case(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(uid: &str, uri: Option<&str>) -> TagEvent {
        TagEvent {
            reader: "r".into(),
            uid: uid.into(),
            atr: None,
            tag_type: livewall_nfc::TagType::Ntag213,
            version: None,
            uri: uri.map(str::to_owned),
            ndef_error: None,
            pages_read: 1,
            read_us: 1,
            detected_at: Instant::now(),
        }
    }

    #[test]
    fn another_persons_badge_is_not_written_over_without_replace() {
        let url = "http://s/p/alice?k=1";
        let free = WriteGuard::default();
        assert_eq!(may_write(&tag("04AA", None), url, &free).ok(), Some(true));
        assert_eq!(
            may_write(&tag("04AA", Some(url)), url, &free).ok(),
            Some(false)
        );
        let theirs = may_write(&tag("04AA", Some("http://s/p/bob?k=2")), url, &free);
        assert_eq!(theirs.err().map(|e| e.code), Some(ErrorCode::BadgeInUse));
        let replace = WriteGuard {
            replace: true,
            ..WriteGuard::default()
        };
        assert_eq!(
            may_write(&tag("04AA", Some("http://s/p/bob?k=2")), url, &replace).ok(),
            Some(true)
        );
        let checked = WriteGuard {
            expect_uid: Some("04bb".into()),
            replace: true,
        };
        assert_eq!(
            may_write(&tag("04AA", None), url, &checked)
                .err()
                .map(|e| e.code),
            Some(ErrorCode::WrongBadge)
        );
    }
}
