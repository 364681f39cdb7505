//! The WebSocket close codes of `/ws`: what each means and whether a client should come back.
//!
//! The server closes with these; the Rust follower and the browser clients decide with [`should_reconnect`]
//! whether to reconnect. `ui/src/bindings/CloseCode.ts` is generated from [`CloseCode::ALL`] by this crate's tests,
//! so the two clients cannot disagree.

/// Why the server closed a live socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseCode {
    /// The server is shutting down or restarting: reconnect with backoff and resume with `since`.
    GoingAway,
    /// A client message was larger than the server accepts: a client bug that reconnecting would repeat.
    MessageTooBig,
    /// The socket's token was revoked, or its admin login ended: do not reconnect with it.
    Revoked,
    /// Nothing (not even a pong) arrived within the heartbeat timeout: reconnect and resume with `since`.
    HeartbeatTimeout,
    /// The wall this anonymous socket followed is no longer public: do not reconnect without a token.
    NotPublic,
    /// The event was deleted: do not reconnect to it (an event created later with the same id is another one).
    EventDeleted,
    /// The client did not read fast enough and its outbound queue overflowed: reconnect and resume with `since`.
    Slow,
}

impl CloseCode {
    /// Every close code, in the order of their numbers.
    pub const ALL: [Self; 7] = [
        Self::GoingAway,
        Self::MessageTooBig,
        Self::Revoked,
        Self::HeartbeatTimeout,
        Self::NotPublic,
        Self::EventDeleted,
        Self::Slow,
    ];

    /// The number in the close frame.
    pub const fn code(self) -> u16 {
        match self {
            Self::GoingAway => 1001,
            Self::MessageTooBig => 1009,
            Self::Revoked => 4001,
            Self::HeartbeatTimeout => 4002,
            Self::NotPublic => 4003,
            Self::EventDeleted => 4004,
            Self::Slow => 4008,
        }
    }

    /// The close code with this number, if it is one of ours.
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Whether a client closed with this code should connect again (with backoff) and resume.
    pub const fn should_reconnect(self) -> bool {
        match self {
            Self::GoingAway | Self::HeartbeatTimeout | Self::Slow => true,
            Self::MessageTooBig | Self::Revoked | Self::NotPublic | Self::EventDeleted => false,
        }
    }

    /// A short machine name, for logs and metrics labels.
    pub const fn name(self) -> &'static str {
        match self {
            Self::GoingAway => "shutdown",
            Self::MessageTooBig => "too_big",
            Self::Revoked => "revoked",
            Self::HeartbeatTimeout => "heartbeat",
            Self::NotPublic => "not_public",
            Self::EventDeleted => "event_deleted",
            Self::Slow => "slow",
        }
    }

    /// The reason text sent in the close frame, for people reading logs and browser consoles.
    pub const fn reason(self) -> &'static str {
        match self {
            Self::GoingAway => "server shutting down",
            Self::MessageTooBig => "message too big",
            Self::Revoked => "token revoked or login ended",
            Self::HeartbeatTimeout => "heartbeat timeout",
            Self::NotPublic => "wall no longer public",
            Self::EventDeleted => "event deleted",
            Self::Slow => "slow",
        }
    }
}

/// Whether to reconnect after a close with `code`. Codes that are not ours (1000, 1006 for a dropped connection,
/// 1011, a proxy's own) say nothing about the server's wishes: reconnect with backoff.
pub fn should_reconnect(code: u16) -> bool {
    CloseCode::from_code(code).is_none_or(CloseCode::should_reconnect)
}

/// The generated TypeScript (`ui/src/bindings/CloseCode.ts`), so the browser clients use the same table.
pub fn typescript() -> String {
    let mut out = String::from(
        "// Generated from crates/livewall-protocol/src/close.rs by `cargo test -p livewall-protocol`. Do not edit.\n\n\
         /** The close codes of `/ws`. */\nexport const CloseCode = {\n",
    );
    for c in CloseCode::ALL {
        out.push_str(&format!("  {:?}: {},\n", c, c.code()));
    }
    out.push_str(
        "} as const;\nexport type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];\n\n",
    );
    out.push_str("const FINAL: ReadonlySet<number> = new Set([");
    let finals: Vec<String> = CloseCode::ALL
        .into_iter()
        .filter(|c| !c.should_reconnect())
        .map(|c| c.code().to_string())
        .collect();
    out.push_str(&finals.join(", "));
    out.push_str("]);\n\n");
    out.push_str(
        "/** Whether to reconnect after a close with `code`; codes that are not the server's (1006, a proxy's) mean yes. */\n\
         export function shouldReconnect(code: number): boolean {\n  return !FINAL.has(code);\n}\n\n",
    );
    out.push_str("const REASONS: ReadonlyMap<number, string> = new Map([\n");
    for c in CloseCode::ALL {
        out.push_str(&format!("  [{}, {:?}],\n", c.code(), c.reason()));
    }
    out.push_str(
        "]);\n\n/** What a close code of the server means, in words; null for codes that are not the server's. */\n\
         export function closeReason(code: number): string | null {\n  return REASONS.get(code) ?? null;\n}\n",
    );
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_are_distinct() {
        for c in CloseCode::ALL {
            assert_eq!(CloseCode::from_code(c.code()), Some(c));
        }
        assert!(CloseCode::ALL.windows(2).all(|w| w[0].code() < w[1].code()));
    }

    #[test]
    fn final_codes_are_not_retried() {
        assert!(!should_reconnect(4001), "4001 means do not reconnect");
        assert!(!should_reconnect(4003));
        assert!(!should_reconnect(4004));
        assert!(should_reconnect(4002));
        assert!(should_reconnect(4008));
        assert!(should_reconnect(1001));
        assert!(should_reconnect(1006), "a dropped connection is retried");
    }

    #[test]
    fn writes_the_typescript_table() {
        let dir = option_env!("TS_RS_EXPORT_DIR").map_or_else(
            || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings"),
            std::path::PathBuf::from,
        );
        let dir = if dir.is_absolute() {
            dir
        } else {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../..")
                .join(dir)
        };
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("CloseCode.ts"), typescript()).unwrap();
    }
}
