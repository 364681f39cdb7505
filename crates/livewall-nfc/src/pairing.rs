//! Tap pairing: turns badge taps at one station into connections between two people.
//!
//! A deterministic state machine: time comes from an injected [`Clock`], so tests drive it with a [`FakeClock`] and
//! the station with [`SystemClock`]. It reacts to "badge placed" and "badge removed" and to the passage of time
//! ([`Pairing::poll`]); each call returns what happened, for the station to show and send.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::badge::BadgeRef;

/// Where the state machine gets the time from.
pub trait Clock {
    /// The current instant.
    fn now(&self) -> Instant;
}

/// The real monotonic clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that only moves when told to; clones share the same time.
#[derive(Debug, Clone)]
pub struct FakeClock {
    now: Arc<Mutex<Instant>>,
}

impl Default for FakeClock {
    fn default() -> Self {
        Self {
            now: Arc::new(Mutex::new(Instant::now())),
        }
    }
}

impl FakeClock {
    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Instant {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Timing of the pairing machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairingConfig {
    /// How long the first badge waits for a partner.
    pub partner_timeout: Duration,
    /// How long a badge that just completed or cancelled a pairing is ignored, so a bouncing hand does not start a
    /// new pairing with the badge that was just used.
    pub debounce: Duration,
}

impl Default for PairingConfig {
    fn default() -> Self {
        Self {
            partner_timeout: Duration::from_secs(15),
            debounce: Duration::from_secs(2),
        }
    }
}

/// Why a tap was ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IgnoredReason {
    /// The badge is still on the reader (the reader reported it again without a removal).
    StillOnReader,
    /// The badge was used in a pairing moments ago.
    Debounced,
}

/// What the station should show or send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "pairing", rename_all = "snake_case")]
pub enum PairingEvent {
    /// First badge read: waiting `timeout_ms` for a partner.
    WaitingForPartner {
        /// The first badge.
        first: BadgeRef,
        /// The partner timeout in milliseconds.
        timeout_ms: u64,
    },
    /// Two different badges: a connection to record.
    Paired {
        /// The badge tapped first.
        first: BadgeRef,
        /// The badge tapped second.
        second: BadgeRef,
    },
    /// The first badge was tapped again: the pairing is abandoned.
    Cancelled {
        /// The badge that was waiting.
        first: BadgeRef,
    },
    /// Nobody tapped in time.
    TimedOut {
        /// The badge that was waiting.
        first: BadgeRef,
    },
    /// A tap that changes nothing.
    Ignored {
        /// The badge.
        badge: BadgeRef,
        /// Why.
        reason: IgnoredReason,
    },
}

/// The pairing state machine of one station.
#[derive(Debug)]
pub struct Pairing<C: Clock = SystemClock> {
    clock: C,
    config: PairingConfig,
    waiting: Option<(BadgeRef, Instant)>,
    on_reader: Vec<BadgeRef>,
    recently_used: Vec<(BadgeRef, Instant)>,
}

impl<C: Clock> Pairing<C> {
    /// A machine with nobody waiting.
    pub fn new(clock: C, config: PairingConfig) -> Self {
        Self {
            clock,
            config,
            waiting: None,
            on_reader: Vec::new(),
            recently_used: Vec::new(),
        }
    }

    /// The badge waiting for a partner, if any.
    pub fn waiting(&self) -> Option<&BadgeRef> {
        self.waiting.as_ref().map(|(b, _)| b)
    }

    /// When [`Pairing::poll`] next has something to report (the partner timeout), so a driver can sleep until then.
    pub fn deadline(&self) -> Option<Instant> {
        self.waiting
            .as_ref()
            .map(|(_, since)| *since + self.config.partner_timeout)
    }

