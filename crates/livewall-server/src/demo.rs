//! `livewall-server demo`: a believable event to look at without any setup: attendees with names, majors,
//! companies, generated portraits (served by this server) and badge UIDs, some connections already made, and a
//! slow stream of simulated taps.

use crate::db;
use crate::domain::{self, connections::Meeting};
use crate::error::Result;
use crate::ids::now_ms;
use crate::state::AppState;
use livewall_protocol::{
    CreateConnection, CreateEvent, CreateProfile, EventSettings, PartyKey, PartyRef,
};
use rand::Rng;
use rand::seq::IndexedRandom;
use std::time::Duration;

/// The demo event's id.
pub const EVENT_ID: &str = "demo";

const FIRST: [&str; 48] = [
    "Elijah", "Aurora", "Mateo", "Amara", "Noah", "Priya", "Liam", "Sofia", "Kenji", "Zara",
    "Lucas", "Ingrid", "Omar", "Chloé", "Arjun", "Maya", "Tomás", "Yuki", "Daniel", "Fatima",
    "Leo", "Hana", "Samuel", "Nadia", "Ethan", "Isabela", "Kwame", "Mei", "Oscar", "Ava", "Rafael",
    "Leila", "Jonas", "Aisha", "Felix", "Camila", "Ravi", "Elena", "Hugo", "Amelia", "Tariq",
    "Julia", "Kai", "Nora", "Diego", "Freya", "Emeka", "Lina",
];
const LAST: [&str; 44] = [
    "Zhou",
    "Cheng",
    "García",
    "Okafor",
    "Müller",
    "Sharma",
    "Johansson",
    "Rossi",
    "Tanaka",
    "Khan",
    "Silva",
    "Dubois",
    "Nguyen",
    "Haddad",
    "Kowalski",
    "Mensah",
    "Park",
    "Fernández",
    "O'Brien",
    "Novak",
    "Ivanova",
    "Patel",
    "Larsen",
    "Costa",
    "Yilmaz",
    "Schmidt",
    "Abebe",
    "Moreau",
    "Kim",
    "Santos",
    "Lindqvist",
    "Bianchi",
    "Ahmed",
    "Walker",
    "Suzuki",
    "Hernández",
    "Andersen",
    "Popescu",
    "Reyes",
    "Wang",
    "Nakamura",
    "Diallo",
    "Murphy",
    "Varga",
];
const MAJORS: [&str; 10] = [
    "Computer Science",
    "Design",
    "Mechanical Engineering",
    "Biology",
    "Economics",
    "Physics",
    "Architecture",
    "Mathematics",
    "Psychology",
    "Music",
];
const COMPANIES: [&str; 12] = [
    "Northwind",
    "Fabrikam",
    "Contoso",
    "Tailspin",
    "Litware",
    "Adventure Works",
    "Proseware",
    "Wingtip",
    "Fourth Coffee",
    "Blue Yonder",
    "Lucerne",
    "Woodgrove",
];

/// The `i`-th demo attendee (deterministic, so a restarted demo matches its database).
pub fn attendee(i: usize) -> CreateProfile {
    let first = FIRST[i % FIRST.len()];
    let last = LAST[(i * 7 + i / FIRST.len()) % LAST.len()];
    let slug: String = format!("{first}.{last}")
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    let id = format!("demo-{i:04}");
    CreateProfile {
        avatar: Some(format!("/avatars/{id}.svg")),
        email: format!("{slug}.{i}@example.org"),
        name: format!("{first} {last}"),
        major: Some(MAJORS[(i * 3) % MAJORS.len()].to_owned()),
        company: Some(COMPANIES[(i * 5 + 1) % COMPANIES.len()].to_owned()),
        tags: Some(vec![format!("04{:012X}", 0x00A1_0000_0000u64 + i as u64)]),
        hidden: None,
        // Demo attendees agreed to everything, so every export shows what it holds.
        consent: Some(livewall_protocol::ConsentPatch {
            wall: Some(true),
            lead: Some(true),
        }),
        id: Some(id),
    }
}

