//! Feeds arbitrary bytes to the NDEF parser three ways: as a data area (TLV walk), as a bare NDEF message, and as
//! a whole tag image read page by page through `read_type2`. None may panic or read without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use livewall_nfc::ndef::{self, NdefError, PageReader};

/// A tag image served four pages at a time, wrapping like an NTAG, counting reads.
struct Image<'a> {
    data: &'a [u8],
    reads: usize,
}

impl PageReader for Image<'_> {
    type Error = NdefError;

    fn read_four_pages(&mut self, first: u8) -> Result<[u8; 16], NdefError> {
        self.reads += 1;
        let mut out = [0u8; 16];
        if !self.data.is_empty() {
            for (i, b) in out.iter_mut().enumerate() {
                *b = self.data[(usize::from(first) * 4 + i) % self.data.len()];
            }
        }
        Ok(out)
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(records)) = ndef::parse_data_area(data) {
        let _ = ndef::first_uri(&records);
    }
    if let Ok(records) = ndef::parse_message(data) {
        // Whatever parses must encode and parse back to the same records.
        let again = ndef::parse_message(&ndef::encode_message(&records));
        assert!(again.is_ok_and(|r| r.len() == records.len()));
    }
    let mut image = Image { data, reads: 0 };
    let _ = ndef::read_type2(&mut image);
    // The data area is at most 255 * 8 bytes: 128 reads of 16 bytes, plus the capability container read.
    assert!(image.reads <= 130, "{} reads", image.reads);
});
