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

/// Creates an account, or sets the password of an existing one with that name (which ends all its sessions).
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
    let admin =
        find(tx, username)?.ok_or_else(|| Error::Internal("admin vanished after insert".into()))?;
    revoke_sessions(tx, &admin.id, now)?;
    Ok(admin)
}

/// Sets an account's password and ends all its sessions.
pub fn set_password(
    tx: &Transaction<'_>,
    admin_id: &str,
    password_hash: &str,
    now: i64,
) -> Result<()> {
    tx.execute(
        "UPDATE admins SET password_hash = ?2 WHERE id = ?1",
        params![admin_id, password_hash],
    )?;
    revoke_sessions(tx, admin_id, now)?;
    Ok(())
}

/// Starts a login session that lasts until `expires_at` (ms); answers its id.
pub fn open_session(
    tx: &Transaction<'_>,
    admin_id: &str,
    now: i64,
    expires_at: i64,
) -> Result<String> {
    let id = ids::new_id();
    tx.execute(
        "INSERT INTO admin_sessions (id, admin_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, admin_id, now, expires_at],
    )?;
    // Forget sessions long over, now and then.
    tx.execute(
        "DELETE FROM admin_sessions WHERE expires_at < ?1",
        params![now - 7 * 24 * 3_600_000],
    )?;
    Ok(id)
}

/// True while the session is neither revoked nor expired.
pub fn session_active(tx: &Transaction<'_>, session_id: &str, now: i64) -> Result<bool> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM admin_sessions WHERE id = ?1 AND revoked_at IS NULL AND expires_at > ?2",
            params![session_id, now],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Ends one session (log out).
pub fn revoke_session(tx: &Transaction<'_>, session_id: &str, now: i64) -> Result<()> {
    tx.execute(
        "UPDATE admin_sessions SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![session_id, now],
    )?;
    Ok(())
}

/// Ends every session of an account (log out everywhere, password change); answers their ids.
pub fn revoke_sessions(tx: &Transaction<'_>, admin_id: &str, now: i64) -> Result<Vec<String>> {
    let ids = tx
        .prepare_cached(
            "UPDATE admin_sessions SET revoked_at = ?2 WHERE admin_id = ?1 AND revoked_at IS NULL RETURNING id",
        )?
        .query_map(params![admin_id, now], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(ids)
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