/// Mints a station token for the demo event, for a demo station window (`./scripts/demo --app --station`).
pub async fn mint_station(state: &AppState) -> Result<String> {
    let now = now_ms();
    let req = livewall_protocol::CreateDevice {
        name: "Demo station".to_owned(),
        role: livewall_protocol::DeviceRole::Station,
    };
    let device = state
        .db
        .write(move |tx| db::devices::insert(tx, EVENT_ID, &req, now))
        .await?;
    state.auth.grant(&device);
    state.auth.device_token(&device)
}

/// Creates the demo event (once) with `attendees` people and a first batch of connections; returns its id.
pub async fn seed(state: &AppState, attendees: usize) -> Result<String> {
    let exists = state
        .db
        .read(|tx| Ok(db::events::get(tx, EVENT_ID).is_ok()))
        .await?;
    if exists {
        tracing::info!(event = EVENT_ID, "demo event already exists; reusing it");
        return Ok(EVENT_ID.to_owned());
    }
    let now = now_ms();
    let n = attendees.max(2);
    state
        .db
        .write(move |tx| {
            let today = time_today();
            db::events::insert(
                tx,
                CreateEvent {
                    id: Some(EVENT_ID.to_owned()),
                    name: "Livewall Demo Night".to_owned(),
                    starts_at: Some(today.clone()),
                    ends_at: Some(today),
                    settings: Some(EventSettings {
                        public_wall: true,
                        ..EventSettings::default()
                    }),
                },
                now,
            )
        })
        .await?;
    domain::profiles::create_many(state, EVENT_ID.to_owned(), (0..n).map(attendee).collect())
        .await?;
    // A first evening's worth of meetings, so the wall is not empty.
    let mut rng = rand::rng();
    let pairs: Vec<(usize, usize)> = (0..n * 3 / 4).map(|_| pick_pair(&mut rng, n)).collect();
    // Spread over the last three hours, as if the evening had been going on for a while.
    let count = pairs.len() as i64;
    let spread = 3 * 3_600_000 / count.max(1);
    let meetings = pairs
        .into_iter()
        .enumerate()
        .map(|(k, (a, b))| Meeting {
            at: now - spread * (count - k as i64),
            ..Meeting::now(EVENT_ID, pair(a, b))
        })
        .collect();
    domain::connections::record_all(state, meetings).await?;
    tracing::info!(event = EVENT_ID, attendees = n, "demo event created");
    Ok(EVENT_ID.to_owned())
}

fn time_today() -> String {
    crate::ids::iso_utc(now_ms()).0
}

fn pair(a: usize, b: usize) -> CreateConnection {
    CreateConnection {
        from: PartyRef::By(PartyKey::ProfileId(format!("demo-{a:04}"))),
        to: PartyRef::By(PartyKey::ProfileId(format!("demo-{b:04}"))),
    }
}

/// Two different people, favouring a few "social butterflies" so the graph grows hubs like a real event.
fn pick_pair(rng: &mut impl Rng, n: usize) -> (usize, usize) {
    let butterflies: Vec<usize> = (0..n).step_by(17).collect();
    let a = if rng.random_bool(0.35) {
        *butterflies.choose(rng).unwrap_or(&0)
    } else {
        rng.random_range(0..n)
    };
    let mut b = rng.random_range(0..n);
    if b == a {
        b = (a + 1) % n;
    }
    (a, b)
}

/// Posts a simulated tap about every `every` (randomised) until the server shuts down.
pub fn spawn_taps(state: AppState, event: String, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let n = match state
            .db
            .read({
                let event = event.clone();
                move |tx| Ok(db::profiles::list(tx, &event, None, 0, 1)?.total as usize)
            })
            .await
        {
            Ok(n) if n >= 2 => n,
            _ => return,
        };
        loop {
            let wait = {
                let mut rng = rand::rng();
                every.mul_f64(rng.random_range(0.3..1.7))
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = state.shutdown.cancelled() => break,
            }
            let (a, b) = pick_pair(&mut rand::rng(), n);
            let res =
                domain::connections::record(&state, Meeting::now(event.clone(), pair(a, b))).await;
            match res {
                Ok(r) if r.created() => tracing::debug!(a, b, "demo tap"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "demo tap failed"),
            }
        }
    })
}
