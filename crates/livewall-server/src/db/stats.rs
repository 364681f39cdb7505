//! Live figures for the organiser: counts, taps per minute and the leaderboard.

use crate::error::Result;
use livewall_protocol::{EventStats, LeaderboardEntry};
use rusqlite::{Transaction, params};
use std::collections::HashMap;

use super::profiles;

/// The event's figures at `now`. The leaderboard counts only connections between visible people; ties go to
/// whoever reached the count first.
pub fn of_event(tx: &Transaction<'_>, event_id: &str, now: i64) -> Result<EventStats> {
    super::events::get(tx, event_id)?;
    let (people, hidden): (i64, i64) = tx.query_row(
        &format!(
            "SELECT COALESCE(SUM({on}), 0), COALESCE(SUM(NOT {on}), 0) FROM profiles p WHERE event_id = ?1",
            on = super::profiles::on_wall("p")
        ),
        [event_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT c.from_id, c.to_id, c.created_at FROM connections c
         JOIN profiles a ON a.id = c.from_id JOIN profiles b ON b.id = c.to_id
         WHERE c.event_id = ?1 AND {} AND {} ORDER BY c.created_at, c.rowid",
        super::profiles::on_wall("a"),
        super::profiles::on_wall("b")
    ))?;
    let rows = stmt
        .query_map(params![event_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut per_minute = vec![0u32; 10];
    // Per person: connections, and the position and time of the one that brought them to that count.
    let mut degree: HashMap<&str, (u32, usize, i64)> = HashMap::new();
    for (k, (a, b, at)) in rows.iter().enumerate() {
        let age = now - at;
        if (0..600_000).contains(&age) {
            per_minute[9 - (age / 60_000) as usize] += 1;
        }
        for p in [a.as_str(), b.as_str()] {
            let e = degree.entry(p).or_insert((0, 0, 0));
            *e = (e.0 + 1, k, *at);
        }
    }
    let mut ranked: Vec<(&str, u32, usize, i64)> = degree
        .into_iter()
        .map(|(p, (n, k, at))| (p, n, k, at))
        .collect();
    ranked.sort_by(|x, y| y.1.cmp(&x.1).then(x.2.cmp(&y.2)).then(x.0.cmp(y.0)));
    let mut top = Vec::new();
    for (id, connections, _, reached_at) in ranked.into_iter().take(10) {
        let p = profiles::get(tx, event_id, id)?;
        top.push(LeaderboardEntry {
            person: crate::people::named(&p),
            connections,
            reached_at,
        });
    }
    Ok(EventStats {
        people: people.max(0) as u32,
        hidden: hidden.max(0) as u32,
        connections: rows.len() as u32,
        connections_last_10_min: per_minute.iter().sum(),
        taps_per_minute: per_minute,
        top,
    })
}
