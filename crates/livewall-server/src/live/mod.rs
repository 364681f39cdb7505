//! `GET /ws`: the live feed. Walls and stations subscribe to events and receive their live log, resuming after a
//! drop without a gap or a duplicate.
//!
//! Who may connect: a bearer token (admin, kiosk or station) given as the `Authorization` header, the `?token=`
//! query parameter, the original `?Authorization=` parameter, or the subprotocol pair `bearer, <token>` that a
//! browser's `new WebSocket(url, ["bearer", token])` sends (the server answers with the `bearer` subprotocol).
//! Without a token, a socket opens anonymously, as the original Live Wall's `$connect` did: it may follow public
//! walls only, one at a time (a `subscribe` to another public event moves it there, as the original's event
//! picker does), and a private or unknown event answers an error frame while the socket stays open. With
//! `?eventId=<event>` naming a wall that is not public it is refused with a JSON 401 before the upgrade, and a
//! token that is present but bad is refused too.
//!
//! The original client opens `${WS_URL}?v=1` at the deployment's root, so the feed is served at `/` as well as
//! `/ws`. That client re-subscribes after a drop without `since` and never reloads its snapshot, so on a socket
//! opened with `v=1` a `subscribe` without `since` is followed by a `snapshot` frame (which it merges).
//!
//!
//! Rooms, and what each may touch:
//! - [`hub`]: the registry of live sockets and the publish point of committed log entries (no database).
//! - `upgrade`: the `/ws` upgrade: rate limit (`connect_limit`), credentials ([`crate::request`]), then a
//!   `session` task per socket; `peer` says who is on the other end.
//! - `session`: one socket's loop: client actions, subscriptions with resume (the log query is
//!   [`crate::db::log::resume`]), queued frames, pings and the close code ([`livewall_protocol::CloseCode`]).
//! - [`replay`]: log entries rendered again under the current rules for a resuming subscriber.
//! - [`presence`]: the task that sends presence changes.

pub(crate) mod connect_limit;
pub mod hub;
pub(crate) mod peer;
pub mod presence;
pub mod replay;
pub(crate) mod session;
pub(crate) mod upgrade;

pub use hub::Hub;
pub use presence::presence_task;
pub(crate) use upgrade::{Upgrader, is_upgrade};
