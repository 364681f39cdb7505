//! Queries on `devices`: the kiosks and stations registered for an event.

use crate::error::{Error, Result};
use crate::ids;
use crate::validate;
use livewall_protocol::{CreateDevice, Device, DeviceRole};
use rusqlite::{OptionalExtension, Row, Transaction, params};

fn role_str(r: DeviceRole) -> &'static str {
    match r {
        DeviceRole::Station => "station",
        DeviceRole::Kiosk => "kiosk",
    }
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Device> {
    let role: String = r.get(3)?;
    Ok(Device {
        id: r.get(0)?,
        event_id: r.get(1)?,
        name: r.get(2)?,
        role: if role == "kiosk" {
            DeviceRole::Kiosk
        } else {
            DeviceRole::Station
        },
        created_at: r.get(4)?,
        revoked_at: r.get(5)?,
    })
}

const COLUMNS: &str = "id, event_id, name, role, created_at, revoked_at";

/// Registers a device for an event.
pub fn insert(
    tx: &Transaction<'_>,
    event_id: &str,
    req: &CreateDevice,
    now: i64,
) -> Result<Device> {
    super::events::get(tx, event_id)?;
    let d = Device {
        id: ids::new_id(),
        event_id: event_id.to_owned(),
        name: validate::name("name", &req.name)?,
        role: req.role,
        created_at: now,
        revoked_at: None,
    };
    tx.execute(
        "INSERT INTO devices (id, event_id, name, role, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![d.id, d.event_id, d.name, role_str(d.role), now],
    )?;
    Ok(d)
}

/// The device `id` of `event_id`, or 404.
pub fn get(tx: &Transaction<'_>, event_id: &str, id: &str) -> Result<Device> {
    tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM devices WHERE id = ?1 AND event_id = ?2"
    ))?
    .query_row([id, event_id], from_row)
    .optional()?
    .ok_or_else(|| Error::NotFound(format!("device {id:?} not found in event {event_id:?}")))
}

/// The event's devices, oldest first.
pub fn list(tx: &Transaction<'_>, event_id: &str) -> Result<Vec<Device>> {
    super::events::get(tx, event_id)?;
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM devices WHERE event_id = ?1 ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map([event_id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Every device that is not revoked (the token check keeps these in memory).
pub fn active(tx: &Transaction<'_>) -> Result<Vec<Device>> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM devices WHERE revoked_at IS NULL"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Revokes a device; revoking twice keeps the first time.
pub fn revoke(tx: &Transaction<'_>, event_id: &str, id: &str, now: i64) -> Result<Device> {
    get(tx, event_id, id)?;
    tx.execute(
        "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1",
        params![id, now],
    )?;
    get(tx, event_id, id)
}
