//! The libnfc backend (cargo feature `libnfc`), for readers PC/SC does not drive: PN532 boards over UART and
//! ACR122 readers where pcscd is not wanted, opened by libnfc connection string (`pn532_uart:/dev/ttyUSB0`,
//! `acr122_usb`).
//!
//! `nfc1` vendors libnfc 1.8.0, which ignores `/etc/nfc/libnfc.conf`, hence the explicit connection string. The
//! device handle must stay on the thread that opened it, so the whole session lives on the backend thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::time::{Duration, Instant};

use nfc1::target_info::TargetInfo;
use nfc1::{BaudRate, Modulation, ModulationType, Timeout};

use crate::error::NfcError;
use crate::event::{EventStream, NfcEvent, TagEvent};
use crate::raw_frames::{NativeTag, Transceiver};
use crate::tag;

const BACKEND: &str = "libnfc";

/// How the libnfc backend behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibnfcConfig {
    /// libnfc connection string, e.g. `pn532_uart:/dev/ttyUSB0` or `acr122_usb`.
    pub connstring: String,
    /// Pause between presence checks while a tag is on the reader, and between attempts to open the device.
    pub poll_interval: Duration,
    /// Attempts to read a tag before reporting an error.
    pub read_attempts: u32,
}

impl LibnfcConfig {
    /// Defaults for the device at `connstring`.
    pub fn new(connstring: impl Into<String>) -> Self {
        Self {
            connstring: connstring.into(),
            poll_interval: Duration::from_millis(150),
            read_attempts: 3,
        }
    }
}

/// Watches one libnfc device on a background thread.
pub fn watch(config: LibnfcConfig) -> Result<EventStream, NfcError> {
    let (tx, rx) = mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    let thread_stop = stop.clone();
    let thread = std::thread::Builder::new()
        .name("livewall-nfc-libnfc".into())
        .spawn(move || run(&config, &tx, &thread_stop))
        .map_err(NfcError::Spawn)?;
    // libnfc polls in short rounds, so setting the flag is enough to end the thread within one round.
    let stopper = Box::new(move || stop.store(true, Ordering::SeqCst));
    Ok(EventStream::new(rx, stopper, thread))
}

fn libnfc_error(op: &'static str, e: nfc1::Error) -> NfcError {
    NfcError::Libnfc {
        op,
        message: e.to_string(),
    }
}

/// `nfc1::Device` as a [`Transceiver`] for the shared Type 2 logic.
struct DeviceLink<'a> {
    device: &'a mut nfc1::Device,
}

impl Transceiver for DeviceLink<'_> {
    fn transceive(&mut self, frame: &[u8], max_answer: usize) -> Result<Vec<u8>, NfcError> {
        self.device
            .initiator_transceive_bytes(
                frame,
                max_answer,
                Timeout::Duration(Duration::from_millis(100)),
            )
            .map_err(|e| libnfc_error("transceive", e))
    }
}

fn run(config: &LibnfcConfig, tx: &Sender<NfcEvent>, stop: &AtomicBool) {
    let send = |e: NfcEvent| {
        let _ = tx.send(e);
    };
    let mut down = false;
    let mut ever_up = false;
    while !stop.load(Ordering::SeqCst) {
        let opened = nfc1::Context::new()
            .map_err(|e| libnfc_error("init", e))
            .and_then(|mut ctx| {
                let device = ctx
                    .open_with_connstring(&config.connstring)
                    .map_err(|e| libnfc_error("open", e))?;
                Ok((ctx, device))
            });
        let (ctx, mut device) = match opened {
            Ok(pair) => pair,
            Err(e) => {
                if !down {
                    tracing::warn!(connstring = %config.connstring, error = %e, "cannot open NFC device, retrying");
                    send(NfcEvent::ServiceDown {
                        backend: BACKEND,
                        message: format!("{}: {e}", config.connstring),
                    });
                    down = true;
                }
                std::thread::sleep(config.poll_interval * 4);
                continue;
            }
        };
        let reader = device.name().to_owned();
        send(NfcEvent::ServiceUp {
            backend: BACKEND,
            recovered: down && ever_up,
        });
        send(NfcEvent::ReaderAttached {
            reader: reader.clone(),
            watched: true,
        });
        ever_up = true;
        down = false;
        let result = session(config, &mut device, &reader, &send, stop);
        send(NfcEvent::ReaderDetached { reader });
        drop(device);
        drop(ctx);
        if let Err(e) = result {
            tracing::warn!(error = %e, "NFC device lost, reopening");
            send(NfcEvent::ServiceDown {
                backend: BACKEND,
                message: e.to_string(),
            });
            down = true;
        }
    }
}

fn session(
    config: &LibnfcConfig,
    device: &mut nfc1::Device,
    reader: &str,
    send: &dyn Fn(NfcEvent),
    stop: &AtomicBool,
) -> Result<(), NfcError> {
    device
        .initiator_init()
        .map_err(|e| libnfc_error("initiator_init", e))?;
    let modulation = [Modulation {
        modulation_type: ModulationType::Iso14443a,
        baud_rate: BaudRate::Baud106,
    }];
    while !stop.load(Ordering::SeqCst) {
        // Two polls of 150 ms each: short enough to notice a stop request quickly.
        let target = match device.initiator_poll_target(&modulation, 2, Duration::from_millis(150))
        {
            Ok(t) => t,
            Err(nfc1::Error::Timeout | nfc1::Error::NoDeviceFound) => continue,
            Err(e @ (nfc1::Error::Io | nfc1::Error::NoSuchDeviceFound)) => {
                return Err(libnfc_error("poll", e));
            }
            Err(_) => continue, // nothing in the field on this round
        };
        let detected_at = Instant::now();
        let TargetInfo::Iso14443a(info) = target.target_info else {
            continue;
        };
        let uid = info.uid.get(..info.uid_len).unwrap_or_default().to_vec();
        let mut result = Err(NfcError::Libnfc {
            op: "read",
            message: "no attempt".into(),
        });
        for _ in 0..config.read_attempts.max(1) {
            let mut link = DeviceLink { device };
            result = tag::read_tag(&mut NativeTag::new(&mut link, uid.clone()), None);
            if result.is_ok() {
                break;
            }
            // Reselect after a failed command: a tag that did not understand it has stopped listening.
            let _ = device.initiator_select_passive_target(&modulation[0]);
        }
        let uid_hex = crate::badge::hex_upper(&uid);
        match result {
            Ok(data) => {
                let event = TagEvent::new(reader.to_owned(), None, data, detected_at);
                tracing::info!(reader, uid = %event.uid, tag_type = ?event.tag_type, uri = ?event.uri, "tag present");
                send(NfcEvent::TagPresent(event));
            }
            Err(e) => send(NfcEvent::Error {
                reader: Some(reader.to_owned()),
                message: format!("could not read tag: {e}"),
            }),
        }
        // A tag that stays on the reader is reported once: wait for it to leave.
        while !stop.load(Ordering::SeqCst) && device.initiator_target_is_present(&target).is_ok() {
            std::thread::sleep(config.poll_interval);
        }
        send(NfcEvent::TagRemoved {
            reader: reader.to_owned(),
            uid: Some(uid_hex),
        });
    }
    Ok(())
}
