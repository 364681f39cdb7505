//! Applying live-log entries to a snapshot: the same rules the web wall follows, so a kiosk's cache can be
//! rebuilt into the wall it showed.

use livewall_protocol::{ServerMessage, Snapshot, WallLink, WallNode};

fn same_pair(l: &WallLink, a: &str, b: &str) -> bool {
    (l.source == a && l.target == b) || (l.source == b && l.target == a)
}

fn upsert(snapshot: &mut Snapshot, node: WallNode) {
    match snapshot.nodes.iter_mut().find(|n| n.id == node.id) {
        Some(n) => *n = node,
        None => snapshot.nodes.push(node),
    }
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
            for p in [from, to] {
                if !snapshot.nodes.iter().any(|n| n.id == p.id) {
                    snapshot.nodes.push(WallNode {
                        id: p.id.clone(),
                        name: p.name.clone(),
                        avatar: p.avatar.clone(),
                        major: p.major.clone(),
                        company: p.company.clone(),
                    });
                }
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
        } => upsert(
            snapshot,
            WallNode {
                id: node.id.clone(),
                name: node.name.clone(),
                avatar: node.avatar.clone(),
                major: node.major.clone(),
                company: node.company.clone(),
            },
        ),
        ServerMessage::Removed { source, target, .. } => {
            snapshot.links.retain(|l| !same_pair(l, source, target))
        }
        ServerMessage::Event { name, settings, .. } => {
            snapshot.event_name = name.clone();
            snapshot.settings = settings.clone();
        }
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
    use livewall_protocol::{EventSettings, Person, SnapshotTag};

    fn person(id: &str) -> Person {
        Person {
            id: id.into(),
            name: id.to_uppercase(),
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
