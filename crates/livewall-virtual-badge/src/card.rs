//! The virtual badge itself: an NTAG213/215/216 or MIFARE Ultralight memory image that answers the PC/SC
//! pseudo-APDUs an ACR122U-class reader would answer for the real tag.

use std::sync::{Arc, Mutex, PoisonError};

/// Which chip the badge imitates (memory size and GET_VERSION answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadgeKind {
    /// NTAG213: 45 pages, 144-byte data area.
    Ntag213,
    /// NTAG215: 135 pages, 496 bytes.
    Ntag215,
    /// NTAG216: 231 pages, 872 bytes.
    Ntag216,
    /// MIFARE Ultralight: 16 pages, 48 bytes, no GET_VERSION.
    Ultralight,
}

impl BadgeKind {
    /// Total pages of the chip.
    pub fn pages(self) -> usize {
        match self {
            Self::Ntag213 => 45,
            Self::Ntag215 => 135,
            Self::Ntag216 => 231,
            Self::Ultralight => 16,
        }
    }

    /// Capability container of a factory-formatted chip.
    pub fn capability_container(self) -> [u8; 4] {
        let sz = match self {
            Self::Ntag213 => 0x12,
            Self::Ntag215 => 0x3E,
            Self::Ntag216 => 0x6D,
            Self::Ultralight => 0x06,
        };
        [0xE1, 0x10, sz, 0x00]
    }

    /// The GET_VERSION answer, `None` for Ultralight which does not know the command.
    pub fn version(self) -> Option<[u8; 8]> {
        let storage = match self {
            Self::Ntag213 => 0x0F,
            Self::Ntag215 => 0x11,
            Self::Ntag216 => 0x13,
            Self::Ultralight => return None,
        };
        Some([0x00, 0x04, 0x04, 0x02, 0x01, 0x00, storage, 0x03])
    }
}

/// The ATR a PC/SC reader reports for a contactless storage card (PC/SC part 3): SS `03` (ISO 14443A part 3),
/// card name `00 03` (Ultralight, which readers report for NTAGs too).
pub const ATR: [u8; 20] = atr();

const fn atr() -> [u8; 20] {
    let mut a = [
        0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06, 0x03, 0x00, 0x03,
        0x00, 0x00, 0x00, 0x00, 0x00,
    ];
    // TCK: XOR of all bytes from T0 to the last historical byte.
    let mut tck = 0;
    let mut i = 1;
    while i < 19 {
        tck ^= a[i];
        i += 1;
    }
    a[19] = tck;
    a
}

/// A virtual badge. Clones share memory, so a badge written on one tap reads back on the next, like a real one.
#[derive(Debug, Clone)]
pub struct VirtualBadge {
    kind: BadgeKind,
    uid: Vec<u8>,
    memory: Arc<Mutex<Vec<u8>>>,
    log: Arc<Mutex<Vec<Vec<u8>>>>,
    led_support: bool,
    reply_delay: std::time::Duration,
}

impl VirtualBadge {
    /// A factory-fresh badge: UID in pages 0-2, capability container, empty NDEF message (`03 00 FE`).
    /// `uid` is 7 bytes for real NTAGs; 4-byte UIDs are accepted to test readers with other tags.
    pub fn new(kind: BadgeKind, uid: &[u8]) -> Self {
        let badge = Self::unformatted(kind, uid);
        badge.write_bytes(12, &kind.capability_container());
        badge.write_bytes(16, &[0x03, 0x00, 0xFE]);
        badge
    }

    /// A badge with only its UID: no capability container, no NDEF.
    pub fn unformatted(kind: BadgeKind, uid: &[u8]) -> Self {
        let mut memory = vec![0u8; kind.pages() * 4];
        let head = uid_pages(uid);
        memory[..head.len()].copy_from_slice(&head);
        Self {
            kind,
            uid: uid.to_vec(),
            memory: Arc::new(Mutex::new(memory)),
            log: Arc::new(Mutex::new(Vec::new())),
            led_support: false,
            reply_delay: std::time::Duration::ZERO,
        }
    }

    /// A formatted badge holding one NDEF URI record.
    pub fn with_uri(kind: BadgeKind, uid: &[u8], uri: &str) -> Self {
        let badge = Self::new(kind, uid);
        // The two prefix codes badges use in practice; everything else is stored whole (code 00).
        let (code, rest) = [(0x04, "https://"), (0x03, "http://")]
            .into_iter()
            .find_map(|(code, prefix)| uri.strip_prefix(prefix).map(|rest| (code, rest)))
            .unwrap_or((0x00, uri));
        let mut payload = vec![code];
        payload.extend_from_slice(rest.as_bytes());
        badge.set_data_area(&ndef_tlv(&uri_record(&payload)));
        badge
    }

    /// Replaces the data area (from page 4) with `bytes`, zero-filling the rest, for custom TLV layouts.
    pub fn set_data_area(&self, bytes: &[u8]) {
        let mut memory = self.memory.lock().unwrap_or_else(PoisonError::into_inner);
        let end = memory.len();
        let n = bytes.len().min(end - 16);
        memory[16..16 + n].copy_from_slice(&bytes[..n]);
        memory[16 + n..end].fill(0);
    }