    /// Reports time-outs that are due.
    pub fn poll(&mut self) -> Vec<PairingEvent> {
        let now = self.clock.now();
        self.recently_used
            .retain(|(_, at)| now.duration_since(*at) < self.config.debounce);
        match self.deadline() {
            Some(deadline) if now >= deadline => self
                .waiting
                .take()
                .map(|(first, _)| vec![PairingEvent::TimedOut { first }])
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// A badge was placed on the reader.
    pub fn badge_placed(&mut self, badge: BadgeRef) -> Vec<PairingEvent> {
        let mut events = self.poll();
        let now = self.clock.now();
        if self.on_reader.contains(&badge) {
            events.push(PairingEvent::Ignored {
                badge,
                reason: IgnoredReason::StillOnReader,
            });
            return events;
        }
        self.on_reader.push(badge.clone());
        if self.recently_used.iter().any(|(b, _)| *b == badge) {
            events.push(PairingEvent::Ignored {
                badge,
                reason: IgnoredReason::Debounced,
            });
            return events;
        }
        match self.waiting.take() {
            None => {
                self.waiting = Some((badge.clone(), now));
                events.push(PairingEvent::WaitingForPartner {
                    first: badge,
                    timeout_ms: u64::try_from(self.config.partner_timeout.as_millis())
                        .unwrap_or(u64::MAX),
                });
            }
            Some((first, _)) if first == badge => {
                self.recently_used.push((badge, now));
                events.push(PairingEvent::Cancelled { first });
            }
            Some((first, _)) => {
                self.recently_used.push((first.clone(), now));
                self.recently_used.push((badge.clone(), now));
                events.push(PairingEvent::Paired {
                    first,
                    second: badge,
                });
            }
        }
        events
    }

    /// Forgets the badge waiting for a partner, with no event: the station learnt it names nobody, so the next tap
    /// must start a new pairing rather than be paired with it.
    pub fn abandon(&mut self) -> Option<BadgeRef> {
        self.waiting.take().map(|(b, _)| b)
    }

    /// A badge left the reader.
    pub fn badge_removed(&mut self, badge: &BadgeRef) -> Vec<PairingEvent> {
        self.on_reader.retain(|b| b != badge);
        self.poll()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uid(s: &str) -> BadgeRef {
        BadgeRef::Uid(s.to_owned())
    }

    fn machine() -> (FakeClock, Pairing<FakeClock>) {
        let clock = FakeClock::default();
        (clock.clone(), Pairing::new(clock, PairingConfig::default()))
    }

    fn tap(p: &mut Pairing<FakeClock>, clock: &FakeClock, b: &BadgeRef) -> Vec<PairingEvent> {
        let mut events = p.badge_placed(b.clone());
        clock.advance(Duration::from_millis(700));
        events.extend(p.badge_removed(b));
        events
    }

    #[test]
    fn two_different_badges_pair() {
        let (clock, mut p) = machine();
        let (a, b) = (uid("04A1"), uid("04B2"));
        assert_eq!(
            tap(&mut p, &clock, &a),
            vec![PairingEvent::WaitingForPartner {
                first: a.clone(),
                timeout_ms: 15_000
            }]
        );
        clock.advance(Duration::from_secs(3));
        assert_eq!(
            tap(&mut p, &clock, &b),
            vec![PairingEvent::Paired {
                first: a,
                second: b
            }]
        );
        assert_eq!(p.waiting(), None);
    }

    #[test]
    fn same_badge_twice_cancels() {
        let (clock, mut p) = machine();
        let a = uid("04A1");
        tap(&mut p, &clock, &a);
        clock.advance(Duration::from_secs(1));
        assert_eq!(
            tap(&mut p, &clock, &a),
            vec![PairingEvent::Cancelled { first: a }]
        );
        assert_eq!(p.waiting(), None);
    }

    #[test]
    fn held_badge_does_not_repeat() {
        let (clock, mut p) = machine();
        let (a, b) = (uid("04A1"), uid("04B2"));
        p.badge_placed(a.clone());
        clock.advance(Duration::from_secs(5));
        assert_eq!(
            p.badge_placed(a.clone()),
            vec![PairingEvent::Ignored {
                badge: a.clone(),
                reason: IgnoredReason::StillOnReader
            }]
        );
        assert_eq!(p.waiting(), Some(&a));
        p.badge_removed(&a);
        assert_eq!(
            tap(&mut p, &clock, &b),
            vec![PairingEvent::Paired {
                first: a,
                second: b
            }]
        );
    }

    #[test]
    fn timeout_is_configurable_and_reported_once() {
        let clock = FakeClock::default();
        let config = PairingConfig {
            partner_timeout: Duration::from_secs(5),
            ..PairingConfig::default()
        };
        let mut p = Pairing::new(clock.clone(), config);
        let (a, b) = (uid("04A1"), uid("04B2"));
        tap(&mut p, &clock, &a);
        clock.advance(Duration::from_millis(4_200));
        assert_eq!(p.poll(), vec![]);
        clock.advance(Duration::from_millis(200));
        assert_eq!(p.poll(), vec![PairingEvent::TimedOut { first: a.clone() }]);
        assert_eq!(p.poll(), vec![]);
        // After a time-out the next badge starts afresh.
        assert_eq!(
            tap(&mut p, &clock, &b),
            vec![PairingEvent::WaitingForPartner {
                first: b,
                timeout_ms: 5_000
            }]
        );
    }

    #[test]
    fn late_partner_after_unpolled_timeout_starts_new_pairing() {
        let (clock, mut p) = machine();
        let (a, b) = (uid("04A1"), uid("04B2"));
        tap(&mut p, &clock, &a);
        clock.advance(Duration::from_secs(20));
        assert_eq!(
            p.badge_placed(b.clone()),
            vec![
                PairingEvent::TimedOut { first: a },
                PairingEvent::WaitingForPartner {
                    first: b,
                    timeout_ms: 15_000
                }
            ]
        );
    }

    #[test]
    fn just_used_badge_is_debounced_then_usable_again() {
        let (clock, mut p) = machine();
        let (a, b, c) = (uid("04A1"), uid("04B2"), uid("04C3"));
        tap(&mut p, &clock, &a);
        tap(&mut p, &clock, &b);
        // b bounces back onto the reader right after the pair: ignored, nobody starts waiting.
        assert_eq!(
            p.badge_placed(b.clone()),
            vec![PairingEvent::Ignored {
                badge: b.clone(),
                reason: IgnoredReason::Debounced
            }]
        );
        p.badge_removed(&b);
        assert_eq!(p.waiting(), None);
        clock.advance(Duration::from_secs(2));
        assert_eq!(
            tap(&mut p, &clock, &b),
            vec![PairingEvent::WaitingForPartner {
                first: b.clone(),
                timeout_ms: 15_000
            }]
        );
        assert_eq!(
            tap(&mut p, &clock, &c),
            vec![PairingEvent::Paired {
                first: b,
                second: c
            }]
        );
    }

    #[test]
    fn profile_and_uid_badges_are_different_people() {
        let (clock, mut p) = machine();
        let a = uid("04A1");
        let b = BadgeRef::ProfileId("abc123".to_owned());
        tap(&mut p, &clock, &a);
        assert_eq!(
            tap(&mut p, &clock, &b),
            vec![PairingEvent::Paired {
                first: a,
                second: b
            }]
        );
    }
}
