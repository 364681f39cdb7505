//! Type 2 tag commands as raw ISO 14443-3 frames (READ `30`, WRITE `A2`, GET_VERSION `60`), for readers driven
//! through libnfc rather than PC/SC.
//!
//! Kept apart from the `nfc1` glue and compiled without the `libnfc` feature so the logic is unit-tested against
//! recorded tag answers on every build, with no reader and no C toolchain.

use crate::error::NfcError;
use crate::ndef::PageReader;
use crate::tag::Type2Commands;

/// Sends one frame to the selected tag and returns its answer.
pub trait Transceiver {
    /// `max_answer` bounds the answer length.
    fn transceive(&mut self, frame: &[u8], max_answer: usize) -> Result<Vec<u8>, NfcError>;
}

/// A selected Type 2 tag reached through a [`Transceiver`]; the UID comes from anticollision.
#[derive(Debug)]
pub struct NativeTag<'a, T> {
    link: &'a mut T,
    uid: Vec<u8>,
}

impl<'a, T: Transceiver> NativeTag<'a, T> {
    /// A tag whose anticollision gave `uid`.
    pub fn new(link: &'a mut T, uid: Vec<u8>) -> Self {
        Self { link, uid }
    }
}

impl<T: Transceiver> PageReader for NativeTag<'_, T> {
    type Error = NfcError;

    fn read_four_pages(&mut self, first: u8) -> Result<[u8; 16], NfcError> {
        let answer = self.link.transceive(&[0x30, first], 16)?;
        match <[u8; 16]>::try_from(answer.as_slice()) {
            Ok(pages) => Ok(pages),
            // A 4-bit NAK arrives as one byte: 0x0 invalid argument (page out of range), 0x1/0x5 parity/CRC error.
            Err(_) if answer.len() == 1 => Err(NfcError::Status {
                command: "READ",
                sw: u16::from(answer[0]),
            }),
            Err(_) => Err(NfcError::ShortResponse {
                command: "READ",
                len: answer.len(),
                expected: 16,
            }),
        }
    }
}

