//! The in-process publish point: committed log entries go out to every live subscriber of their event.
//!
//! Entries are published by the writer, in commit order, while it still holds the write lock, so a subscriber
//! sees them in `seq` order. Each entry's JSON is serialised once and the bytes are shared by all receivers.

use crate::db::log::LogEntry;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// How many entries a subscriber may fall behind before it is told it lagged.
const CHANNEL_CAPACITY: usize = 4096;

/// Cheap-to-clone handle to the per-event channels.
#[derive(Clone, Default)]
pub struct Hub {
    channels: Arc<Mutex<HashMap<String, broadcast::Sender<LogEntry>>>>,
}

impl Hub {
    /// Sends one committed entry to the event's subscribers (none listening is fine).
    pub fn publish(&self, entry: &LogEntry) {
        let Ok(channels) = self.channels.lock() else {
            tracing::error!("hub lock poisoned; entry not published");
            return;
        };
        if let Some(tx) = channels.get(&entry.event_id) {
            // An error only means nobody is subscribed right now; the log keeps the entry for replay.
            let _ = tx.send(entry.clone());
        }
    }

    /// A receiver of every entry published for `event_id` from now on.
    pub fn subscribe(&self, event_id: &str) -> broadcast::Receiver<LogEntry> {
        let mut channels = match self.channels.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        channels
            .entry(event_id.to_owned())
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0)
            .subscribe()
    }

    /// Drops channels nobody listens to any more.
    pub fn sweep(&self) {
        if let Ok(mut channels) = self.channels.lock() {
            channels.retain(|_, tx| tx.receiver_count() > 0);
        }
    }
}
