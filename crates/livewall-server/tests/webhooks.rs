//! Webhooks against a real local HTTP receiver: signed Standard Webhooks messages, at least once and in order per
//! endpoint, retried after errors and timeouts with the same id, kept across a crash, paused after repeated
//! failures, sent again on request, and without the details of people who did not consent.

#![allow(clippy::unwrap_used)]

use base64::Engine;
use livewall_testkit::receiver::{Received, Receiver, Reply};
use livewall_testkit::{Api, TestServer, eventually};
use serde_json::{Value, json};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_livewall-server");

/// Fast retries, a short timeout.
const QUICK: &[&str] = &[
    "--webhook-retry-base-ms",
    "100",
    "--webhook-retry-max-ms",
    "300",
    "--webhook-timeout-ms",
    "700",
];

/// What a receiver does: check the signature over `{id}.{timestamp}.{body}` with the secret's bytes, and refuse
/// a timestamp outside its replay window (five minutes).
fn verify(secret: &str, r: &Received) -> Result<(), String> {
    use hmac::Mac;
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = b64
        .decode(
            secret
                .strip_prefix("whsec_")
                .ok_or("secret without whsec_")?,
        )
        .map_err(|e| e.to_string())?;
    let (id, ts) = (r.header("webhook-id"), r.header("webhook-timestamp"));
    let ts_n: i64 = ts.parse().map_err(|_| format!("timestamp {ts:?}"))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    if (now - ts_n).abs() > 300 {
        return Err(format!("timestamp {ts_n} outside the replay window"));
    }
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.{}", r.body).as_bytes());
    let expected = format!("v1,{}", b64.encode(mac.finalize().into_bytes()));
    let given = r.header("webhook-signature");
    if given.split(' ').any(|s| s == expected) {
        Ok(())
    } else {
        Err(format!("signature {given:?} is not {expected:?}"))
    }
}

async fn register(admin: &Api, event: &str, url: &str, kinds: Option<Value>) -> Value {
    let mut body = json!({"url": url, "description": "CRM"});
    if let Some(k) = kinds {
        body["kinds"] = k;
    }
    let (s, w) = admin
        .call("POST", &format!("/api/events/{event}/webhooks"), Some(body))
        .await;
    assert_eq!(s, 201, "{w}");
    w
}

