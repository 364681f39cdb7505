//! Versioned schema migrations (rusqlite_migration keeps the version in `user_version`).

use crate::error::Result;
use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

const V1: &str = r#"
CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    starts_at   TEXT,
    ends_at     TEXT,
    settings    TEXT NOT NULL DEFAULT '{}',
    -- The live log: its epoch changes when continuity is lost; last_seq is the newest entry.
    epoch       TEXT NOT NULL,
    last_seq    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE profiles (
    id          TEXT PRIMARY KEY,
    event_id    TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    email_key   TEXT NOT NULL,
    avatar      TEXT,
    major       TEXT,
    company     TEXT,
    hidden      INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (event_id, email_key)
);
CREATE INDEX profiles_by_event ON profiles(event_id, created_at);

CREATE TABLE profile_tags (
    event_id    TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    uid         TEXT NOT NULL,
    profile_id  TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, uid)
) WITHOUT ROWID;
CREATE INDEX profile_tags_by_profile ON profile_tags(profile_id);

CREATE TABLE devices (
    id          TEXT PRIMARY KEY,
    event_id    TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('station', 'kiosk')),
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX devices_by_event ON devices(event_id);

-- A mutual pair is stored once: lo_id < hi_id is the pair, from_id/to_id who tapped first.
CREATE TABLE connections (
    id              TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    from_id         TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    to_id           TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    lo_id           TEXT NOT NULL,
    hi_id           TEXT NOT NULL,
    device_id       TEXT REFERENCES devices(id) ON DELETE SET NULL,
    idempotency_key TEXT,
    created_at      INTEGER NOT NULL,
    UNIQUE (event_id, lo_id, hi_id),
    CHECK (lo_id < hi_id)
);
CREATE INDEX connections_by_from ON connections(from_id);
CREATE INDEX connections_by_to ON connections(to_id);
CREATE INDEX connections_by_event ON connections(event_id, created_at);

CREATE TABLE live_log (
    event_id    TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (event_id, seq)
) WITHOUT ROWID;

CREATE TABLE idempotency (
    event_id    TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status      INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (event_id, key)
) WITHOUT ROWID;

CREATE TABLE admins (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
"#;

/// The banner currently shown on an event's walls and stations (JSON of `CurrentAnnouncement`).
const V2: &str = "ALTER TABLE events ADD COLUMN announcement TEXT;";

/// Admin logins as server-side sessions, so a token can be revoked (log out, log out everywhere, password change).
const V3: &str = r#"
CREATE TABLE admin_sessions (
    id         TEXT PRIMARY KEY,
    admin_id   TEXT NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX admin_sessions_by_admin ON admin_sessions(admin_id);

-- One row that /readyz rewrites to find out whether the disk has space again after writes failed.
CREATE TABLE write_probe (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL
);
"#;

/// Consent per attendee, and webhooks with their durable delivery queue.
const V4: &str = r#"
ALTER TABLE profiles ADD COLUMN consent_wall INTEGER NOT NULL DEFAULT 1;
ALTER TABLE profiles ADD COLUMN consent_lead INTEGER NOT NULL DEFAULT 0;
ALTER TABLE profiles ADD COLUMN consent_at INTEGER;
ALTER TABLE profiles ADD COLUMN consent_source TEXT;

CREATE TABLE webhooks (
    id            TEXT PRIMARY KEY,
    event_id      TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    url           TEXT NOT NULL,
    secret        TEXT NOT NULL,
    -- JSON array of kinds (connection.created, ...).
    kinds         TEXT NOT NULL,
    description   TEXT,
    paused        INTEGER NOT NULL DEFAULT 0,
    paused_reason TEXT,
    -- Failed attempts in a row.
    failures      INTEGER NOT NULL DEFAULT 0,
    -- The number of the newest message for this endpoint (messages are numbered 1, 2, ... without gaps).
    last_seq      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX webhooks_by_event ON webhooks(event_id);

-- The outbox: written in the transaction of the change it tells about, so a crash cannot lose one.
CREATE TABLE webhook_deliveries (
    id            TEXT PRIMARY KEY,
    webhook_id    TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    body          TEXT NOT NULL,
    delivered_at  INTEGER,
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries(webhook_id, seq) WHERE delivered_at IS NULL;
CREATE INDEX webhook_deliveries_by_hook ON webhook_deliveries(webhook_id, created_at);

CREATE TABLE webhook_attempts (
    delivery_id   TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    n             INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    status        INTEGER,
    error         TEXT,
    duration_ms   INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, n)
) WITHOUT ROWID;
"#;

fn all() -> Migrations<'static> {
    Migrations::new(vec![M::up(V1), M::up(V2), M::up(V3), M::up(V4)])
}

/// Brings the schema up to date.
pub(crate) fn run(conn: &mut Connection) -> Result<()> {
    all().to_latest(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::all().validate().is_ok());
    }
}
