//! The golden wall rules of the protocol crate, applied by the Rust follower's [`livewall_client::wall::apply`]:
//! the browser wall runs the same file (`ui/src/wall/rules.test.ts`), so the two cannot disagree.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use livewall_client::wall;
use livewall_protocol::{EventSettings, ServerMessage, Snapshot, fixtures};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Doc {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    snapshot: Snapshot,
    frames: Vec<ServerMessage>,
    expect: Expect,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Expect {
    seq: u64,
    event_name: String,
    settings: EventSettings,
    banner: Option<String>,
    nodes: Vec<Value>,
    links: Vec<[String; 2]>,
}

fn wall_of(s: &Snapshot) -> Expect {
    let mut nodes: Vec<_> = s
        .nodes
        .iter()
        .map(|n| serde_json::json!({"id": n.id, "name": n.name, "initials": n.initials}))
        .collect();
    nodes.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    let mut links: Vec<[String; 2]> = s
        .links
        .iter()
        .map(|l| {
            let mut pair = [l.source.clone(), l.target.clone()];
            pair.sort();
            pair
        })
        .collect();
    links.sort();
    Expect {
        seq: s.seq,
        event_name: s.event_name.clone(),
        settings: s.settings.clone(),
        banner: wall::banner(s).map(str::to_owned),
        nodes,
        links,
    }
}

#[test]
fn the_rust_wall_follows_every_golden_wall_rule() {
    let doc: Doc = serde_json::from_str(fixtures::WALL_RULES).expect("wall-rules.json parses");
    assert!(doc.cases.len() >= 10, "the fixture file lost cases");
    let mut failed = Vec::new();
    for case in doc.cases {
        let mut snap = case.snapshot.clone();
        for f in &case.frames {
            wall::apply(&mut snap, f);
        }
        let got = wall_of(&snap);
        if got != case.expect {
            failed.push(format!(
                "{}:\n  expected {:?}\n  got      {:?}",
                case.name, case.expect, got
            ));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
