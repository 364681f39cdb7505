//! How a person is shown to anyone who is not an organiser: the one place their name, initials and "initials
//! only" are decided. Walls, stations, the phone page and exports all take a [`Person`] from here and display it
//! as it is; no client derives initials again. What of a person may leave the event ([`lead`]) is decided here
//! too.

use livewall_protocol::{EventSettings, Lead, Person, Profile, WallNode};
use unicode_segmentation::UnicodeSegmentation;

/// Initials: the first user-perceived character of up to three words, uppercased ("Elijah Zhou" -> "EZ",
/// "émile de la rue" -> "ÉDL"); "?" for a name with no letters to take.
pub fn initials(name: &str) -> String {
    let s: String = name
        .split_whitespace()
        .filter_map(|w| w.graphemes(true).next())
        .take(3)
        .flat_map(str::chars)
        .flat_map(char::to_uppercase)
        .collect();
    if s.is_empty() { "?".to_owned() } else { s }
}

/// The name to show under `settings`: the initials when the event shows initials only.
fn shown_name(name: &str, settings: &EventSettings) -> String {
    if settings.initials_only {
        initials(name)
    } else {
        name.to_owned()
    }
}

/// The public view of a profile under the event's settings (walls, stations, the live log).
pub fn person(p: &Profile, settings: &EventSettings) -> Person {
    Person {
        id: p.id.clone(),
        name: shown_name(&p.name, settings),
        initials: initials(&p.name),
        avatar: p.avatar.clone(),
        major: p.major.clone(),
        company: p.company.clone(),
    }
}

/// The public view with the full name, for organisers' lists and answers to the device that posted.
pub fn named(p: &Profile) -> Person {
    person(p, &EventSettings::default())
}

/// A wall node from a snapshot row, under the event's settings.
pub fn wall_node(
    id: String,
    name: &str,
    avatar: Option<String>,
    major: Option<String>,
    company: Option<String>,
    settings: &EventSettings,
) -> WallNode {
    WallNode {
        id,
        name: shown_name(name, settings),
        initials: initials(name),
        avatar,
        major,
        company,
    }
}

/// A person as their details may leave the event (exports, webhooks): everything with lead consent, else only
/// the `pseudonym` (see [`crate::auth::Auth::pseudonym`]).
pub fn lead(p: &Profile, pseudonym: impl FnOnce() -> String) -> Lead {
    if p.shareable() {
        Lead {
            id: p.id.clone(),
            consent: true,
            consent_at: p.consent.updated_at,
            name: Some(p.name.clone()),
            email: Some(p.email.clone()),
            company: p.company.clone(),
            major: p.major.clone(),
        }
    } else {
        Lead {
            id: pseudonym(),
            consent: false,
            consent_at: None,
            name: None,
            email: None,
            company: None,
            major: None,
        }
    }
}

/// The node of someone who left the wall (hidden or deleted): nothing about them but the id.
pub fn gone(id: String) -> Person {
    Person {
        id,
        name: String::new(),
        initials: String::new(),
        avatar: None,
        major: None,
        company: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_of_names() {
        assert_eq!(initials("Elijah Zhou"), "EZ");
        assert_eq!(initials("  "), "?");
        assert_eq!(initials("émile de la rue"), "ÉDL");
    }

    #[test]
    fn initials_take_whole_characters() {
        assert_eq!(
            initials("E\u{301}mile Zola"),
            "E\u{301}Z",
            "a combining accent stays on its letter"
        );
    }

    #[test]
    fn initials_only_names_people_by_their_initials_once() {
        let p = Profile {
            id: "p1".into(),
            event_id: "ev".into(),
            name: "Elijah Zhou".into(),
            email: "e@example.org".into(),
            avatar: None,
            major: None,
            company: None,
            tags: vec![],
            hidden: false,
            consent: Default::default(),
            created_at: 0,
            updated_at: 0,
        };
        let only = EventSettings {
            initials_only: true,
            ..EventSettings::default()
        };
        let shown = person(&p, &only);
        assert_eq!((shown.name.as_str(), shown.initials.as_str()), ("EZ", "EZ"));
        let full = named(&p);
        assert_eq!(
            (full.name.as_str(), full.initials.as_str()),
            ("Elijah Zhou", "EZ")
        );
    }
}
