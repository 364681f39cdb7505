//! Queries on `idempotency`: the first answer to a keyed connection post, kept so a retry gets it again.

use crate::error::Result;
use rusqlite::{OptionalExtension, Transaction, params};

/// The answer stored for a key.
#[derive(Debug)]
pub struct Stored {
    /// What the first request asked for, so a key reused for another request is told apart.
    pub fingerprint: String,
    /// The first request created the connection (rather than finding it).
    pub created: bool,
    /// The JSON answer, verbatim.
    pub body: String,
}

/// The answer stored for `key` in `event_id`, if any.
pub fn find(tx: &Transaction<'_>, event_id: &str, key: &str) -> Result<Option<Stored>> {
    Ok(tx
        .prepare_cached(
            "SELECT fingerprint, status, body FROM idempotency WHERE event_id = ?1 AND key = ?2",
        )?
        .query_row([event_id, key], |r| {
            Ok(Stored {
                fingerprint: r.get(0)?,
                // Stored as the HTTP status of the first answer: 201 (created) or 200 (found), nothing else.
                created: r.get::<_, u16>(1)? == 201,
                body: r.get(2)?,
            })
        })
        .optional()?)
}

/// Keeps the first answer for `key`.
pub fn store(tx: &Transaction<'_>, event_id: &str, key: &str, s: &Stored, now: i64) -> Result<()> {
    let status: u16 = if s.created { 201 } else { 200 };
    tx.prepare_cached(
        "INSERT INTO idempotency (event_id, key, fingerprint, status, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![event_id, key, s.fingerprint, status, s.body, now])?;
    Ok(())
}
