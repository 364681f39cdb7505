//! Why a client cannot talk to its server, in words for the person in front of the screen: which address, what
//! failed, and what to do. A kiosk that only says "Connecting…" leaves staff guessing; this names the fix.

use crate::error::ClientError;
use livewall_protocol::{CloseCode, ErrorCode, LinkProblem};
use tokio_tungstenite::tungstenite;

fn problem(address: &str, what: impl Into<String>, fix: impl Into<String>) -> LinkProblem {
    LinkProblem {
        address: address.to_owned(),
        what: what.into(),
        fix: fix.into(),
    }
}

fn token_refused(address: &str, status: u16) -> LinkProblem {
    problem(
        address,
        format!(
            "the server refused this device's token (HTTP {status}): it was revoked, or minted for another event"
        ),
        "Mint a new device in the admin screens (Devices) and paste its setup link into the settings.",
    )
}

fn io_problem(address: &str, e: &std::io::Error) -> LinkProblem {
    use std::io::ErrorKind as K;
    let text = e.to_string();
    match e.kind() {
        K::ConnectionRefused => problem(
            address,
            "nothing is listening there (connection refused)",
            "Start the livewall server, or correct the address or port.",
        ),
        K::TimedOut | K::HostUnreachable | K::NetworkUnreachable | K::NetworkDown => problem(
            address,
            format!("no answer from that machine ({text})"),
            "Check that this device is on the event's network (Wi-Fi or cable) and that the server machine is on.",
        ),
        _ if text.contains("lookup")
            || text.contains("resolve")
            || text.contains("Name or service") =>
        {
            problem(
                address,
                "that server name cannot be found",
                "Check the spelling of the address, or use the server's IP address.",
            )
        }
        _ => problem(
            address,
            format!("the connection failed ({text})"),
            "Check the address and the network.",
        ),
    }
}

/// The problem behind `error` while following `event` on the server at `address`.
pub fn describe(address: &str, event: &str, error: &ClientError) -> LinkProblem {
    match error {
        ClientError::Server { status, code, .. } => match (status, code) {
            (401 | 403, _) => token_refused(address, *status),
            (404, Some(ErrorCode::NotFound)) => no_event(address, event),
            (404, _) => not_livewall(address, *status),
            (s, _) if *s >= 500 => problem(
                address,
                format!("the server is failing (HTTP {s})"),
                "It is retried by itself; if it lasts, look at the server's log.",
            ),
            (s, _) => problem(
                address,
                format!("the server answered HTTP {s}"),
                "Check the address points at the livewall server.",
            ),
        },
        ClientError::Closed { code, reason } => closed(address, event, *code, reason),
        ClientError::WebSocket(ws) => match ws.as_ref() {
            tungstenite::Error::Io(e) => io_problem(address, e),
            tungstenite::Error::Http(resp) => match resp.status().as_u16() {
                s @ (401 | 403) => token_refused(address, s),
                s => not_livewall(address, s),
            },
            tungstenite::Error::Tls(e) => problem(
                address,
                format!("the secure connection failed ({e})"),
                "Check the server's certificate, or the clock of this device.",
            ),
            tungstenite::Error::Url(e) => problem(
                address,
                format!("the address is not usable ({e})"),
                "Use an address like http://192.168.1.20:8080.",
            ),
            other => problem(
                address,
                format!("the live connection failed ({other})"),
                "It is retried by itself.",
            ),
        },
        ClientError::Network(text) => problem(
            address,
            format!("the server cannot be reached ({text})"),
            "Check the address and the network.",
        ),
        ClientError::Url(u) => problem(
            address,
            format!("{u:?} is not a server address"),
            "Use an address like http://192.168.1.20:8080.",
        ),
        other => problem(address, other.to_string(), "It is retried by itself."),
    }
}

/// The problem behind an `error` frame the server sent instead of following the event.
pub fn refused(address: &str, event: &str, code: ErrorCode, message: &str) -> LinkProblem {
    match code {
        ErrorCode::NotFound => no_event(address, event),
        ErrorCode::Unauthorized | ErrorCode::Forbidden => problem(
            address,
            format!("the server will not show event {event:?} to this device: {message}"),
            "Mint a kiosk for this event in the admin screens (Devices) and paste its setup link.",
        ),
        _ => problem(address, message.to_owned(), "It is retried by itself."),
    }
}

fn closed(address: &str, event: &str, code: u16, reason: &str) -> LinkProblem {
    match CloseCode::from_code(code) {
        Some(CloseCode::Revoked) => problem(
            address,
            "the server ended this device's connection: its token was revoked (or the admin login ended)",
            "Mint a new device in the admin screens (Devices) and paste its setup link into the settings.",
        ),
        Some(CloseCode::NotPublic) => problem(
            address,
            format!("the wall of event {event:?} is no longer public"),
            "Give this kiosk a device token for the event (admin screens, Devices), or make the wall public again.",
        ),
        Some(CloseCode::EventDeleted) => no_event(address, event),
        Some(c) if c.should_reconnect() => problem(
            address,
            format!("the server closed the live connection ({})", c.reason()),
            "It reconnects by itself.",
        ),
        Some(c) => problem(
            address,
            format!("the server ended the live connection ({})", c.reason()),
            "This device sent something the server refuses; update the app, then start it again.",
        ),
        None => problem(
            address,
            format!(
                "the live connection was closed (code {code}{}{reason})",
                if reason.is_empty() { "" } else { ": " }
            ),
            "It reconnects by itself.",
        ),
    }
}

fn no_event(address: &str, event: &str) -> LinkProblem {
    problem(
        address,
        format!("the server has no event {event:?}"),
        "Check the event id (the admin screens list them).",
    )
}

fn not_livewall(address: &str, status: u16) -> LinkProblem {
    problem(
        address,
        format!("the machine answers, but not as a livewall server (HTTP {status})"),
        "Check the address and port of the livewall server.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_connections_name_the_address_and_the_fix() {
        let e = ClientError::WebSocket(Box::new(tungstenite::Error::Io(std::io::Error::from(
            std::io::ErrorKind::ConnectionRefused,
        ))));
        let p = describe("http://10.0.0.9:8080", "ev", &e);
        assert_eq!(p.address, "http://10.0.0.9:8080");
        assert!(p.what.contains("connection refused"), "{p:?}");
        assert!(p.fix.contains("Start the livewall server"), "{p:?}");
    }

    #[test]
    fn token_and_event_problems_are_told_apart() {
        let server = |status, code| ClientError::Server {
            status,
            code,
            message: String::new(),
        };
        let token = describe(
            "http://s",
            "ev",
            &server(401, Some(ErrorCode::Unauthorized)),
        );
        assert!(token.what.contains("token"), "{token:?}");
        let event = describe("http://s", "ev", &server(404, Some(ErrorCode::NotFound)));
        assert!(event.what.contains("no event \"ev\""), "{event:?}");
        let foreign = describe("http://s", "ev", &server(404, None));
        assert!(
            foreign.what.contains("not as a livewall server"),
            "{foreign:?}"
        );
        let frame = refused("http://s", "ev", ErrorCode::Forbidden, "private");
        assert!(frame.what.contains("will not show"), "{frame:?}");
    }
}
