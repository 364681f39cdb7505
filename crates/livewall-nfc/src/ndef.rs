//! NDEF messages on NFC Forum Type 2 tags (NTAG21x, MIFARE Ultralight): parse URI records, build them, and walk the
//! TLV area of a tag while reading only as many pages as the message needs.
//!
//! Our own code rather than a crate: the one mature NDEF crate is GPL-3.0 and the format we need is small. Every
//! length read from a tag is checked against what is left, so a malformed or hostile badge gives an [`NdefError`],
//! never a panic or an endless read (the parser is fuzzed: see `fuzz/`).

use thiserror::Error;

/// URI identifier codes of the NFC Forum URI RTD, indexed by the code (0x00..=0x23).
pub const URI_PREFIXES: [&str; 36] = [
    "",
    "http://www.",
    "https://www.",
    "http://",
    "https://",
    "tel:",
    "mailto:",
    "ftp://anonymous:anonymous@",
    "ftp://ftp.",
    "ftps://",
    "sftp://",
    "smb://",
    "nfs://",
    "ftp://",
    "dav://",
    "news:",
    "telnet://",
    "imap:",
    "rtsp://",
    "urn:",
    "pop:",
    "sip:",
    "sips:",
    "tftp:",
    "btspp://",
    "btl2cap://",
    "btgoep://",
    "tcpobex://",
    "irdaobex://",
    "file://",
    "urn:epc:id:",
    "urn:epc:tag:",
    "urn:epc:pat:",
    "urn:epc:raw:",
    "urn:epc:",
    "urn:nfc:",
];

/// Bytes per Type 2 tag page.
pub const PAGE_SIZE: usize = 4;
/// First page of the data area (after UID, lock bytes and capability container).
pub const FIRST_DATA_PAGE: u8 = 4;
/// Page holding the capability container.
pub const CC_PAGE: u8 = 3;

const TLV_NULL: u8 = 0x00;
const TLV_NDEF: u8 = 0x03;
const TLV_TERMINATOR: u8 = 0xFE;
const TNF_WELL_KNOWN: u8 = 0x01;
const FLAG_MB: u8 = 0x80;
const FLAG_ME: u8 = 0x40;
const FLAG_CF: u8 = 0x20;
const FLAG_SR: u8 = 0x10;
const FLAG_IL: u8 = 0x08;

/// Why NDEF data could not be parsed, built or read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NdefError {
    /// A length field points past the end of the data that contains it.
    #[error("NDEF data truncated: {what} needs {needed} bytes, {available} left")]
    Truncated {
        /// The structure being read.
        what: &'static str,
        /// Bytes it claims.
        needed: usize,
        /// Bytes actually left.
        available: usize,
    },
    /// An empty NDEF message where records were expected.
    #[error("empty NDEF message")]
    EmptyMessage,
    /// Chunked records are legal NDEF but never used for short URIs on badges.
    #[error("chunked NDEF records are not supported")]
    ChunkedRecord,
    /// A URI record whose prefix code is outside the NFC Forum table.
    #[error("reserved URI prefix code 0x{0:02X}")]
    ReservedUriPrefix(u8),
    /// A URI record with an empty payload (no prefix byte).
    #[error("URI record without payload")]
    EmptyUri,
    /// URI text that is not UTF-8.
    #[error("URI record is not valid UTF-8")]
    InvalidUtf8,
    /// Page 3 does not hold an NDEF capability container we can read.
    #[error("capability container {0:02X?} does not allow reading NDEF")]
    UnreadableCapabilityContainer([u8; 4]),
    /// The message to write does not fit the tag's data area.
    #[error("NDEF message of {needed} bytes does not fit the {capacity}-byte data area")]
    TooLarge {
        /// Bytes needed including TLV framing.
        needed: usize,
        /// Bytes available on the tag.
        capacity: usize,
    },
}

/// One NDEF record, kept raw so callers can look at records we do not interpret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NdefRecord {
    /// Type name format (low 3 bits of the header).
    pub tnf: u8,
    /// Record type, e.g. `b"U"` for a URI.
    pub record_type: Vec<u8>,
    /// Record id, often empty.
    pub id: Vec<u8>,
    /// Payload bytes.
    pub payload: Vec<u8>,
}

impl NdefRecord {
    /// A well-known URI record for `uri`, using the longest matching prefix code to save tag memory.
    pub fn uri(uri: &str) -> Self {
        Self {
            tnf: TNF_WELL_KNOWN,
            record_type: b"U".to_vec(),
            id: Vec::new(),
            payload: encode_uri_payload(uri),
        }
    }

