//! Reading and writing NFC Forum Type 2 tags independently of the reader backend.
//!
//! Both backends implement [`Type2Commands`] (PC/SC with pseudo-APDUs, libnfc with native tag commands), and this
//! module holds what they share: the order of commands, telling NTAG from Ultralight, and writing a URI.

use serde::Serialize;

use crate::error::NfcError;
use crate::ndef::{self, CapabilityContainer, PageReader, Type2Content};

/// The kind of tag, from GET_VERSION where the tag answers it, else from the ATR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TagType {
    /// NXP NTAG213 (144-byte data area).
    Ntag213,
    /// NXP NTAG215 (496 bytes).
    Ntag215,
    /// NXP NTAG216 (872 bytes).
    Ntag216,
    /// Another NTAG (GET_VERSION type `04`, unknown size).
    NtagOther,
    /// MIFARE Ultralight EV1 (answers GET_VERSION).
    UltralightEv1,
    /// MIFARE Ultralight (or another Type 2 tag that does not answer GET_VERSION).
    Ultralight,
    /// MIFARE Classic 1K (no NDEF reading here: needs keys).
    MifareClassic1k,
    /// MIFARE Classic 4K.
    MifareClassic4k,
    /// Anything else.
    Unknown,
}

impl TagType {
    /// From the 8 GET_VERSION bytes: vendor `04` (NXP), product type `04` NTAG / `03` Ultralight.
    pub fn from_version(v: &[u8; 8]) -> Self {
        match (v[1], v[2], v[6]) {
            (0x04, 0x04, 0x0F) => Self::Ntag213,
            (0x04, 0x04, 0x11) => Self::Ntag215,
            (0x04, 0x04, 0x13) => Self::Ntag216,
            (0x04, 0x04, _) => Self::NtagOther,
            (0x04, 0x03, _) => Self::UltralightEv1,
            _ => Self::Unknown,
        }
    }

    /// From a PC/SC part 3 contactless storage card ATR (`3B 8F 80 01 80 4F 0C A0 00 00 03 06 SS C0 C1 ...`).
    /// Readers report NTAGs as Ultralight here, which is why GET_VERSION wins when it answers.
    pub fn from_atr(atr: &[u8]) -> Self {
        const RID: [u8; 5] = [0xA0, 0x00, 0x00, 0x03, 0x06];
        if atr.len() < 15 || atr[0] != 0x3B || atr[5..7] != [0x4F, 0x0C] || atr[7..12] != RID {
            return Self::Unknown;
        }
        match (atr[13], atr[14]) {
            (0x00, 0x01) => Self::MifareClassic1k,
            (0x00, 0x02) => Self::MifareClassic4k,
            (0x00, 0x03) => Self::Ultralight,
            _ => Self::Unknown,
        }
    }

    /// Data area bytes of a tag type whose size is fixed, for formatting a tag without capability container.
    pub fn data_area_len(self) -> Option<usize> {
        match self {
            Self::Ntag213 => Some(144),
            Self::Ntag215 => Some(496),
            Self::Ntag216 => Some(872),
            Self::Ultralight => Some(48),
            _ => None,
        }
    }

    /// NFC Forum Type 2 (NTAG, Ultralight): the page commands apply.
    pub fn is_type2(self) -> bool {
        !matches!(self, Self::MifareClassic1k | Self::MifareClassic4k)
    }
}

/// The commands a backend needs to read and write Type 2 tags.
pub trait Type2Commands: PageReader<Error = NfcError> {
    /// The tag's UID.
    fn uid(&mut self) -> Result<Vec<u8>, NfcError>;
    /// The 8 GET_VERSION bytes, `None` when the tag does not answer it (MIFARE Ultralight).
    fn get_version(&mut self) -> Result<Option<[u8; 8]>, NfcError>;
    /// Writes one 4-byte page.
    fn write_page(&mut self, page: u8, data: [u8; 4]) -> Result<(), NfcError>;
}

/// Everything read from a tag on one tap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagData {
    /// UID bytes.
    pub uid: Vec<u8>,
    /// The tag type.
    pub tag_type: TagType,
    /// GET_VERSION answer when there was one.
    pub version: Option<[u8; 8]>,
    /// The NDEF content, or why it could not be read: a malformed tag still has a usable UID.
    pub content: Result<Type2Content, String>,
}

