//! Light and sound on the reader, so a person at the booth knows what their tap did without looking at a screen.
//!
//! ACR122U-class readers take an LED/buzzer pseudo-APDU (`FF 00 40 P2 04 T1 T2 reps buzzer`, ACR122U API v2.04
//! section 6.2). Other readers answer it with an error status, and backends then skip feedback silently.

use serde::Serialize;

/// What a tap did, as the reader should signal it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Feedback {
    /// First badge read: one short green blink and beep.
    FirstBadge,
    /// A new connection: two green blinks and beeps.
    Connected,
    /// These two were already connected: orange blinks, one long beep.
    AlreadyConnected,
    /// Something went wrong: three red blinks with beeps.
    Error,
}

// P2 bits: 0x80/0x40 green/red blink mask, 0x20/0x10 initial green/red blink state, 0x08/0x04 green/red state
// mask, 0x02/0x01 final green/red state.
const GREEN_BLINK: u8 = 0x80 | 0x20 | 0x08;
const RED_BLINK: u8 = 0x40 | 0x10 | 0x04;

impl Feedback {
    /// The ACR122U LED/buzzer pseudo-APDU; T1/T2 in units of 100 ms.
    pub fn acr122u_apdu(self) -> [u8; 9] {
        let (p2, t1, t2, reps, buzzer) = match self {
            Self::FirstBadge => (GREEN_BLINK, 1, 1, 1, 0x01),
            Self::Connected => (GREEN_BLINK, 1, 1, 2, 0x01),
            Self::AlreadyConnected => (GREEN_BLINK | RED_BLINK, 4, 2, 2, 0x01),
            Self::Error => (RED_BLINK, 1, 1, 3, 0x03),
        };
        [0xFF, 0x00, 0x40, p2, 0x04, t1, t2, reps, buzzer]
    }
}

/// Whether the reader showed the feedback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackOutcome {
    /// The reader accepted the command.
    Shown,
    /// The reader has no LED/buzzer command we know; nothing was shown.
    Unsupported,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_distinct_led_commands() {
        let all = [
            Feedback::FirstBadge,
            Feedback::Connected,
            Feedback::AlreadyConnected,
            Feedback::Error,
        ];
        for (i, a) in all.iter().enumerate() {
            assert_eq!(&a.acr122u_apdu()[..3], &[0xFF, 0x00, 0x40]);
            assert_eq!(a.acr122u_apdu()[4], 0x04);
            for b in &all[i + 1..] {
                assert_ne!(a.acr122u_apdu(), b.acr122u_apdu(), "{a:?} vs {b:?}");
            }
        }
    }
}