    /// True for a well-known `U` record.
    pub fn is_uri(&self) -> bool {
        self.tnf == TNF_WELL_KNOWN && self.record_type == b"U"
    }

    /// The URI of a URI record, `None` for other records.
    pub fn to_uri(&self) -> Option<Result<String, NdefError>> {
        self.is_uri().then(|| decode_uri_payload(&self.payload))
    }
}

/// Decodes a URI record payload (prefix code + rest).
pub fn decode_uri_payload(payload: &[u8]) -> Result<String, NdefError> {
    let (&code, rest) = payload.split_first().ok_or(NdefError::EmptyUri)?;
    let prefix = URI_PREFIXES
        .get(usize::from(code))
        .ok_or(NdefError::ReservedUriPrefix(code))?;
    let rest = std::str::from_utf8(rest).map_err(|_| NdefError::InvalidUtf8)?;
    Ok(format!("{prefix}{rest}"))
}

/// Encodes a URI record payload with the longest prefix code that matches.
pub fn encode_uri_payload(uri: &str) -> Vec<u8> {
    let (code, prefix) = URI_PREFIXES
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, p)| uri.starts_with(*p))
        .max_by_key(|(_, p)| p.len())
        .map_or((0, ""), |(i, p)| (i, *p));
    let mut out = Vec::with_capacity(1 + uri.len() - prefix.len());
    // The table has 36 entries, so the index always fits a byte.
    out.push(u8::try_from(code).unwrap_or(0));
    out.extend_from_slice(&uri.as_bytes()[prefix.len()..]);
    out
}

/// Parses an NDEF message (the value of an NDEF TLV) into records.
pub fn parse_message(bytes: &[u8]) -> Result<Vec<NdefRecord>, NdefError> {
    if bytes.is_empty() {
        return Err(NdefError::EmptyMessage);
    }
    let mut cur = Cursor { bytes, pos: 0 };
    let mut records = Vec::new();
    loop {
        let header = cur.byte("record header")?;
        if header & FLAG_CF != 0 {
            return Err(NdefError::ChunkedRecord);
        }
        let type_len = usize::from(cur.byte("type length")?);
        let payload_len = if header & FLAG_SR != 0 {
            usize::from(cur.byte("payload length")?)
        } else {
            let b = cur.take(4, "payload length")?;
            // A u32 always fits usize on the platforms we build for; saturate otherwise so `take` fails.
            usize::try_from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])).unwrap_or(usize::MAX)
        };
        let id_len = if header & FLAG_IL != 0 {
            usize::from(cur.byte("id length")?)
        } else {
            0
        };
        let record_type = cur.take(type_len, "record type")?.to_vec();
        let id = cur.take(id_len, "record id")?.to_vec();
        let payload = cur.take(payload_len, "record payload")?.to_vec();
        records.push(NdefRecord {
            tnf: header & 0x07,
            record_type,
            id,
            payload,
        });
        if header & FLAG_ME != 0 || cur.remaining() == 0 {
            return Ok(records);
        }
    }
}

/// The first URI found in the records, skipping other records; a malformed URI record is an error.
pub fn first_uri(records: &[NdefRecord]) -> Result<Option<String>, NdefError> {
    records.iter().find_map(NdefRecord::to_uri).transpose()
}

/// Encodes records as one NDEF message (MB on the first, ME on the last).
pub fn encode_message(records: &[NdefRecord]) -> Vec<u8> {
    let mut out = Vec::new();
    let last = records.len().saturating_sub(1);
    for (i, r) in records.iter().enumerate() {
        let mut header = r.tnf & 0x07;
        if i == 0 {
            header |= FLAG_MB;
        }
        if i == last {
            header |= FLAG_ME;
        }
        let short = r.payload.len() <= 255;
        if short {
            header |= FLAG_SR;
        }
        if !r.id.is_empty() {
            header |= FLAG_IL;
        }
        out.push(header);
        out.push(u8::try_from(r.record_type.len()).unwrap_or(u8::MAX));
        if short {
            out.push(u8::try_from(r.payload.len()).unwrap_or(u8::MAX));
        } else {
            out.extend_from_slice(
                &u32::try_from(r.payload.len())
                    .unwrap_or(u32::MAX)
                    .to_be_bytes(),
            );
        }
        if !r.id.is_empty() {
            out.push(u8::try_from(r.id.len()).unwrap_or(u8::MAX));
        }
        out.extend_from_slice(&r.record_type);
        out.extend_from_slice(&r.id);
        out.extend_from_slice(&r.payload);
    }
    out
}

