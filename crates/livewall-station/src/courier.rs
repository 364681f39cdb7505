//! Delivers the station's outbox and tells the screen what the server said, tap by tap, and why the rest wait.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use livewall_client::outbox::{Delivery, Outbox};
use livewall_client::{Client, ClientError};
use livewall_nfc::Feedback;
use livewall_protocol::{ErrorCode, StationEvent, TapOutcome};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::{Lights, Screen};

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Sends queued taps whenever one is added ([`Courier::run`] waits on the engine's wake) and every few seconds
/// while some wait.
pub struct Courier {
    client: Client,
    outbox: Outbox,
    screen: Arc<dyn Screen>,
    lights: Arc<dyn Lights>,
    last_reader: Arc<Mutex<Option<String>>>,
    queue: Arc<Mutex<StationEvent>>,
    retry_every: Duration,
}

impl Courier {
    /// A courier for `outbox` on `client`; `last_reader` is the engine's, for the LEDs.
    pub fn new(
        client: Client,
        outbox: Outbox,
        screen: Arc<dyn Screen>,
        lights: Arc<dyn Lights>,
        last_reader: Arc<Mutex<Option<String>>>,
    ) -> Self {
        Self {
            client,
            outbox,
            screen,
            lights,
            last_reader,
            queue: Arc::new(Mutex::new(StationEvent::Queue {
                waiting: 0,
                hold: None,
            })),
            retry_every: Duration::from_secs(3),
        }
    }

    /// The last queue situation, for a window that (re)loads.
    pub fn queue(&self) -> Arc<Mutex<StationEvent>> {
        self.queue.clone()
    }

    fn signal(&self, feedback: Feedback) {
        if let Some(reader) = lock(&self.last_reader).clone() {
            self.lights.signal(&reader, feedback);
        }
    }

    /// One delivery round: every answered tap shown, then the queue's situation.
    pub async fn round(&self) {
        let report = match self.outbox.deliver(&self.client).await {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "outbox delivery failed");
                self.screen.show(&StationEvent::Failure {
                    message: format!("The saved taps cannot be read: {e}"),
                });
                return;
            }
        };
        for d in report.deliveries {
            let ev = match d {
                Delivery::Delivered { tap, posted } => {
                    let duplicate = posted.outcome.duplicate;
                    self.signal(if duplicate {
                        Feedback::AlreadyConnected
                    } else {
                        Feedback::Connected
                    });
                    let c = posted.outcome.connection;
                    StationEvent::Result {
                        key: tap.key,
                        outcome: if duplicate {
                            TapOutcome::AlreadyConnected
                        } else {
                            TapOutcome::Connected
                        },
                        people: Some((c.from, c.to)),
                        message: None,
                    }
                }
                Delivery::Refused { tap, error } => {
                    self.signal(Feedback::Error);
                    StationEvent::Result {
                        key: tap.key,
                        outcome: TapOutcome::Refused,
                        people: None,
                        message: Some(refusal(&error)),
                    }
                }
            };
            self.screen.show(&ev);
        }
        let queue = StationEvent::Queue {
            waiting: report.waiting,
            hold: report.hold,
        };
        *lock(&self.queue) = queue.clone();
        self.screen.show(&queue);
    }

    /// Delivers on every `wake` and every few seconds until `stop`.
    pub async fn run(self, wake: Arc<Notify>, stop: CancellationToken) {
        loop {
            self.round().await;
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(self.retry_every) => {}
                _ = stop.cancelled() => return,
            }
        }
    }
}

/// The sentence for a tap the server refused.
fn refusal(error: &ClientError) -> String {
    match error {
        ClientError::Server {
            code: Some(ErrorCode::UnknownAttendee),
            ..
        } => "One of these badges is not registered. Please see the help desk.".into(),
        ClientError::Server {
            code: Some(ErrorCode::Validation),
            message,
            ..
        } => format!("Not recorded: {message}"),
        ClientError::Server { message, .. } => message.clone(),
        other => other.to_string(),
    }
}