/// Reads UID, NDEF and version. GET_VERSION comes last because a plain Ultralight that does not know it stops
/// answering until it is selected again.
pub fn read_tag<T: Type2Commands>(tag: &mut T, atr: Option<&[u8]>) -> Result<TagData, NfcError> {
    let uid = tag.uid()?;
    let atr_type = atr.map_or(TagType::Unknown, TagType::from_atr);
    if !atr_type.is_type2() {
        return Ok(TagData {
            uid,
            tag_type: atr_type,
            version: None,
            content: Ok(Type2Content::default()),
        });
    }
    let content = match ndef::read_type2(tag) {
        Ok(c) => Ok(c),
        Err(NfcError::Ndef(e)) => Err(e.to_string()),
        Err(e) => return Err(e),
    };
    let version = tag.get_version()?;
    let tag_type = match version {
        Some(v) => TagType::from_version(&v),
        None if atr_type == TagType::Unknown => TagType::Ultralight,
        None => atr_type,
    };
    Ok(TagData {
        uid,
        tag_type,
        version,
        content,
    })
}

/// What [`write_uri`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteReport {
    /// Pages written, capability container included.
    pub pages_written: usize,
    /// True when the tag had no capability container and one was written.
    pub formatted: bool,
    /// The tag as read back after writing.
    pub read_back: TagData,
}

/// Writes `uri` as the tag's only NDEF record (pages from 4), formatting an unformatted NTAG/Ultralight first,
/// then reads it back to check.
pub fn write_uri<T: Type2Commands>(
    tag: &mut T,
    atr: Option<&[u8]>,
    uri: &str,
) -> Result<WriteReport, NfcError> {
    let page3 = tag.read_four_pages(ndef::CC_PAGE)?;
    let cc_bytes = [page3[0], page3[1], page3[2], page3[3]];
    let tag_type = match tag.get_version()? {
        Some(v) => TagType::from_version(&v),
        None => atr.map_or(TagType::Ultralight, TagType::from_atr),
    };
    if !tag_type.is_type2() {
        return Err(NfcError::NotType2(tag_type));
    }
    // The real size, when the chip says it, bounds whatever the capability container claims.
    let known = tag_type.data_area_len();
    let (capacity, formatted) = match CapabilityContainer::parse(cc_bytes) {
        Some(cc) if cc.writable() => (
            known.map_or(cc.data_area_len(), |k| k.min(cc.data_area_len())),
            false,
        ),
        Some(_) => return Err(NfcError::WriteProtected),
        // Page 3 is one-time programmable: bits once set stay set, so a container is only written on a blank one.
        None if cc_bytes != [0; 4] => return Err(NfcError::ForeignCapabilityContainer(cc_bytes)),
        None => (known.ok_or(NfcError::UnknownCapacity)?, true),
    };
    let plan = ndef::uri_write_plan(uri, capacity)?;
    if formatted {
        // SZ = capacity / 8 always fits a byte for the sizes `data_area_len` knows.
        let sz = u8::try_from(capacity / 8).map_err(|_| NfcError::UnknownCapacity)?;
        tag.write_page(ndef::CC_PAGE, [0xE1, 0x10, sz, 0x00])?;
    }
    for (page, data) in &plan {
        tag.write_page(*page, *data)?;
    }
    let read_back = read_tag(tag, atr)?;
    let read = read_back.content.as_ref().ok().and_then(|c| c.uri.clone());
    if read.as_deref() != Some(uri) {
        return Err(NfcError::VerifyFailed {
            wrote: uri.to_owned(),
            read,
        });
    }
    Ok(WriteReport {
        pages_written: plan.len() + usize::from(formatted),
        formatted,
        read_back,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ULTRALIGHT_ATR: [u8; 20] = [
        0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06, 0x03, 0x00, 0x03,
        0x00, 0x00, 0x00, 0x00, 0x68,
    ];

    #[test]
    fn tag_types() {
        assert_eq!(TagType::from_atr(&ULTRALIGHT_ATR), TagType::Ultralight);
        let mut classic = ULTRALIGHT_ATR;
        classic[14] = 0x01;
        assert_eq!(TagType::from_atr(&classic), TagType::MifareClassic1k);
        assert_eq!(TagType::from_atr(&[0x3B, 0x00]), TagType::Unknown);
        let v = |storage| [0x00, 0x04, 0x04, 0x02, 0x01, 0x00, storage, 0x03];
        assert_eq!(TagType::from_version(&v(0x0F)), TagType::Ntag213);
        assert_eq!(TagType::from_version(&v(0x11)), TagType::Ntag215);
        assert_eq!(TagType::from_version(&v(0x13)), TagType::Ntag216);
        assert_eq!(
            TagType::from_version(&[0x00, 0x04, 0x03, 0x01, 0x01, 0x00, 0x0B, 0x03]),
            TagType::UltralightEv1
        );
    }
}
