//! Applying live-log entries to a snapshot: the same rules the web wall follows (both run the golden cases of
//! `livewall_protocol::fixtures::WALL_RULES`), so a kiosk's cache can be rebuilt into the wall it showed.

use livewall_protocol::{Audience, Person, ServerMessage, Snapshot, WallLink, WallNode};

fn same_pair(l: &WallLink, a: &str, b: &str) -> bool {
    (l.source == a && l.target == b) || (l.source == b && l.target == a)
}

fn node_of(p: &Person) -> WallNode {
    WallNode {
        id: p.id.clone(),
        name: p.name.clone(),
        initials: p.initials.clone(),
        avatar: p.avatar.clone(),
        major: p.major.clone(),
        company: p.company.clone(),
    }
}

fn upsert(snapshot: &mut Snapshot, node: WallNode) {
    match snapshot.nodes.iter_mut().find(|n| n.id == node.id) {
        Some(n) => *n = node,
        None => snapshot.nodes.push(node),
    }
}

/// The announcement a wall shows from this snapshot: one for walls or everyone, not one for stations only.
pub fn banner(snapshot: &Snapshot) -> Option<&str> {
    snapshot
        .announcement
        .as_ref()
        .filter(|a| a.audience != Audience::Stations)
        .map(|a| a.message.as_str())
}

/// Applies one entry; entries at or below the snapshot's `seq` are ignored (already in it). Returns whether the
/// entry was applied.
pub fn apply(snapshot: &mut Snapshot, msg: &ServerMessage) -> bool {
    let Some(seq) = msg.seq() else { return false };
    if seq <= snapshot.seq {
        return false;
    }
    match msg {
        ServerMessage::Connection {
            created_at,
            from,
            to,
            ..
        } => {
            // People come as they are now: a known person's name or photo may have changed.
            for p in [from, to] {
                upsert(snapshot, node_of(p));
            }
            if !snapshot
                .links
                .iter()
                .any(|l| same_pair(l, &from.id, &to.id))
            {
                snapshot.links.push(WallLink {
                    source: from.id.clone(),
                    target: to.id.clone(),
                    created_at: *created_at,
                });
            }
        }
        ServerMessage::Node {
            node, hidden: true, ..
        } => {
            snapshot.nodes.retain(|n| n.id != node.id);
            snapshot
                .links
                .retain(|l| l.source != node.id && l.target != node.id);
        }
        ServerMessage::Node {
            node,
            hidden: false,
            ..
        } => upsert(snapshot, node_of(node)),
        ServerMessage::Removed { source, target, .. } => {
            snapshot.links.retain(|l| !same_pair(l, source, target))
        }
        ServerMessage::Event { name, settings, .. } => {
            snapshot.event_name = name.clone();
            snapshot.settings = settings.clone();
        }
        ServerMessage::Announcement {
            audience: Audience::Stations,
            ..
        } => {}
        ServerMessage::Announcement {
            message, audience, ..
        } => {
            snapshot.announcement =
                message
                    .clone()
                    .map(|message| livewall_protocol::CurrentAnnouncement {
                        message,
                        audience: *audience,
                        created_at: 0,
                    });
        }
        ServerMessage::Subscribed { .. }
        | ServerMessage::Presence(_)
        | ServerMessage::Pong
        | ServerMessage::Error { .. } => {}
    }
    snapshot.seq = seq;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use livewall_protocol::{EventSettings, SnapshotTag};

    fn person(id: &str) -> Person {
        Person {
            id: id.into(),
            name: id.to_uppercase(),
            initials: String::new(),
            avatar: None,
            major: None,
            company: None,
        }
    }

    fn empty() -> Snapshot {
        Snapshot {
            kind: SnapshotTag::Snapshot,
            event_id: "ev".into(),
            event_name: "Ev".into(),
            epoch: "e".into(),
            seq: 0,
            settings: EventSettings::default(),
            nodes: vec![],
            links: vec![],
            announcement: None,
        }
    }

    fn conn(seq: u64, a: &str, b: &str) -> ServerMessage {
        ServerMessage::Connection {
            event_id: "ev".into(),
            seq,
            created_at: 1,
            from: person(a),
            to: person(b),
        }
    }

    #[test]
    fn entries_build_the_wall_once_each() {
        let mut s = empty();
        assert!(apply(&mut s, &conn(1, "a", "b")));
        assert!(!apply(&mut s, &conn(1, "a", "b")), "duplicate seq ignored");
        assert!(apply(&mut s, &conn(2, "b", "a")));
        assert_eq!((s.nodes.len(), s.links.len(), s.seq), (2, 1, 2));
        apply(&mut s, &conn(3, "c", "a"));
        apply(
            &mut s,
            &ServerMessage::Removed {
                event_id: "ev".into(),
                seq: 4,
                source: "a".into(),
                target: "b".into(),
            },
        );
        assert_eq!(s.links.len(), 1);
        apply(
            &mut s,
            &ServerMessage::Node {
                event_id: "ev".into(),
                seq: 5,
                node: person("c"),
                hidden: true,
            },
        );
        assert_eq!((s.nodes.len(), s.links.len()), (2, 0));
        assert!(!apply(&mut s, &ServerMessage::Pong));
    }
}