#[tokio::test]
async fn deliveries_are_signed_in_order_retried_and_leave_out_who_did_not_consent() {
    let server = TestServer::start_with(BIN, QUICK).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    let ids = admin.add_people("ev", 4).await;
    admin
        .set_consent("ev", &ids[..2], json!({"lead": true}))
        .await;
    // The first message meets a server error, then a receiver too slow to answer; then everything is accepted.
    let rx = Receiver::start(&[Reply::Status(500), Reply::Hang(Duration::from_secs(3))]).await;
    let hook = register(&admin, "ev", &rx.url, None).await;
    let secret = hook["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{hook}");
    assert_eq!(
        hook["kinds"],
        json!(["connection.created", "connection.removed", "person.updated"])
    );
    let (_, station) = admin.device("ev", "station").await;
    let station = server.api().with_token(&station);
    let mut posted = Vec::new();
    for (a, b) in [(0, 1), (2, 3), (0, 2)] {
        let (s, c) = station
            .connect(
                "ev",
                &format!("p{a}@example.org"),
                &format!("p{b}@example.org"),
            )
            .await;
        assert_eq!(s, 201, "{c}");
        posted.push(c["connection"]["id"].as_str().unwrap().to_owned());
    }
    eventually("three deliveries accepted", async || {
        rx.accepted().len() == 3
    })
    .await;

    let all = rx.received();
    for r in &all {
        verify(secret, r).unwrap();
        assert_eq!(r.header("content-type"), "application/json");
    }
    // The first message was tried three times with one id, and nothing after it went out before it was accepted.
    let first = all[0].header("webhook-id").to_owned();
    assert_eq!(
        all[..3]
            .iter()
            .map(|r| r.header("webhook-id"))
            .collect::<Vec<_>>(),
        [first.as_str(); 3]
    );
    assert_eq!(
        (all[0].answered, all[1].answered, all[2].answered),
        (Some(500), None, Some(204))
    );
    let accepted = rx.accepted();
    let bodies: Vec<Value> = accepted.iter().map(Received::json).collect();
    assert_eq!(
        bodies
            .iter()
            .map(|b| b["seq"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(
        bodies
            .iter()
            .map(|b| b["data"]["connectionId"].as_str().unwrap())
            .collect::<Vec<_>>(),
        posted
    );
    for (b, r) in bodies.iter().zip(&accepted) {
        assert_eq!(b["type"], "connection.created");
        assert_eq!(b["eventId"], "ev");
        assert_eq!(
            b["id"],
            r.header("webhook-id"),
            "the body names its delivery id"
        );
        assert!(b["occurredAt"].as_str().unwrap().ends_with('Z'), "{b}");
        assert_eq!(b["data"]["deviceName"], "station 1");
    }
    // Consent: Person 0 and 1 said yes; Person 2 and 3 did not, so only a pseudonym of them leaves.
    assert_eq!(bodies[0]["data"]["from"]["email"], "p0@example.org");
    assert_eq!(bodies[0]["data"]["to"]["name"], "Person 1");
    let anon = &bodies[1]["data"]["from"];
    assert_eq!(anon["consent"], false);
    assert!(anon["id"].as_str().unwrap().starts_with("anon-"), "{anon}");
    assert!(
        anon.get("email").is_none() && anon.get("name").is_none(),
        "{anon}"
    );
    assert!(!accepted[1].body.contains("p2@example.org") && !accepted[1].body.contains(&ids[2]));
    assert_eq!(
        bodies[2]["data"]["to"]["id"], anon["id"],
        "the pseudonym is stable"
    );

    // The organiser sees each delivery with its attempts, newest first.
    let wid = hook["id"].as_str().unwrap();
    let (s, list) = admin
        .call(
            "GET",
            &format!("/api/events/ev/webhooks/{wid}/deliveries"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{list}");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3);
    let oldest = &list[2];
    assert_eq!(
        (oldest["id"].as_str(), oldest["state"].as_str()),
        (Some(first.as_str()), Some("delivered"))
    );
    assert_eq!(oldest["attempts"], 3);
    let recent = oldest["recent"].as_array().unwrap();
    assert_eq!(recent[0]["status"], 204);
    assert!(
        recent[1]["error"].as_str().unwrap().contains("timeout"),
        "{oldest}"
    );
    assert_eq!(recent[2]["status"], 500);
    let (_, hooks) = admin.call("GET", "/api/events/ev/webhooks", None).await;
    assert_eq!(
        (hooks[0]["pending"].as_u64(), hooks[0]["failures"].as_u64()),
        (Some(0), Some(0))
    );

    // "Send again": the same message, the same id, once more.
    let (s, d) = admin
        .call(
            "POST",
            &format!("/api/events/ev/webhooks/{wid}/deliveries/{first}/retry"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{d}");
    eventually("the message sent again", async || rx.accepted().len() == 4).await;
    let again = rx.accepted().pop().unwrap();
    assert_eq!(again.header("webhook-id"), first);
    assert_eq!(again.body, accepted[0].body);
    verify(secret, &again).unwrap();
}

#[tokio::test]
async fn every_kind_is_told_and_endpoints_get_only_what_they_asked_for() {
    let server = TestServer::start_with(BIN, QUICK).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    let ids = admin.add_people("ev", 2).await;
    let everything = Receiver::start(&[]).await;
    let people_only = Receiver::start(&[]).await;
    register(&admin, "ev", &everything.url, None).await;
    register(
        &admin,
        "ev",
        &people_only.url,
        Some(json!(["person.updated"])),
    )
    .await;
    let (_, c) = admin
        .connect("ev", "p0@example.org", "p1@example.org")
        .await;
    let cid = c["connection"]["id"].as_str().unwrap();
    let (s, _) = admin
        .call("DELETE", &format!("/api/events/ev/connections/{cid}"), None)
        .await;
    assert_eq!(s, 204);
    admin
        .set_consent("ev", &ids[..1], json!({"lead": true, "wall": false}))
        .await;
    eventually("three messages", async || everything.accepted().len() == 3).await;
    eventually("one message", async || people_only.accepted().len() == 1).await;
    let kinds: Vec<Value> = everything
        .accepted()
        .iter()
        .map(|r| r.json()["type"].clone())
        .collect();
    assert_eq!(
        kinds,
        [
            json!("connection.created"),
            json!("connection.removed"),
            json!("person.updated")
        ]
    );
    let person = people_only.accepted()[0].json();
    assert_eq!(person["seq"], 1, "each endpoint numbers its own messages");
    assert_eq!(person["data"]["person"]["email"], "p0@example.org");
    assert_eq!(person["data"]["onWall"], false);
    assert_eq!(everything.accepted()[1].json()["data"]["connectionId"], cid);
}

#[tokio::test]
async fn a_crash_between_commit_and_delivery_still_delivers_with_the_same_id() {
    // The receiver holds the first attempt until the server is dead: the attempt was never recorded.
    let rx = Receiver::start(&[Reply::Hang(Duration::from_secs(30))]).await;
    let mut server = TestServer::start_with(BIN, &["--webhook-timeout-ms", "60000"]).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    admin.add_people("ev", 2).await;
    register(&admin, "ev", &rx.url, None).await;
    let (s, _) = admin
        .connect("ev", "p0@example.org", "p1@example.org")
        .await;
    assert_eq!(s, 201, "acknowledged");
    eventually("the first attempt in flight", async || {
        rx.received().len() == 1
    })
    .await;
    server.kill();
    server.restart().await;
    eventually("delivered after the restart", async || {
        rx.accepted().len() == 1
    })
    .await;
    let all = rx.received();
    assert_eq!(all[0].header("webhook-id"), all[1].header("webhook-id"));
    assert_eq!(all[0].body, all[1].body);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        rx.received().len(),
        2,
        "once accepted, it is not sent again"
    );
}

#[tokio::test]
async fn an_endpoint_is_paused_after_repeated_failures_and_resumes_in_order() {
    let rx = Receiver::start(&[Reply::Status(500); 3]).await;
    let mut args = QUICK.to_vec();
    args.extend(["--webhook-pause-after", "3"]);
    let server = TestServer::start_with(BIN, &args).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    admin.add_people("ev", 3).await;
    let hook = register(&admin, "ev", &rx.url, None).await;
    let wid = hook["id"].as_str().unwrap().to_owned();
    admin
        .connect("ev", "p0@example.org", "p1@example.org")
        .await;
    admin
        .connect("ev", "p1@example.org", "p2@example.org")
        .await;
    let paused = async || {
        let (_, hooks) = admin.call("GET", "/api/events/ev/webhooks", None).await;
        hooks[0]["state"] == "paused"
    };
    eventually("the endpoint paused", paused).await;
    let (_, hooks) = admin.call("GET", "/api/events/ev/webhooks", None).await;
    let h = &hooks[0];
    assert_eq!(
        (h["failures"].as_u64(), h["pending"].as_u64()),
        (Some(3), Some(2)),
        "{h}"
    );
    assert!(
        h["pausedReason"]
            .as_str()
            .unwrap()
            .contains("3 failed attempts in a row"),
        "{h}"
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(rx.received().len(), 3, "nothing is sent while paused");

    let (s, h) = admin
        .call(
            "PATCH",
            &format!("/api/events/ev/webhooks/{wid}"),
            Some(json!({"paused": false})),
        )
        .await;
    assert_eq!(
        (s, h["state"].as_str(), h["failures"].as_u64()),
        (200, Some("active"), Some(0)),
        "{h}"
    );
    eventually("both delivered after resuming", async || {
        rx.accepted().len() == 2
    })
    .await;
    let seqs: Vec<u64> = rx
        .accepted()
        .iter()
        .map(|r| r.json()["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, [1, 2]);

    // Paused by hand: messages wait too.
    admin
        .call(
            "PATCH",
            &format!("/api/events/ev/webhooks/{wid}"),
            Some(json!({"paused": true})),
        )
        .await;
    admin
        .connect("ev", "p0@example.org", "p2@example.org")
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.received().len(), 5);
    let (_, hooks) = admin.call("GET", "/api/events/ev/webhooks", None).await;
    assert_eq!(hooks[0]["pausedReason"], "paused by the organiser");
}

#[tokio::test]
async fn registration_is_checked_and_only_for_organisers() {
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({})).await;
    for (body, needle) in [
        (json!({"url": "ftp://example.org/x"}), "http:// or https://"),
        (json!({"url": "not a url"}), "is not a URL"),
        (
            json!({"url": "https://u:p@example.org/"}),
            "user name or password",
        ),
        (
            json!({"url": "https://example.org/", "kinds": []}),
            "at least one",
        ),
        (
            json!({"url": "https://example.org/", "kinds": ["tap.made"]}),
            "unknown variant",
        ),
    ] {
        let (s, b) = admin
            .call("POST", "/api/events/ev/webhooks", Some(body.clone()))
            .await;
        assert!(s == 400 || s == 422, "{body}: {s} {b}");
        assert!(
            b["error"]["message"].as_str().unwrap().contains(needle),
            "{body}: {b}"
        );
    }
    let (s, _) = admin
        .call(
            "POST",
            "/api/events/nope/webhooks",
            Some(json!({"url": "https://example.org/"})),
        )
        .await;
    assert_eq!(s, 404);
    let (_, station) = admin.device("ev", "station").await;
    let (s, _) = server
        .api()
        .with_token(&station)
        .call("GET", "/api/events/ev/webhooks", None)
        .await;
    assert_eq!(s, 403, "a station may not see the secrets");
    let (s, _) = server
        .api()
        .call("GET", "/api/events/ev/webhooks", None)
        .await;
    assert_eq!(s, 401);
    let w = register(&admin, "ev", "https://example.org/hook", None).await;
    let wid = w["id"].as_str().unwrap();
    let (s, b) = admin
        .call(
            "PATCH",
            &format!("/api/events/ev/webhooks/{wid}"),
            Some(json!({"url": "mailto:x@y"})),
        )
        .await;
    assert!(s == 400 || s == 422, "{b}");
    let (s, _) = admin
        .call("DELETE", &format!("/api/events/ev/webhooks/{wid}"), None)
        .await;
    assert_eq!(s, 204);
    let (_, list) = admin.call("GET", "/api/events/ev/webhooks", None).await;
    assert_eq!(list, json!([]));
    let (s, _) = admin
        .call("DELETE", &format!("/api/events/ev/webhooks/{wid}"), None)
        .await;
    assert_eq!(s, 404);
}
