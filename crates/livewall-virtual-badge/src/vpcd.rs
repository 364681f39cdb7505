//! The card side of the vpcd socket protocol (vsmartcard `doc/api.md`): every message is a 2-byte big-endian
//! length and data. One-byte messages are control (`00` power off, `01` power on, `02` reset, `04` get ATR); longer
//! ones are command APDUs answered with a response APDU. An open connection is a card on the reader.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::thread::JoinHandle;

use socket2::SockRef;

use crate::card::{ATR, VirtualBadge};

/// A badge lying on a virtual reader; dropping it (or [`PlacedBadge::remove`]) takes it off.
#[derive(Debug)]
pub struct PlacedBadge {
    stream: TcpStream,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl PlacedBadge {
    /// Connects to vpcd at `port` on the loopback interface and serves `badge` until removed.
    pub fn place(port: u16, badge: &VirtualBadge) -> io::Result<Self> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        // vpcd writes length and APDU separately: without these, delayed ACKs stall every command by ~40 ms.
        stream.set_nodelay(true)?;
        let serving = stream.try_clone()?;
        let badge = badge.clone();
        let thread = std::thread::Builder::new()
            .name("virtual-badge".into())
            .spawn(move || serve(serving, &badge))?;
        Ok(Self {
            stream,
            thread: Some(thread),
        })
    }

    /// Takes the badge off the reader (closes the connection) and returns how serving ended.
    pub fn remove(mut self) -> io::Result<()> {
        self.take_off()
    }

    fn take_off(&mut self) -> io::Result<()> {
        // The peer may already have closed (pcscd stopped): that is a removal too.
        let _ = self.stream.shutdown(Shutdown::Both);
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("virtual badge thread panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for PlacedBadge {
    fn drop(&mut self) {
        if let Err(e) = self.take_off() {
            tracing::debug!(error = %e, "virtual badge connection ended with an error");
        }
    }
}

fn serve(mut stream: TcpStream, badge: &VirtualBadge) -> io::Result<()> {
    loop {
        // Quick-ACK mode is not sticky: re-arm it before every read.
        SockRef::from(&stream).set_tcp_quickack(true)?;
        let mut len = [0u8; 2];
        match stream.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if is_closed(&e) => return Ok(()),
            Err(e) => return Err(e),
        }
        let mut msg = vec![0u8; usize::from(u16::from_be_bytes(len))];
        match stream.read_exact(&mut msg) {
            Ok(()) => {}
            Err(e) if is_closed(&e) => return Ok(()),
            Err(e) => return Err(e),
        }
        let answer = match msg.as_slice() {
            [0x04] => ATR.to_vec(),
            [_] => continue, // power off / on / reset: no answer
            apdu => {
                std::thread::sleep(badge.reply_delay());
                badge.respond(apdu)
            }
        };
        let mut out = Vec::with_capacity(answer.len() + 2);
        out.extend_from_slice(
            &u16::try_from(answer.len())
                .unwrap_or(u16::MAX)
                .to_be_bytes(),
        );
        out.extend_from_slice(&answer);
        match stream.write_all(&out) {
            Ok(()) => {}
            Err(e) if is_closed(&e) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}

fn is_closed(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::NotConnected
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::BadgeKind;
    use std::net::TcpListener;

    fn frame(data: &[u8]) -> Vec<u8> {
        let mut f = u16::try_from(data.len())
            .unwrap_or(u16::MAX)
            .to_be_bytes()
            .to_vec();
        f.extend_from_slice(data);
        f
    }

    fn read_frame(s: &mut TcpStream) -> Vec<u8> {
        let mut len = [0u8; 2];
        s.read_exact(&mut len).expect("length");
        let mut data = vec![0u8; usize::from(u16::from_be_bytes(len))];
        s.read_exact(&mut data).expect("data");
        data
    }

    /// Plays vpcd's side over a local socket: power on, ATR, one APDU sent in two writes, removal.
    #[test]
    fn speaks_the_vpcd_protocol() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let badge = VirtualBadge::new(BadgeKind::Ntag213, &[0x04, 1, 2, 3, 4, 5, 6]);
        let placed = PlacedBadge::place(port, &badge).expect("connect");
        let (mut vpcd, _) = listener.accept().expect("accept");
        vpcd.write_all(&frame(&[0x01])).expect("power on");
        vpcd.write_all(&frame(&[0x04])).expect("get ATR");
        assert_eq!(read_frame(&mut vpcd), ATR.to_vec());
        let apdu = frame(&[0xFF, 0xCA, 0x00, 0x00, 0x00]);
        vpcd.write_all(&apdu[..2]).expect("length");
        vpcd.write_all(&apdu[2..]).expect("apdu");
        assert_eq!(
            read_frame(&mut vpcd),
            vec![0x04, 1, 2, 3, 4, 5, 6, 0x90, 0x00]
        );
        placed.remove().expect("clean removal");
        let mut rest = Vec::new();
        vpcd.read_to_end(&mut rest).expect("EOF after removal");
        assert!(rest.is_empty());
    }
}