impl<T: Transceiver> Type2Commands for NativeTag<'_, T> {
    fn uid(&mut self) -> Result<Vec<u8>, NfcError> {
        Ok(self.uid.clone())
    }

    fn get_version(&mut self) -> Result<Option<[u8; 8]>, NfcError> {
        // MIFARE Ultralight does not know GET_VERSION and stays silent: a time-out means "not an NTAG".
        match self.link.transceive(&[0x60], 8) {
            Ok(answer) => Ok(<[u8; 8]>::try_from(answer.as_slice()).ok()),
            Err(NfcError::Libnfc { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn write_page(&mut self, page: u8, data: [u8; 4]) -> Result<(), NfcError> {
        let frame = [0xA2, page, data[0], data[1], data[2], data[3]];
        let answer = self.link.transceive(&frame, 1)?;
        // PN53x firmware swallows the 4-bit ACK (empty answer); raw links pass it on as 0x0A.
        match answer.as_slice() {
            [] | [0x0A] => Ok(()),
            [nak, ..] => Err(NfcError::Status {
                command: "WRITE",
                sw: u16::from(*nak),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::{TagType, read_tag, write_uri};

    /// A recorded frame and the tag's answer (or libnfc's error).
    type Exchange = (Vec<u8>, Result<Vec<u8>, &'static str>);

    /// Replays answers recorded from a tag, failing on any frame not in the recording.
    struct Recorded {
        answers: Vec<Exchange>,
        sent: Vec<Vec<u8>>,
    }

    impl Transceiver for Recorded {
        fn transceive(&mut self, frame: &[u8], _max: usize) -> Result<Vec<u8>, NfcError> {
            self.sent.push(frame.to_vec());
            let (_, answer) =
                self.answers
                    .iter()
                    .find(|(f, _)| f == frame)
                    .ok_or(NfcError::Libnfc {
                        op: "transceive",
                        message: format!("unrecorded frame {frame:02X?}"),
                    })?;
            answer.clone().map_err(|m| NfcError::Libnfc {
                op: "transceive",
                message: m.to_owned(),
            })
        }
    }

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap_or_default())
            .collect()
    }

    /// An NTAG213 holding `https://example.org/p/abc123`, as `nfc-mfultralight`-style READs returned it.
    fn ntag213() -> Recorded {
        Recorded {
            answers: vec![
                (
                    vec![0x30, 3],
                    Ok(hex("E1 10 12 00 03 19 D1 01 15 55 04 65 78 61 6D 70")),
                ),
                (
                    vec![0x30, 7],
                    Ok(hex("6C 65 2E 6F 72 67 2F 70 2F 61 62 63 31 32 33 FE")),
                ),
                (vec![0x60], Ok(hex("00 04 04 02 01 00 0F 03"))),
            ],
            sent: Vec::new(),
        }
    }

    #[test]
    fn reads_recorded_ntag213() {
        let mut link = ntag213();
        let uid = hex("04 A2 24 6A 7C 58 80");
        let data = read_tag(&mut NativeTag::new(&mut link, uid.clone()), None).expect("readable");
        assert_eq!(data.uid, uid);
        assert_eq!(data.tag_type, TagType::Ntag213);
        let content = data.content.expect("valid NDEF");
        assert_eq!(content.uri.as_deref(), Some("https://example.org/p/abc123"));
        assert_eq!(link.sent, vec![vec![0x30, 3], vec![0x30, 7], vec![0x60]]);
    }

    #[test]
    fn ultralight_timeout_on_get_version_is_not_an_error() {
        let mut link = Recorded {
            answers: vec![
                (
                    vec![0x30, 3],
                    Ok(hex("E1 10 06 00 03 00 FE 00 00 00 00 00 00 00 00 00")),
                ),
                (vec![0x60], Err("Operation timed out")),
            ],
            sent: Vec::new(),
        };
        let data = read_tag(
            &mut NativeTag::new(&mut link, hex("04 11 22 33 44 55 66")),
            None,
        )
        .expect("readable");
        assert_eq!(data.tag_type, TagType::Ultralight);
        assert_eq!(data.content.expect("empty NDEF").message, Some(Vec::new()));
    }

    #[test]
    fn nak_and_short_answers_are_errors() {
        let mut link = Recorded {
            answers: vec![(vec![0x30, 3], Ok(vec![0x00]))],
            sent: Vec::new(),
        };
        let err =
            read_tag(&mut NativeTag::new(&mut link, vec![1, 2, 3, 4]), None).expect_err("NAK");
        assert!(
            matches!(
                err,
                NfcError::Status {
                    command: "READ",
                    sw: 0
                }
            ),
            "{err}"
        );
        let mut link = Recorded {
            answers: vec![(vec![0x30, 3], Ok(vec![0xE1, 0x10]))],
            sent: Vec::new(),
        };
        let err =
            read_tag(&mut NativeTag::new(&mut link, vec![1, 2, 3, 4]), None).expect_err("short");
        assert!(
            matches!(err, NfcError::ShortResponse { len: 2, .. }),
            "{err}"
        );
    }

    #[test]
    fn malformed_ndef_keeps_the_uid() {
        let mut link = Recorded {
            answers: vec![
                (
                    vec![0x30, 3],
                    Ok(hex("E1 10 12 00 03 FF FF FF 00 00 00 00 00 00 00 00")),
                ),
                (vec![0x60], Ok(hex("00 04 04 02 01 00 0F 03"))),
            ],
            sent: Vec::new(),
        };
        let data =
            read_tag(&mut NativeTag::new(&mut link, vec![4, 5, 6, 7]), None).expect("UID readable");
        assert_eq!(data.uid, vec![4, 5, 6, 7]);
        assert!(data.content.is_err());
    }

    /// A writable tag image behind the native command set, to check the write sequence end to end.
    struct Memory(Vec<u8>);

    impl Transceiver for Memory {
        fn transceive(&mut self, frame: &[u8], _max: usize) -> Result<Vec<u8>, NfcError> {
            match frame {
                [0x30, page] => Ok((0..16)
                    .map(|i| self.0[(usize::from(*page) * 4 + i) % self.0.len()])
                    .collect()),
                [0xA2, page, data @ ..] => {
                    let at = usize::from(*page) * 4;
                    self.0[at..at + 4].copy_from_slice(data);
                    Ok(Vec::new())
                }
                [0x60] => Ok(hex("00 04 04 02 01 00 0F 03")),
                _ => Ok(vec![0x00]),
            }
        }
    }

    #[test]
    fn formats_and_writes_a_blank_ntag213() {
        let mut link = Memory(vec![0; 45 * 4]);
        let uri = "https://wall.example.org/p/x7";
        let report = write_uri(
            &mut NativeTag::new(&mut link, vec![4, 1, 2, 3, 4, 5, 6]),
            None,
            uri,
        )
        .expect("written");
        assert!(report.formatted);
        assert_eq!(&link.0[12..16], &[0xE1, 0x10, 0x12, 0x00]);
        assert_eq!(
            report.read_back.content.expect("NDEF").uri.as_deref(),
            Some(uri)
        );
    }
}
