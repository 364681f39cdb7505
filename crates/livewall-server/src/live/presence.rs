//! Sends presence changes, gathered over a short interval so that a room of walls reconnecting at once costs
//! a few `presence` broadcasts rather than one per socket.

use super::hub::Hub;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Runs until `stop`: waits for a membership change, lets more changes gather for `every`, then sends.
pub async fn presence_task(hub: Hub, every: Duration, stop: CancellationToken) {
    loop {
        tokio::select! {
            _ = hub.presence_changed() => {}
            _ = stop.cancelled() => return,
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.cancelled() => return,
        }
        hub.flush_presence();
    }
}
