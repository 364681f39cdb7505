//! Golden checks of the original system's wire shapes, which existing clients depend on.

#![allow(clippy::unwrap_used)]

use livewall_protocol::*;
use serde_json::json;

fn person(id: &str, name: &str) -> Person {
    Person {
        id: id.into(),
        name: name.into(),
        initials: String::new(),
        avatar: None,
        major: Some("Design".into()),
        company: None,
    }
}

#[test]
fn snapshot_keeps_the_original_shape() {
    let snap = Snapshot {
        kind: SnapshotTag::Snapshot,
        event_id: "ev".into(),
        event_name: "Ev".into(),
        epoch: "e1".into(),
        seq: 7,
        settings: EventSettings::default(),
        nodes: vec![WallNode {
            id: "a".into(),
            name: "Ada".into(),
            initials: String::new(),
            avatar: Some("/a.png".into()),
            major: None,
            company: None,
        }],
        links: vec![WallLink {
            source: "a".into(),
            target: "b".into(),
            created_at: 1_234_567_890,
        }],
        announcement: None,
    };
    let v = serde_json::to_value(&snap).unwrap();
    assert_eq!(v["type"], "snapshot");
    assert_eq!(
        v["nodes"][0],
        json!({"id": "a", "name": "Ada", "avatar": "/a.png", "major": null, "company": null})
    );
    assert_eq!(
        v["links"][0],
        json!({"source": "a", "target": "b", "createdAt": 1_234_567_890})
    );
    assert_eq!(
        (v["epoch"].as_str(), v["seq"].as_u64()),
        (Some("e1"), Some(7))
    );
    let back: Snapshot = serde_json::from_value(v).unwrap();
    assert_eq!(back, snap);
}

#[test]
fn live_connection_keeps_the_original_shape() {
    let msg = ServerMessage::Connection {
        event_id: "ev".into(),
        seq: 3,
        created_at: 1_234_567_890,
        from: person("a", "Elijah Zhou"),
        to: person("b", "Aurora Cheng"),
    };
    let v = serde_json::to_value(&msg).unwrap();
    assert_eq!(v["type"], "connection");
    assert_eq!(v["createdAt"], 1_234_567_890);
    for side in ["from", "to"] {
        for key in ["id", "name", "avatar", "major"] {
            assert!(v[side].get(key).is_some(), "{side}.{key}");
        }
    }
    assert_eq!(
        (v["eventId"].as_str(), v["seq"].as_u64()),
        (Some("ev"), Some(3))
    );
    assert_eq!(msg.seq(), Some(3));
}

#[test]
fn client_messages_parse() {
    let sub: ClientMessage = serde_json::from_value(
        json!({"action": "subscribe", "eventId": "ev", "since": {"epoch": "e1", "seq": 4}}),
    )
    .unwrap();
    assert_eq!(
        sub,
        ClientMessage::Subscribe {
            event_id: "ev".into(),
            since: Some(LogPosition {
                epoch: "e1".into(),
                seq: 4
            })
        }
    );
    let ping: ClientMessage = serde_json::from_value(json!({"action": "ping"})).unwrap();
    assert_eq!(ping, ClientMessage::Ping);
    assert!(serde_json::from_value::<ClientMessage>(json!({"action": "dance"})).is_err());
}

#[test]
fn party_refs_accept_every_form() {
    let c: CreateConnection =
        serde_json::from_value(json!({"from": "ada@example.org", "to": {"tagUid": "04A1B2C3"}}))
            .unwrap();
    assert_eq!(c.from, PartyRef::Text("ada@example.org".into()));
    assert_eq!(c.to, PartyRef::By(PartyKey::TagUid("04A1B2C3".into())));
    let legacy: LegacyInteraction = serde_json::from_value(
        json!({"eventId": "ev", "fromEmail": "a@x.org", "toEmail": "b@x.org"}),
    )
    .unwrap();
    assert_eq!(legacy.event_id, "ev");
    assert!(
        serde_json::from_value::<CreateConnection>(
            json!({"from": {"email": "a", "profileId": "b"}, "to": "c"})
        )
        .is_err()
    );
}

#[test]
fn patch_fields_tell_absent_from_null() {
    let u: UpdateProfile = serde_json::from_value(json!({"major": null})).unwrap();
    assert_eq!((u.major, u.company), (Some(None), None));
}
