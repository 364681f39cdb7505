//! Virtual NFC badges on a real PC/SC stack, for end-to-end tests of livewall stations without hardware.
//!
//! [`VirtualBadge`] imitates an NTAG213/215/216 or MIFARE Ultralight (UID, memory image, GET_VERSION) and answers
//! the pseudo-APDUs a PC/SC contactless reader accepts. It reaches pcscd through vsmartcard's vpcd driver, whose
//! socket protocol [`PlacedBadge`] speaks. [`PcscStack`] runs a private pcscd with two vpcd readers, so tests can
//! tap badges, unplug the service and start it again, without touching the machine's own pcscd.
//!
//! Used by `livewall-nfc`'s integration tests and benchmark, and by the desktop app's end-to-end tests:
//!
//! ```no_run
//! use std::{process::ExitCode, time::Duration};
//! use livewall_virtual_badge::{run_isolated, BadgeKind, PcscStack, VirtualBadge};
//!
//! fn main() -> ExitCode {
//!     run_isolated(|| {
//!         let stack = PcscStack::start().expect("private pcscd");
//!         let badge = VirtualBadge::with_uri(BadgeKind::Ntag213, &[4, 1, 2, 3, 4, 5, 6], "https://x.test/p/a1");
//!         stack.reader(0).tap(&badge, Duration::from_millis(700)).expect("tap");
//!         ExitCode::SUCCESS
//!     })
//! }
//! ```
//!
//! Needs Debian `pcscd`, `vsmartcard-vpcd` and `util-linux` (`unshare`), and root for the private mount namespace.
#![deny(missing_docs)]

mod card;
mod harness;
mod vpcd;

pub use card::{ATR, BadgeKind, VirtualBadge, ndef_tlv};
pub use harness::{DIR_ENV, HarnessError, PcscStack, SOCKET_ENV, VirtualReader, run_isolated};
pub use vpcd::PlacedBadge;