/// Wraps a message in an NDEF TLV followed by a terminator TLV, as written from page 4.
pub fn encode_tlvs(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 5);
    out.push(TLV_NDEF);
    match u8::try_from(message.len()) {
        Ok(len) if len < 0xFF => out.push(len),
        _ => {
            out.push(0xFF);
            out.extend_from_slice(
                &u16::try_from(message.len())
                    .unwrap_or(u16::MAX)
                    .to_be_bytes(),
            );
        }
    }
    out.extend_from_slice(message);
    out.push(TLV_TERMINATOR);
    out
}

/// The page writes (page number, 4 bytes) that put `uri` on a tag whose data area holds `capacity` bytes.
/// The last page is padded with zeros.
pub fn uri_write_plan(uri: &str, capacity: usize) -> Result<Vec<(u8, [u8; 4])>, NdefError> {
    let tlvs = encode_tlvs(&encode_message(&[NdefRecord::uri(uri)]));
    if tlvs.len() > capacity {
        return Err(NdefError::TooLarge {
            needed: tlvs.len(),
            capacity,
        });
    }
    Ok(tlvs
        .chunks(PAGE_SIZE)
        .zip(FIRST_DATA_PAGE..=u8::MAX)
        .map(|(chunk, page)| {
            let mut data = [0u8; 4];
            data[..chunk.len()].copy_from_slice(chunk);
            (page, data)
        })
        .collect())
}

/// A Type 2 tag capability container (page 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapabilityContainer {
    /// Raw bytes `E1 vv SZ access`.
    pub bytes: [u8; 4],
}

impl CapabilityContainer {
    /// Interprets page 3; `None` when the tag is not NDEF-formatted (magic byte not `E1`).
    pub fn parse(bytes: [u8; 4]) -> Option<Self> {
        (bytes[0] == 0xE1).then_some(Self { bytes })
    }

    /// Size of the data area in bytes (SZ x 8).
    pub fn data_area_len(&self) -> usize {
        usize::from(self.bytes[2]) * 8
    }

    /// Major version 1 and read access granted.
    pub fn readable(&self) -> bool {
        self.bytes[1] >> 4 == 1 && self.bytes[3] >> 4 == 0
    }

    /// Write access granted.
    pub fn writable(&self) -> bool {
        self.readable() && self.bytes[3] & 0x0F == 0
    }
}

/// Reads four consecutive pages (16 bytes) of a Type 2 tag, as `FF B0` and the native `30` READ both do.
pub trait PageReader {
    /// Transport error of the backend.
    type Error: From<NdefError>;
    /// Reads pages `first..first + 4`.
    fn read_four_pages(&mut self, first: u8) -> Result<[u8; 16], Self::Error>;
}

/// What the data area of a Type 2 tag holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Type2Content {
    /// The capability container, `None` for an unformatted tag.
    pub capability: Option<CapabilityContainer>,
    /// The NDEF message bytes, `None` when the tag has no NDEF TLV.
    pub message: Option<Vec<u8>>,
    /// Parsed records (empty for an empty message).
    pub records: Vec<NdefRecord>,
    /// The first URI record's URI.
    pub uri: Option<String>,
    /// Pages fetched, to check we read only what the message needs.
    pub pages_read: usize,
}

/// Walks the TLVs from page 4 and returns the first NDEF message, fetching pages only as the walk reaches them and
/// never beyond the data area announced by the capability container.
pub fn read_type2<R: PageReader>(reader: &mut R) -> Result<Type2Content, R::Error> {
    let first = reader.read_four_pages(CC_PAGE)?;
    let cc_bytes = [first[0], first[1], first[2], first[3]];
    let Some(cc) = CapabilityContainer::parse(cc_bytes) else {
        return Ok(Type2Content {
            pages_read: 4,
            ..Type2Content::default()
        });
    };
    if !cc.readable() {
        return Err(NdefError::UnreadableCapabilityContainer(cc_bytes).into());
    }
    let mut area = PagedArea {
        reader,
        buf: first[4..].to_vec(),
        limit: cc.data_area_len(),
        next_page: CC_PAGE + 4,
        pages_read: 4,
    };
    let message = walk_tlvs(&mut area)?;
    let pages_read = area.pages_read;
    let (records, uri) = match &message {
        Some(m) if !m.is_empty() => {
            let records = parse_message(m)?;
            let uri = first_uri(&records)?;
            (records, uri)
        }
        _ => (Vec::new(), None),
    };
    Ok(Type2Content {
        capability: Some(cc),
        message,
        records,
        uri,
        pages_read,
    })
}

