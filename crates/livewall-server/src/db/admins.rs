//! Queries on `admins`: organiser accounts (argon2 hashes only).

use crate::error::{Error, Result};
use crate::ids;
use rusqlite::{OptionalExtension, Transaction, params};

/// An organiser account.
#[derive(Debug, Clone)]
pub struct Admin {
    pub id: String,
    pub username: String,
    pub password_hash: String,
}

/// How many accounts exist (zero on first start).
pub fn count(tx: &Transaction<'_>) -> Result<u64> {
    Ok(tx
        .query_row("SELECT COUNT(*) FROM admins", [], |r| r.get::<_, i64>(0))?
        .max(0) as u64)
}

/// Creates an account, or sets the password of an existing one with that name.
pub fn upsert(
    tx: &Transaction<'_>,
    username: &str,
    password_hash: &str,
    now: i64,
) -> Result<Admin> {
    let username = username.trim();
    if username.is_empty() || username.len() > 64 {
        return Err(Error::validation("username must be 1 to 64 characters"));
    }
    tx.execute(
        "INSERT INTO admins (id, username, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash",
        params![ids::new_id(), username, password_hash, now],
    )?;
    find(tx, username)?.ok_or_else(|| Error::Internal("admin vanished after insert".into()))
}

/// The account with this name (case-insensitive).
pub fn find(tx: &Transaction<'_>, username: &str) -> Result<Option<Admin>> {
    Ok(tx
        .query_row(
            "SELECT id, username, password_hash FROM admins WHERE username = ?1",
            [username.trim()],
            |r| {
                Ok(Admin {
                    id: r.get(0)?,
                    username: r.get(1)?,
                    password_hash: r.get(2)?,
                })
            },
        )
        .optional()?)
}