    /// Makes every answer take `delay`, like a badge held at the edge of the field: a read then lasts long
    /// enough for a test to do something to the card in the middle of it.
    pub fn with_reply_delay(mut self, delay: std::time::Duration) -> Self {
        self.reply_delay = delay;
        self
    }

    /// How long each answer takes.
    pub fn reply_delay(&self) -> std::time::Duration {
        self.reply_delay
    }

    /// Makes the badge's reader accept the ACR122U LED/buzzer command (it answers `6A 81` otherwise), so tests can
    /// see the feedback a station sent.
    pub fn with_led_support(mut self) -> Self {
        self.led_support = true;
        self
    }

    /// The chip imitated.
    pub fn kind(&self) -> BadgeKind {
        self.kind
    }

    /// UID bytes.
    pub fn uid(&self) -> &[u8] {
        &self.uid
    }

    /// UID as uppercase hex without separators, as the reader crate reports it.
    pub fn uid_hex(&self) -> String {
        self.uid.iter().map(|b| format!("{b:02X}")).collect()
    }

    /// A copy of the whole memory image.
    pub fn memory(&self) -> Vec<u8> {
        self.memory
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Every APDU received so far, in order.
    pub fn commands(&self) -> Vec<Vec<u8>> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Sets page `page` (4 bytes) directly, as a factory or another program would have left it.
    pub fn set_page(&self, page: usize, bytes: [u8; 4]) {
        self.write_bytes(page * 4, &bytes);
    }

    fn write_bytes(&self, at: usize, bytes: &[u8]) {
        let mut memory = self.memory.lock().unwrap_or_else(PoisonError::into_inner);
        memory[at..at + bytes.len()].copy_from_slice(bytes);
    }

    /// Answers one command APDU with response data + status word.
    pub fn respond(&self, apdu: &[u8]) -> Vec<u8> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(apdu.to_vec());
        const OK: [u8; 2] = [0x90, 0x00];
        const FAILED: [u8; 2] = [0x63, 0x00];
        const UNSUPPORTED: [u8; 2] = [0x6A, 0x81];
        let with_ok = |mut data: Vec<u8>| {
            data.extend_from_slice(&OK);
            data
        };
        match apdu {
            // GET DATA: UID.
            [0xFF, 0xCA, 0x00, 0x00, _] => with_ok(self.uid.clone()),
            [0xFF, 0xCA, ..] => UNSUPPORTED.to_vec(),
            // READ BINARY: Le bytes from the page, wrapping around the end of memory like an NTAG.
            [0xFF, 0xB0, 0x00, page, le] => {
                let memory = self.memory.lock().unwrap_or_else(PoisonError::into_inner);
                let start = usize::from(*page) * 4;
                if start >= memory.len() || *le == 0 || *le > 16 {
                    return FAILED.to_vec();
                }
                with_ok(
                    (0..usize::from(*le))
                        .map(|i| memory[(start + i) % memory.len()])
                        .collect(),
                )
            }
            // UPDATE BINARY: one page; pages 0-1 hold the UID and are read-only.
            [0xFF, 0xD6, 0x00, page, 0x04, data @ ..] if data.len() == 4 => {
                let mut memory = self.memory.lock().unwrap_or_else(PoisonError::into_inner);
                let start = usize::from(*page) * 4;
                if *page < 2 || start + 4 > memory.len() {
                    return FAILED.to_vec();
                }
                if *page == 3 {
                    // The capability container page is one-time programmable, as on a real NTAG: bits only get set.
                    for (cell, bit) in memory[start..start + 4].iter_mut().zip(data) {
                        *cell |= bit;
                    }
                } else {
                    memory[start..start + 4].copy_from_slice(data);
                }
                OK.to_vec()
            }
            // Direct transmit of PN532 InCommunicateThru(GET_VERSION).
            [0xFF, 0x00, 0x00, 0x00, 0x03, 0xD4, 0x42, 0x60] => match self.kind.version() {
                Some(v) => {
                    let mut data = vec![0xD5, 0x43, 0x00];
                    data.extend_from_slice(&v);
                    with_ok(data)
                }
                // The PN532 reports a time-out (status 01) when the tag stays silent.
                None => with_ok(vec![0xD5, 0x43, 0x01]),
            },
            // LED and buzzer control.
            [0xFF, 0x00, 0x40, ..] if self.led_support => vec![0x90, 0x00],
            _ => UNSUPPORTED.to_vec(),
        }
    }
}

/// Pages 0-2 of a Type 2 tag for `uid`: UID bytes with their check bytes (BCC0 includes the cascade tag 0x88).
fn uid_pages(uid: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(12);
    if uid.len() == 7 {
        p.extend_from_slice(&uid[..3]);
        p.push(0x88 ^ uid[0] ^ uid[1] ^ uid[2]);
        p.extend_from_slice(&uid[3..7]);
        p.push(uid[3] ^ uid[4] ^ uid[5] ^ uid[6]);
    } else {
        p.extend(uid.iter().take(7));
        p.push(uid.iter().fold(0, |acc, b| acc ^ b));
    }
    p.resize(12, 0);
    p
}