/// Parses a complete data area (bytes from page 4) held in memory, e.g. a dump or a fuzz input.
pub fn parse_data_area(data: &[u8]) -> Result<Option<Vec<NdefRecord>>, NdefError> {
    let mut reader = SliceReader { data };
    let mut area = PagedArea {
        reader: &mut reader,
        buf: Vec::new(),
        limit: data.len(),
        next_page: FIRST_DATA_PAGE,
        pages_read: 0,
    };
    match walk_tlvs(&mut area)? {
        Some(m) if !m.is_empty() => parse_message(&m).map(Some),
        Some(_) => Ok(Some(Vec::new())),
        None => Ok(None),
    }
}

fn walk_tlvs<R: PageReader>(area: &mut PagedArea<'_, R>) -> Result<Option<Vec<u8>>, R::Error> {
    let mut pos = 0usize;
    while pos < area.limit {
        let tag = area.byte(pos)?;
        pos += 1;
        match tag {
            TLV_NULL => continue,
            TLV_TERMINATOR => return Ok(None),
            _ => {}
        }
        let mut len = usize::from(area.byte(pos)?);
        pos += 1;
        if len == 0xFF {
            len = usize::from(u16::from_be_bytes([area.byte(pos)?, area.byte(pos + 1)?]));
            pos += 2;
        }
        if tag == TLV_NDEF {
            return area.bytes(pos, len).map(Some);
        }
        // Lock control, memory control, proprietary and unknown TLVs: skip without reading their value.
        pos += len;
        if pos > area.limit {
            return Err(NdefError::Truncated {
                what: "TLV value",
                needed: len,
                available: area.limit.saturating_sub(pos - len),
            }
            .into());
        }
    }
    Ok(None)
}

/// The data area, fetched four pages at a time as the TLV walk needs it. Offsets are from page 4.
struct PagedArea<'a, R: PageReader> {
    reader: &'a mut R,
    buf: Vec<u8>,
    limit: usize,
    next_page: u8,
    pages_read: usize,
}

impl<R: PageReader> PagedArea<'_, R> {
    fn ensure(&mut self, end: usize, what: &'static str) -> Result<(), R::Error> {
        if end > self.limit {
            return Err(NdefError::Truncated {
                what,
                needed: end,
                available: self.limit,
            }
            .into());
        }
        while self.buf.len() < end {
            let chunk = self.reader.read_four_pages(self.next_page)?;
            self.buf.extend_from_slice(&chunk);
            self.pages_read += 4;
            // The limit is at most 255 * 8 bytes, so the page number stays below 255 + 4.
            self.next_page = self.next_page.saturating_add(4);
        }
        Ok(())
    }

    fn byte(&mut self, pos: usize) -> Result<u8, R::Error> {
        self.ensure(pos + 1, "TLV header")?;
        Ok(self.buf[pos])
    }

    fn bytes(&mut self, pos: usize, len: usize) -> Result<Vec<u8>, R::Error> {
        self.ensure(pos + len, "NDEF TLV value")?;
        Ok(self.buf[pos..pos + len].to_vec())
    }
}

/// A data area already in memory, served as pages.
struct SliceReader<'a> {
    data: &'a [u8],
}

impl PageReader for SliceReader<'_> {
    type Error = NdefError;

    fn read_four_pages(&mut self, first: u8) -> Result<[u8; 16], NdefError> {
        let start = usize::from(first.saturating_sub(FIRST_DATA_PAGE)) * PAGE_SIZE;
        let mut out = [0u8; 16];
        if let Some(rest) = self.data.get(start..) {
            let n = rest.len().min(16);
            out[..n].copy_from_slice(&rest[..n]);
        }
        Ok(out)
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn byte(&mut self, what: &'static str) -> Result<u8, NdefError> {
        Ok(self.take(1, what)?[0])
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], NdefError> {
        if n > self.remaining() {
            return Err(NdefError::Truncated {
                what,
                needed: n,
                available: self.remaining(),
            });
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example from the notes: `https://example.org/p/abc123` on pages 4-10.
    const EXAMPLE: [u8; 28] = [
        0x03, 0x19, 0xD1, 0x01, 0x15, 0x55, 0x04, 0x65, 0x78, 0x61, 0x6D, 0x70, 0x6C, 0x65, 0x2E,
        0x6F, 0x72, 0x67, 0x2F, 0x70, 0x2F, 0x61, 0x62, 0x63, 0x31, 0x32, 0x33, 0xFE,
    ];

    struct Tag {
        pages: Vec<u8>,
        reads: Vec<u8>,
    }

    impl Tag {
        fn new(cc: [u8; 4], data: &[u8], total_pages: usize) -> Self {
            let mut pages = vec![0u8; total_pages * 4];
            pages[12..16].copy_from_slice(&cc);
            pages[16..16 + data.len()].copy_from_slice(data);
            Self {
                pages,
                reads: Vec::new(),
            }
        }
    }

    impl PageReader for Tag {
        type Error = NdefError;
        fn read_four_pages(&mut self, first: u8) -> Result<[u8; 16], NdefError> {
            self.reads.push(first);
            let mut out = [0u8; 16];
            for (i, b) in out.iter_mut().enumerate() {
                *b = self.pages[(usize::from(first) * 4 + i) % self.pages.len()];
            }
            Ok(out)
        }
    }

    #[test]
    fn worked_example_reads_two_chunks() {
        let mut tag = Tag::new([0xE1, 0x10, 0x12, 0x00], &EXAMPLE, 45);
        let content = read_type2(&mut tag).expect("valid tag");
        assert_eq!(content.uri.as_deref(), Some("https://example.org/p/abc123"));
        assert_eq!(tag.reads, vec![3, 7], "only pages 3..=10 are needed");
        assert_eq!(content.pages_read, 8);
    }

    #[test]
    fn every_prefix_code_round_trips() {
        for (code, prefix) in URI_PREFIXES.iter().enumerate() {
            let uri = format!("{prefix}x.example/p/1");
            let mut payload = vec![u8::try_from(code).expect("small")];
            payload.extend_from_slice(b"x.example/p/1");
            assert_eq!(
                decode_uri_payload(&payload).as_deref(),
                Ok(uri.as_str()),
                "code {code:#04x}"
            );
            assert_eq!(
                decode_uri_payload(&encode_uri_payload(&uri)).as_deref(),
                Ok(uri.as_str())
            );
        }
        assert_eq!(encode_uri_payload("https://www.a.b")[0], 0x02);
        assert_eq!(encode_uri_payload("urn:nfc:x")[0], 0x23);
        assert_eq!(encode_uri_payload("urn:x")[0], 0x13);
        assert_eq!(encode_uri_payload("weird:x")[0], 0x00);
        assert_eq!(
            decode_uri_payload(&[0x24, b'a']),
            Err(NdefError::ReservedUriPrefix(0x24))
        );
    }

    #[test]
    fn ndef_after_lock_control_null_and_proprietary_tlvs() {
        let mut data = vec![
            0x01, 0x03, 0xA0, 0x10, 0x44, 0x00, 0x00, 0xFD, 0x02, 0xAA, 0xBB,
        ];
        data.extend_from_slice(&EXAMPLE);
        let mut tag = Tag::new([0xE1, 0x10, 0x12, 0x00], &data, 45);
        let content = read_type2(&mut tag).expect("valid tag");
        assert_eq!(content.uri.as_deref(), Some("https://example.org/p/abc123"));
    }

    #[test]
    fn uri_after_other_records() {
        let text = NdefRecord {
            tnf: 1,
            record_type: b"T".to_vec(),
            id: b"i".to_vec(),
            payload: b"\x02enhello".to_vec(),
        };
        let mime = NdefRecord {
            tnf: 2,
            record_type: b"text/plain".to_vec(),
            id: Vec::new(),
            payload: vec![b'z'; 300],
        };
        let msg = encode_message(&[text.clone(), mime.clone(), NdefRecord::uri("tel:+41")]);
        let records = parse_message(&msg).expect("valid message");
        assert_eq!(records[0], text);
        assert_eq!(records[1], mime);
        assert_eq!(first_uri(&records), Ok(Some("tel:+41".to_owned())));
    }

    #[test]
    fn long_url_uses_three_byte_tlv_length_and_reads_only_needed_pages() {
        let uri = format!("https://example.org/p/{}", "a".repeat(300));
        let tlvs = encode_tlvs(&encode_message(&[NdefRecord::uri(&uri)]));
        assert_eq!(&tlvs[..2], &[0x03, 0xFF]);
        let mut tag = Tag::new([0xE1, 0x10, 0x3E, 0x00], &tlvs, 135);
        let content = read_type2(&mut tag).expect("valid tag");
        assert_eq!(content.uri.as_deref(), Some(uri.as_str()));
        let needed_pages = (tlvs.len() - 1).div_ceil(4); // the terminator is never read
        assert!(
            content.pages_read <= needed_pages + 4 + 3,
            "{} pages read",
            content.pages_read
        );
    }

    #[test]
    fn blank_and_empty_tags() {
        let mut blank = Tag::new([0, 0, 0, 0], &[], 45);
        let content = read_type2(&mut blank).expect("blank tag");
        assert_eq!(
            content,
            Type2Content {
                pages_read: 4,
                ..Type2Content::default()
            }
        );
        let mut empty = Tag::new([0xE1, 0x10, 0x12, 0x00], &[0x03, 0x00, 0xFE], 45);
        let content = read_type2(&mut empty).expect("empty NDEF");
        assert_eq!(content.message, Some(Vec::new()));
        assert_eq!(content.uri, None);
        let mut terminated = Tag::new([0xE1, 0x10, 0x12, 0x00], &[0xFE], 45);
        assert_eq!(
            read_type2(&mut terminated).expect("terminator").message,
            None
        );
    }

    #[test]
    fn malformed_tags_error_without_reading_past_the_data_area() {
        // NDEF TLV claiming 0xFFFF bytes on a 144-byte tag: an error, after at most the data area.
        let mut tag = Tag::new([0xE1, 0x10, 0x12, 0x00], &[0x03, 0xFF, 0xFF, 0xFF], 45);
        assert!(matches!(
            read_type2(&mut tag),
            Err(NdefError::Truncated { .. })
        ));
        assert!(tag.reads.len() <= 1, "read {:?}", tag.reads);
        // All NULL TLVs: stops at the end of the data area.
        let mut nulls = Tag::new([0xE1, 0x10, 0x12, 0x00], &[], 45);
        assert_eq!(read_type2(&mut nulls).expect("nulls").message, None);
        assert_eq!(nulls.pages_read_total(), 40);
        // Record length past the message.
        let bad = [0x03, 0x05, 0xD1, 0x01, 0x20, 0x55, 0x04, 0xFE];
        let mut tag = Tag::new([0xE1, 0x10, 0x12, 0x00], &bad, 45);
        assert!(matches!(
            read_type2(&mut tag),
            Err(NdefError::Truncated { .. })
        ));
        // Read access denied.
        let mut locked = Tag::new([0xE1, 0x10, 0x12, 0x80], &EXAMPLE, 45);
        assert!(matches!(
            read_type2(&mut locked),
            Err(NdefError::UnreadableCapabilityContainer(_))
        ));
        // Chunked record and bad UTF-8.
        assert_eq!(
            parse_message(&[0xB1, 0x01, 0x01, 0x55, 0x00]),
            Err(NdefError::ChunkedRecord)
        );
        assert_eq!(
            first_uri(&parse_message(&[0xD1, 0x01, 0x02, 0x55, 0x04, 0xFF]).expect("record")),
            Err(NdefError::InvalidUtf8)
        );
    }

    impl Tag {
        fn pages_read_total(&self) -> usize {
            self.reads.len() * 4
        }
    }

    #[test]
    fn write_plan_matches_worked_example() {
        let plan = uri_write_plan("https://example.org/p/abc123", 144).expect("fits");
        let bytes: Vec<u8> = plan.iter().flat_map(|(_, d)| *d).collect();
        assert_eq!(&bytes[..EXAMPLE.len()], &EXAMPLE);
        assert_eq!(plan.first().map(|p| p.0), Some(4));
        assert_eq!(plan.last().map(|p| p.0), Some(10));
        assert!(matches!(
            uri_write_plan(&"x".repeat(200), 144),
            Err(NdefError::TooLarge { .. })
        ));
    }

    #[test]
    fn corpus_files_parse_without_panicking() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/ndef_parse");
        let mut count = 0;
        let mut uris = 0;
        for entry in std::fs::read_dir(&dir).expect("corpus directory is committed") {
            let path = entry.expect("dir entry").path();
            let data = std::fs::read(&path).expect("readable corpus file");
            if let Ok(Some(records)) = parse_data_area(&data) {
                uris += usize::from(matches!(first_uri(&records), Ok(Some(_))));
            }
            let _ = parse_message(&data);
            count += 1;
        }
        assert!(count >= 8, "corpus has only {count} files");
        assert!(uris >= 3, "corpus should hold valid URI tags, found {uris}");
    }
}