/// One short well-known URI record (MB, ME, SR) with `payload` = prefix code + URI rest.
fn uri_record(payload: &[u8]) -> Vec<u8> {
    let short = payload.len() <= 255;
    let mut r = vec![if short { 0xD1 } else { 0xC1 }, 0x01];
    if short {
        r.push(u8::try_from(payload.len()).unwrap_or(u8::MAX));
    } else {
        r.extend_from_slice(
            &u32::try_from(payload.len())
                .unwrap_or(u32::MAX)
                .to_be_bytes(),
        );
    }
    r.push(b'U');
    r.extend_from_slice(payload);
    r
}

/// An NDEF TLV around `message`, then the terminator TLV.
pub fn ndef_tlv(message: &[u8]) -> Vec<u8> {
    let mut t = vec![0x03];
    match u8::try_from(message.len()) {
        Ok(l) if l < 0xFF => t.push(l),
        _ => {
            t.push(0xFF);
            t.extend_from_slice(
                &u16::try_from(message.len())
                    .unwrap_or(u16::MAX)
                    .to_be_bytes(),
            );
        }
    }
    t.extend_from_slice(message);
    t.push(0xFE);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atr_checksum_and_card_name() {
        assert_eq!(ATR[19], ATR[1..19].iter().fold(0, |a, b| a ^ b));
        assert_eq!(&ATR[13..15], &[0x00, 0x03]);
    }

    #[test]
    fn answers_reader_pseudo_apdus() {
        let uid = [0x04, 0xA2, 0x24, 0x6A, 0x7C, 0x58, 0x80];
        let b = VirtualBadge::with_uri(BadgeKind::Ntag213, &uid, "https://example.org/p/abc123");
        let mut expect_uid = uid.to_vec();
        expect_uid.extend_from_slice(&[0x90, 0x00]);
        assert_eq!(b.respond(&[0xFF, 0xCA, 0x00, 0x00, 0x00]), expect_uid);
        let page3 = b.respond(&[0xFF, 0xB0, 0x00, 0x03, 0x10]);
        assert_eq!(
            &page3[..8],
            &[0xE1, 0x10, 0x12, 0x00, 0x03, 0x19, 0xD1, 0x01]
        );
        assert_eq!(&page3[16..], &[0x90, 0x00]);
        // Reading at the last page wraps to page 0.
        let wrap = b.respond(&[0xFF, 0xB0, 0x00, 44, 0x10]);
        assert_eq!(&wrap[4..7], &uid[..3]);
        assert_eq!(b.respond(&[0xFF, 0xB0, 0x00, 45, 0x10]), vec![0x63, 0x00]);
        assert_eq!(
            b.respond(&[0xFF, 0xD6, 0x00, 0x05, 0x04, 1, 2, 3, 4]),
            vec![0x90, 0x00]
        );
        assert_eq!(&b.memory()[20..24], &[1, 2, 3, 4]);
        assert_eq!(
            b.respond(&[0xFF, 0xD6, 0x00, 0x01, 0x04, 1, 2, 3, 4]),
            vec![0x63, 0x00]
        );
        let version = b.respond(&[0xFF, 0x00, 0x00, 0x00, 0x03, 0xD4, 0x42, 0x60]);
        assert_eq!(
            version,
            vec![
                0xD5, 0x43, 0x00, 0x00, 0x04, 0x04, 0x02, 0x01, 0x00, 0x0F, 0x03, 0x90, 0x00
            ]
        );
        assert_eq!(
            b.respond(&[0xFF, 0x00, 0x40, 0xA8, 0x04, 1, 1, 1, 1]),
            vec![0x6A, 0x81]
        );
        let led = b.clone().with_led_support();
        assert_eq!(
            led.respond(&[0xFF, 0x00, 0x40, 0xA8, 0x04, 1, 1, 1, 1]),
            vec![0x90, 0x00]
        );
        assert_eq!(b.commands().len(), 9, "clones share the command log");
    }

    #[test]
    fn ultralight_has_no_version_and_uid_pages_have_check_bytes() {
        let b = VirtualBadge::unformatted(
            BadgeKind::Ultralight,
            &[0x04, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06],
        );
        assert_eq!(
            b.respond(&[0xFF, 0x00, 0x00, 0x00, 0x03, 0xD4, 0x42, 0x60]),
            vec![0xD5, 0x43, 0x01, 0x90, 0x00]
        );
        let m = b.memory();
        assert_eq!(m[3], 0x88 ^ 0x04 ^ 0x01 ^ 0x02);
        assert_eq!(m[8], 0x03 ^ 0x04 ^ 0x05 ^ 0x06);
        assert_eq!(&m[12..16], &[0, 0, 0, 0]);
        assert_eq!(m.len(), 64);
    }
}
