//! End-to-end tests of the real desktop app (`target/debug/livewall`) under a private Xvfb, driven through
//! `tauri-driver` + `WebKitWebDriver`, against the real server binary and, for the station and enrolment, a private
//! pcscd with vpcd virtual readers and virtual badges.
//!
//! Run as root (private pcscd): `cargo test -p livewall-desktop-tests --test desktop`, after `npm --prefix ui run
//! build` and `cargo build -p livewall-app -p livewall-server`. Screenshots go to `artifacts/desktop-<role>.png`.

#![allow(clippy::unwrap_used)]

use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use libtest_mimic::{Arguments, Failed, Trial};
use livewall_desktop_tests::{Driver, Session, Xvfb, artifacts_dir, free_port};
use livewall_testkit::{ADMIN_PASSWORD, Api, TestServer, server_bin};
use livewall_virtual_badge::{BadgeKind, PcscStack, VirtualBadge, run_isolated};
use serde_json::{Value, json};

const HOLD: Duration = Duration::from_millis(700);
const WAIT: Duration = Duration::from_secs(20);

struct Env {
    rt: tokio::runtime::Runtime,
    driver: Driver,
    stack: Mutex<PcscStack>,
    tmp: tempfile::TempDir,
    _x: Xvfb,
}

type TestFn = fn(&Env) -> Result<(), Failed>;

fn main() -> ExitCode {
    run_isolated(|| {
        let args = Arguments::from_args();
        let env = match setup() {
            Ok(e) => Arc::new(e),
            Err(e) => {
                // Fail, never skip: missing Xvfb, tauri-driver or pcscd must not look like a green run.
                eprintln!("cannot set up the desktop end-to-end environment: {e}");
                return ExitCode::FAILURE;
            }
        };
        let tests: [(&str, TestFn); 12] = [
            ("kiosk_shows_live_wall_and_new_connection", kiosk_live),
            (
                "kiosk_started_with_server_down_shows_cached_wall",
                kiosk_cached,
            ),
            (
                "kiosk_window_cannot_call_admin_or_station_commands",
                kiosk_acl,
            ),
            ("station_pairs_taps_and_delivers_offline_taps_once", station),
            (
                "station_unknown_badge_phone_refused_token_then_new_setup_link_behind_the_pin",
                station_field,
            ),
            (
                "enrolment_writes_profile_url_that_station_resolves",
                enrolment,
            ),
            (
                "embedded_server_serves_rest_and_window_and_keeps_data",
                embedded,
            ),
            (
                "kiosk_minimised_by_the_window_manager_comes_back",
                kiosk_minimised,
            ),
            (
                "embedded_server_links_use_the_lan_address_and_show_the_password_once",
                embedded_lan,
            ),
            (
                "embedded_server_port_taken_is_said_in_words_and_another_offered",
                embedded_port_taken,
            ),
            (
                "settings_screen_saves_pasted_token_and_opens_kiosk",
                settings_pasted,
            ),
            (
                "settings_screen_reads_token_from_qr_image_and_opens_kiosk",
                settings_qr,
            ),
        ];
        let mut args = args;
        // One display, one driver, one pcscd: tests take turns.
        args.test_threads = Some(1);
        let trials = tests
            .into_iter()
            .map(|(name, f)| {
                let env = env.clone();
                Trial::test(name, move || f(&env))
            })
            .collect();
        libtest_mimic::run(&args, trials).exit_code()
    })
}

fn setup() -> Result<Env, String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    for (bin, what) in [
        (
            livewall_desktop_tests::app_bin(),
            "cargo build -p livewall-app",
        ),
        (server_bin(), "cargo build -p livewall-server"),
    ] {
        if !bin.exists() {
            return Err(format!("{} missing: run {what}", bin.display()));
        }
    }
    let stack = PcscStack::start().map_err(|e| e.to_string())?;
    let x = Xvfb::start()?;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let driver = rt.block_on(Driver::start(&x.display, tmp.path()))?;
    Ok(Env {
        rt,
        driver,
        stack: Mutex::new(stack),
        tmp,
        _x: x,
    })
}

/// A server with an event `ev` (public wall), `n` people and the admin API.
async fn event_server(n: usize) -> (TestServer, Api, Vec<String>) {
    let server = TestServer::start(server_bin()).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({"publicWall": true})).await;
    let people = admin.add_people("ev", n).await;
    (server, admin, people)
}

fn data_dir(env: &Env, name: &str) -> String {
    env.tmp.path().join(name).display().to_string()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn check(cond: bool, msg: impl FnOnce() -> String) -> Result<(), Failed> {
    if cond { Ok(()) } else { Err(msg().into()) }
}

const LINKS: &str = "return window.__livewall ? window.__livewall.linkCount() : -1";

/// Leaves the kiosk the documented way (PIN), so the next kiosk on the same data directory is not refused as a
/// second instance.
async fn leave_kiosk(s: Session) -> Result<(), Failed> {
    let wrong = s.invoke("kiosk_exit", json!({"pin": "0000"})).await?;
    check(wrong["err"]["code"] == "wrong_pin", || {
        format!("wrong PIN accepted: {wrong}")
    })?;
    // The app exits while the script runs: the driver may report that as an error.
    let _ = s
        .eval(
            "window.__TAURI__.core.invoke('kiosk_exit', { pin: '2468' }); return true",
            json!([]),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _ = s.end().await;
    Ok(())
}

fn kiosk_live(env: &Env) -> Result<(), Failed> {
    env.rt.block_on(async {
        let (server, admin, _) = event_server(6).await;
        let (_, token) = admin.device("ev", "kiosk").await;
        admin
            .connect("ev", "p0@example.org", "p1@example.org")
            .await;
        admin
            .connect("ev", "p1@example.org", "p2@example.org")
            .await;
        let dir = data_dir(env, "kiosk-live");
        let s = env
            .driver
            .session(&args(&[
                "kiosk",
                "--server",
                &server.base,
                "--event",
                "ev",
                "--token",
                &token,
                "--data-dir",
                &dir,
                "--exit-pin",
                "2468",
            ]))
            .await?;
        s.wait_for("the wall with 2 links", LINKS, WAIT, |v| v == 2)
            .await?;
        let (status, body) = admin
            .connect("ev", "p3@example.org", "p4@example.org")
            .await;
        check(status == 201, || format!("connect: {status} {body}"))?;
        s.wait_for("the new link on the wall", LINKS, WAIT, |v| v == 3)
            .await?;
        admin
            .connect("ev", "p4@example.org", "p5@example.org")
            .await;
        admin
            .connect("ev", "p0@example.org", "p5@example.org")
            .await;
        s.wait_for("five links", LINKS, WAIT, |v| v == 5).await?;
        let live = s
            .eval("return window.__livewall.status()", json!([]))
            .await?;
        check(live == "live", || format!("status {live}"))?;
        // Let the layout settle for the picture.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        s.screenshot(&artifacts_dir().join("desktop-kiosk.png"))
            .await?;
        leave_kiosk(s).await
    })
}

fn kiosk_cached(env: &Env) -> Result<(), Failed> {
    env.rt.block_on(async {
        let (mut server, admin, _) = event_server(3).await;
        let (_, token) = admin.device("ev", "kiosk").await;
        admin.connect("ev", "p0@example.org", "p1@example.org").await;
        admin.connect("ev", "p1@example.org", "p2@example.org").await;
        let dir = data_dir(env, "kiosk-cached");
        let argv = args(&[
            "kiosk", "--server", &server.base, "--event", "ev", "--token", &token, "--data-dir", &dir,
            "--exit-pin", "2468",
        ]);
        let s = env.driver.session(&argv).await?;
        s.wait_for("the live wall", LINKS, WAIT, |v| v == 2).await?;
        leave_kiosk(s).await?;
        check(server.terminate().await, || "server did not stop".into())?;
        let s = env.driver.session(&argv).await?;
        s.wait_for(
            "the cached wall",
            "const k = window.__livewallKiosk; return k && window.__livewall ? [k.fromCache(), window.__livewall.linkCount(), window.__livewall.nodeCount(), k.firstWallFrameAt() !== null] : null",
            WAIT,
            |v| *v == json!([true, 2, 3, true]),
        )
        .await?;
        let status = s.eval("return window.__livewall.status()", json!([])).await?;
        check(status == "offline", || format!("status {status}"))?;
        // Not a bare "Connecting…": the address, what failed and the fix, over the cached wall.
        let said = s
            .wait_for(
                "why the wall cannot follow",
                "const p = document.querySelector('.kiosk-problem'); return p && !p.hidden ? p.textContent : null",
                WAIT,
                Value::is_string,
            )
            .await?;
        check(
            said.as_str().is_some_and(|t| {
                t.contains(&format!("Cannot reach {}", server.base))
                    && t.contains("connection refused")
                    && t.contains("Start the livewall server")
            }),
            || format!("the kiosk says {said}"),
        )?;
        s.screenshot(&artifacts_dir().join("desktop-kiosk-cannot-reach.png")).await?;
        leave_kiosk(s).await
    })
}

fn kiosk_acl(env: &Env) -> Result<(), Failed> {
    env.rt.block_on(async {
        let (server, admin, _) = event_server(2).await;
        let (_, token) = admin.device("ev", "kiosk").await;
        let dir = data_dir(env, "kiosk-acl");
        let s = env
            .driver
            .session(&args(&[
                "kiosk",
                "--server",
                &server.base,
                "--event",
                "ev",
                "--token",
                &token,
                "--data-dir",
                &dir,
                "--exit-pin",
                "2468",
            ]))
            .await?;
        s.wait_for("the wall", LINKS, WAIT, |v| v == 0).await?;
        // Its own command works, so a refusal below is the ACL and not a broken bridge.
        let own = s.invoke("desktop_config", json!({})).await?;
        check(own["ok"]["role"] == "kiosk", || {
            format!("desktop_config: {own}")
        })?;
        for (cmd, a) in [
            (
                "admin_write_badge",
                json!({"url": "https://evil.example/p/x", "timeoutMs": 1000}),
            ),
            ("admin_wait_badge", json!({"timeoutMs": 1000})),
            ("station_key_uid", json!({"uid": "04A1B2C3D4E5F6"})),
            ("settings_save", json!({"settings": {"role": "admin"}})),
        ] {
            let r = s.invoke(cmd, a).await?;
            let err = r["err"].to_string();
            check(err.contains("not allowed"), || {
                format!("{cmd} from the kiosk window: {r}")
            })?;
        }
        leave_kiosk(s).await
    })
}

fn profile_badge(n: u8, base: &str, profile: &str) -> VirtualBadge {
    VirtualBadge::with_uri(
        BadgeKind::Ntag213,
        &[0x04, 0xD0, n, 0x10, 0x20, 0x30, n.wrapping_mul(3)],
        &format!("{base}/p/{profile}"),
    )
}

fn tap(env: &Env, badge: &VirtualBadge) -> Result<(), Failed> {
    let reader = env
        .stack
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .reader(0);
    reader.tap(badge, HOLD)?;
    // pcscd polls vpcd every 400 ms: let the removal be seen before the next badge.
    std::thread::sleep(Duration::from_millis(500));
    Ok(())
}

const MODEL: &str = "return window.__livewallStation ? window.__livewallStation.model() : null";

async fn station_session(
    env: &Env,
    server: &TestServer,
    token: &str,
    dir: &str,
) -> Result<Session, Failed> {
    let s = env
        .driver
        .session(&args(&[
            "station",
            "--server",
            &server.base,
            "--event",
            "ev",
            "--token",
            token,
            "--data-dir",
            dir,
            "--reader",
            "Virtual PCD 00 00",
        ]))
        .await?;
    s.wait_for("the reader", MODEL, WAIT, |m| m["reader"] == "ready")
        .await?;
    Ok(s)
}

async fn connections(admin: &Api) -> Vec<Value> {
    let (_, b) = admin.call("GET", "/api/events/ev/connections", None).await;
    b.get("connections")
        .or(b.get("items"))
        .and_then(Value::as_array)
        .or(b.as_array())
        .cloned()
        .unwrap_or_default()
}

fn station(env: &Env) -> Result<(), Failed> {
    env.rt.block_on(async {
        let (mut server, admin, people) = event_server(6).await;
        // The organiser chose German for the event's screens: the station window speaks it.
        let (status, _) = admin.set_settings("ev", json!({"language": "de"})).await;
        check(status == 200, || format!("set the language: {status}"))?;
        let (_, token) = admin.device("ev", "station").await;
        let dir = data_dir(env, "station");
        let s = station_session(env, &server, &token, &dir).await?;
        let de = livewall_protocol::i18n::catalogue("de");
        s.wait_for(
            "the station in German",
            "return [document.documentElement.lang, document.querySelector('.st-title')?.textContent ?? null]",
            WAIT,
            |v| v[0] == "de" && v[1] == de.text("station.idle.title"),
        )
        .await?;
        let badges: Vec<VirtualBadge> = people
            .iter()
            .enumerate()
            .map(|(i, p)| profile_badge(u8::try_from(i).unwrap_or(0), &server.base, p))
            .collect();

        tap(env, &badges[0])?;
        s.wait_for("the first person", MODEL, WAIT, |m| {
            m["screen"]["kind"] == "first" && m["screen"]["person"]["name"] == "Person 0"
        })
        .await?;
        s.screenshot(&artifacts_dir().join("desktop-station-first.png"))
            .await?;
        tap(env, &badges[1])?;
        s.wait_for("connected", MODEL, WAIT, |m| {
            m["screen"]["kind"] == "done" && m["screen"]["outcome"] == "connected"
        })
        .await?;
        s.screenshot(&artifacts_dir().join("desktop-station.png"))
            .await?;
        let wall = admin.wall("ev").await;
        check(wall["links"].as_array().map(Vec::len) == Some(1), || {
            format!("wall: {wall}")
        })?;
        let seq_before = wall["seq"].as_u64().unwrap_or(0);

        // Server down: two more pairs wait in the outbox, then go out exactly once when it is back.
        check(server.terminate().await, || "server did not stop".into())?;
        for pair in [[2usize, 3], [4, 5]] {
            tap(env, &badges[pair[0]])?;
            s.wait_for("first badge", MODEL, WAIT, |m| {
                m["screen"]["kind"] == "first"
            })
            .await?;
            tap(env, &badges[pair[1]])?;
            s.wait_for("queued", MODEL, WAIT, |m| m["screen"]["kind"] == "queued")
                .await?;
        }
        s.wait_for("two taps waiting", MODEL, WAIT, |m| m["waiting"] == 2)
            .await?;
        server.restart().await;
        s.wait_for("the queue drained", MODEL, Duration::from_secs(30), |m| {
            m["waiting"] == 0
        })
        .await?;
        let wall = admin.wall("ev").await;
        check(wall["links"].as_array().map(Vec::len) == Some(3), || {
            format!("wall: {wall}")
        })?;
        // Exactly once: two new log entries, no more (a replayed post would be a duplicate, logged nowhere, but
        // a lost idempotency key would show up as a second connection attempt in the outbox's place).
        let seq_after = wall["seq"].as_u64().unwrap_or(0);
        check(seq_after == seq_before + 2, || {
            format!("seq {seq_before} -> {seq_after}")
        })?;
        let listed = connections(&admin).await;
        check(listed.len() == 3, || format!("connections: {listed:?}"))?;
        let _ = s.end().await;
        Ok(())
    })
}

fn enrolment(env: &Env) -> Result<(), Failed> {
    env.rt.block_on(async {
        let (server, admin, people) = event_server(2).await;
        let dir = data_dir(env, "admin");
        let s = env
            .driver
            .session(&args(&[
                "admin",
                "--server",
                &server.base,
                "--data-dir",
                &dir,
                "--reader",
                "Virtual PCD 00 00",
            ]))
            .await?;
        s.wait_for(
            "the admin page from the server",
            "return location.href",
            WAIT,
            |v| v.as_str().is_some_and(|u| u.ends_with("/admin")),
        )
        .await?;
        tokio::time::sleep(Duration::from_millis(800)).await;
        s.screenshot(&artifacts_dir().join("desktop-admin.png"))
            .await?;
        let blank = VirtualBadge::unformatted(
            BadgeKind::Ntag213,
            &[0x04, 0xE1, 0x42, 0x10, 0x20, 0x30, 0x99],
        );
        // The link the admin screens write: the server makes it, with the badge's key.
        let (_, link) = admin
            .call(
                "GET",
                &format!("/api/events/ev/profiles/{}/badge-link", people[0]),
                None,
            )
            .await;
        let path = link["path"].as_str().unwrap_or_default();
        check(path.starts_with(&format!("/p/{}?k=", people[0])), || {
            format!("badge link: {link}")
        })?;
        let url = format!("{}{path}", server.base);
        let reader = env
            .stack
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .reader(0);
        // The badge arrives while the command waits, as an organiser would place it.
        let placer = {
            let blank = blank.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(1200));
                reader.tap(&blank, Duration::from_millis(2500))
            })
        };
        let wrote = s
            .invoke("admin_write_badge", json!({"url": url, "timeoutMs": 15000}))
            .await?;
        placer.join().map_err(|_| "placer panicked")??;
        check(wrote["ok"]["uid"] == blank.uid_hex(), || {
            format!("admin_write_badge: {wrote}")
        })?;
        // Read it back through the other command.
        let reader = env
            .stack
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .reader(0);
        let again = {
            let blank = blank.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(800));
                reader.tap(&blank, Duration::from_millis(1500))
            })
        };
        let seen = s
            .invoke("admin_wait_badge", json!({"timeoutMs": 10000}))
            .await?;
        again.join().map_err(|_| "placer panicked")??;
        check(
            seen["ok"]["uri"] == url.as_str() && seen["ok"]["uid"] == blank.uid_hex(),
            || format!("admin_wait_badge: {seen}"),
        )?;
        let none = s
            .invoke("admin_wait_badge", json!({"timeoutMs": 600}))
            .await?;
        check(none["err"]["code"] == "timeout", || {
            format!("empty reader: {none}")
        })?;

        // The enrolled badge is not written over with someone else's link unless the organiser says so, and a
        // write checked for one badge refuses another.
        let (_, other) = admin
            .call("GET", &format!("/api/events/ev/profiles/{}/badge-link", people[1]), None)
            .await;
        let other_url = format!("{}{}", server.base, other["path"].as_str().unwrap_or_default());
        let on_reader = |badge: &VirtualBadge, after: u64, hold: u64| {
            let reader = env.stack.lock().unwrap_or_else(PoisonError::into_inner).reader(0);
            let badge = badge.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(after));
                reader.tap(&badge, Duration::from_millis(hold))
            })
        };
        let placer = on_reader(&blank, 800, 2000);
        let refused = s
            .invoke("admin_write_badge", json!({"url": other_url, "timeoutMs": 10000}))
            .await?;
        placer.join().map_err(|_| "placer panicked")??;
        check(
            refused["err"]["code"] == "badge_in_use"
                && refused["err"]["message"].as_str().is_some_and(|m| m.contains(url.as_str())),
            || format!("an enrolled badge was written over: {refused}"),
        )?;
        check(
            blank.memory()[16..].windows(url.len() - 8).any(|w| w == &url.as_bytes()[8..]),
            || "the first person's link is gone from the badge".into(),
        )?;
        tokio::time::sleep(Duration::from_millis(600)).await;
        let placer = on_reader(&blank, 800, 2000);
        let wrong = s
            .invoke(
                "admin_write_badge",
                json!({"url": other_url, "timeoutMs": 10000, "expectUid": "04FFFFFFFFFFFF", "replace": true}),
            )
            .await?;
        placer.join().map_err(|_| "placer panicked")??;
        check(wrong["err"]["code"] == "wrong_badge", || format!("another badge was written: {wrong}"))?;
        // A blank NTAG215 gets the capability container of its own size, and reads back.
        tokio::time::sleep(Duration::from_millis(600)).await;
        let big = VirtualBadge::unformatted(BadgeKind::Ntag215, &[0x04, 0xE2, 0x43, 0x11, 0x21, 0x31, 0x9A]);
        let placer = on_reader(&big, 800, 2500);
        let wrote = s
            .invoke(
                "admin_write_badge",
                json!({"url": other_url, "timeoutMs": 10000, "expectUid": big.uid_hex()}),
            )
            .await?;
        placer.join().map_err(|_| "placer panicked")??;
        check(wrote["ok"]["uid"] == big.uid_hex(), || format!("NTAG215: {wrote}"))?;
        check(big.memory()[12..16] == [0xE1, 0x10, 0x3E, 0x00], || {
            format!("NTAG215 container {:02X?}", &big.memory()[12..16])
        })?;
        tokio::time::sleep(Duration::from_millis(600)).await;
        let placer = on_reader(&big, 800, 1500);
        let seen = s.invoke("admin_wait_badge", json!({"timeoutMs": 10000})).await?;
        placer.join().map_err(|_| "placer panicked")??;
        check(seen["ok"]["uri"] == other_url.as_str(), || format!("NTAG215 read back: {seen}"))?;
        let _ = s.end().await;
        tokio::time::sleep(Duration::from_millis(500)).await;

        // The enrolled badge at a station: the person is recognised.
        let (_, token) = admin.device("ev", "station").await;
        let st = station_session(env, &server, &token, &data_dir(env, "enrol-station")).await?;
        tap(env, &blank)?;
        st.wait_for("the enrolled person", MODEL, WAIT, |m| {
            m["screen"]["kind"] == "first" && m["screen"]["person"]["name"] == "Person 0"
        })
        .await?;
        let _ = st.end().await;
        Ok(())
    })
}

/// Polls `GET <base>/readyz` until its status is `up` (200) or it stops answering (`!up`).
async fn wait_readyz(base: &str, up: bool) -> Result<(), Failed> {
    let http = reqwest::Client::new();
    let deadline = std::time::Instant::now() + WAIT;
    while std::time::Instant::now() < deadline {
        let answer = http
            .get(format!("{base}/readyz"))
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        match answer {
            Ok(r) if up && r.status() == 200 => return Ok(()),
            Err(_) if !up => return Ok(()),
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!(
        "{base}/readyz: still not {}",
        if up { "up" } else { "down" }
    )
    .into())
}

async fn login(base: &str) -> Result<Api, Failed> {
    let (status, body) = Api::new(base, None)
        .call(
            "POST",
            "/api/login",
            Some(json!({"username": "admin", "password": ADMIN_PASSWORD})),
        )
        .await;
    check(status == 200, || format!("admin login: {status} {body}"))?;
    Ok(Api::new(base, body["token"].as_str().map(str::to_owned)))
}

/// The command line of `livewall admin --embedded-server` on `db`, listening on `bind`, with the built web UI and
/// the data directory `dir`; `password` sets the first admin's (else the app generates and shows one).
fn embedded_args(
    env: &Env,
    name: &str,
    bind: &str,
    password: Option<&str>,
) -> Result<Vec<String>, Failed> {
    let dir = data_dir(env, name);
    std::fs::create_dir_all(&dir)?;
    let db = env.tmp.path().join(name).join("event.db");
    let ui = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist");
    let mut list = args(&[
        "admin",
        "--embedded-server",
        "--db",
        &db.display().to_string(),
        "--bind",
        bind,
        "--ui-dir",
        &ui.display().to_string(),
        "--data-dir",
        &dir,
    ]);
    if let Some(p) = password {
        list.extend(args(&["--admin-password", p]));
    }
    Ok(list)
}

/// `livewall admin --embedded-server`: the server runs in the app on a SQLite file, answers REST on its port, the
/// app's own window shows what was created through it, and the file keeps it all for the next start.
fn embedded(env: &Env) -> Result<(), Failed> {
    env.rt.block_on(async {
        let start = |port: u16| {
            embedded_args(env, "embedded", &format!("127.0.0.1:{port}"), Some(ADMIN_PASSWORD))
        };
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let s = env.driver.session(&start(port)?).await?;
        wait_readyz(&base, true).await?;
        let admin = login(&base).await?;
        admin.create_event("ev", json!({"publicWall": true})).await;
        admin.add_people("ev", 3).await;
        let (status, body) = admin
            .connect("ev", "p0@example.org", "p1@example.org")
            .await;
        check(status == 201, || format!("connect: {status} {body}"))?;

        // The app's window: the admin screens from the embedded server, then the event's wall it serves.
        s.wait_for(
            "the admin page from the embedded server",
            "return location.href",
            WAIT,
            |v| v.as_str() == Some(format!("{base}/admin").as_str()),
        )
        .await?;
        let config = s.invoke("desktop_config", json!({})).await?;
        check(
            config["ok"]["embedded"]["localUrl"] == base.as_str()
                && config["ok"]["embedded"]["publicUrl"] == base.as_str()
                && config["ok"]["embedded"]["adminPassword"].is_null()
                && config["ok"]["server"] == base.as_str(),
            || format!("desktop_config: {config}"),
        )?;
        // "Open wall" in the admin screens: a link to a new tab does nothing in the app, so the command opens the
        // wall in a window of its own (called after the script has answered, as it opens a window).
        s.eval(
            "setTimeout(() => window.__TAURI__.core.invoke('admin_open_wall', { event: 'ev' }), 0); return true",
            json!([]),
        )
        .await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        s.switch_to_window("/wall/ev", WAIT).await?;
        s.wait_for(
            "the wall in its own window",
            "return window.__livewall ? [window.__livewall.nodeCount(), window.__livewall.linkCount()] : null",
            WAIT,
            |v| *v == json!([3, 1]),
        )
        .await?;
        s.end().await?;
        wait_readyz(&base, false).await?;

        // A second start on the same file, on another port: the account, the event and the connection are there.
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let s = env.driver.session(&start(port)?).await?;
        wait_readyz(&base, true).await?;
        let admin = login(&base).await?;
        let wall = admin.wall("ev").await;
        check(
            wall["links"].as_array().map(Vec::len) == Some(1)
                && wall["nodes"].as_array().map(Vec::len) == Some(3),
            || format!("wall after restart: {wall}"),
        )?;
        let listed = connections(&admin).await;
        check(listed.len() == 1, || format!("connections: {listed:?}"))?;
        s.end().await?;
        wait_readyz(&base, false).await
    })
}

const SETTINGS_READY: &str = "const p = document.querySelector('form.settings .set-problem'); return p ? p.textContent : null";

/// How the first-run test gives the settings screen the server, event and token.
#[derive(Clone, Copy)]
enum Fill {
    /// Typed into the form, the token pasted as text.
    Pasted,
    /// Read by the screen from a QR code image (JSON device settings) chosen in its file input.
    Qr,
}

/// A PNG of the QR code of `text`.
fn qr_png(text: &str) -> Result<Vec<u8>, Failed> {
    let img = qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| e.to_string())?
        .render::<image::Luma<u8>>()
        .build();
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
    Ok(png)
}

/// The first run: an empty data directory and no role open the settings screen, which is filled (`fill`) for a
/// kiosk of a live server's event and submitted. The settings file then holds that configuration and the kiosk
/// window shows the event's wall.
async fn first_run_kiosk(env: &Env, name: &str, fill: Fill) -> Result<(), Failed> {
    let (server, admin, _) = event_server(3).await;
    let (_, token) = admin.device("ev", "kiosk").await;
    admin
        .connect("ev", "p0@example.org", "p1@example.org")
        .await;
    let dir = data_dir(env, name);
    let s = env.driver.session(&args(&["--data-dir", &dir])).await?;
    // The screen says why it is shown once it has read the (empty) configuration.
    s.wait_for("the settings screen", SETTINGS_READY, WAIT, |v| {
        v == "choose what this device is"
    })
    .await?;
    match fill {
        Fill::Pasted => {
            s.eval(
                "const f = document.querySelector('form.settings');
                 f.elements['server'].value = arguments[0];
                 f.elements['event'].value = 'ev';
                 f.elements['token'].value = arguments[1];
                 return true",
                json!([server.base, token]),
            )
            .await?;
        }
        Fill::Qr => {
            let code = json!({"server": server.base, "token": token, "event": "ev"}).to_string();
            s.eval(
                "const f = document.querySelector('form.settings');
                 const files = new DataTransfer();
                 files.items.add(new File([new Uint8Array(arguments[0])], 'device.png', { type: 'image/png' }));
                 const qr = f.elements['qr'];
                 qr.files = files.files;
                 qr.dispatchEvent(new Event('change'));
                 return true",
                json!([qr_png(&code)?]),
            )
            .await?;
            s.wait_for(
                "the form filled from the QR code",
                "const f = document.querySelector('form.settings');
                 return [f.querySelector('.set-message').textContent, f.elements['server'].value,
                         f.elements['event'].value, f.elements['token'].value]",
                WAIT,
                |v| *v == json!(["Token read from the QR code.", server.base, "ev", token]),
            )
            .await?;
        }
    }
    s.eval(
        "const f = document.querySelector('form.settings');
         f.elements['role'].value = 'kiosk';
         f.elements['exitPin'].value = '2468';
         // Saving closes this window: submit after the script has answered.
         setTimeout(() => f.requestSubmit(), 0);
         return true",
        json!([]),
    )
    .await?;
    s.switch_to_window("/kiosk", WAIT).await?;
    s.wait_for("the wall of the configured event", LINKS, WAIT, |v| v == 1)
        .await?;
    let saved: Value = serde_json::from_slice(&std::fs::read(
        std::path::Path::new(&dir).join("settings.json"),
    )?)?;
    check(
        saved
            == json!({"role": "kiosk", "server": server.base, "token": token, "event": "ev",
                      "exitPin": "2468"}),
        || format!("settings.json: {saved}"),
    )?;
    let config = s.invoke("desktop_config", json!({})).await?;
    check(
        config["ok"]["role"] == "kiosk"
            && config["ok"]["event"] == "ev"
            && config["ok"]["server"] == server.base.as_str()
            && config["ok"]["hasToken"] == true,
        || format!("desktop_config: {config}"),
    )?;
    leave_kiosk(s).await
}

fn settings_pasted(env: &Env) -> Result<(), Failed> {
    env.rt
        .block_on(first_run_kiosk(env, "settings-pasted", Fill::Pasted))
}

fn settings_qr(env: &Env) -> Result<(), Failed> {
    env.rt
        .block_on(first_run_kiosk(env, "settings-qr", Fill::Qr))
}

/// The X window of the kiosk (its title is exactly "livewall").
fn kiosk_window(display: &str) -> Result<String, Failed> {
    let out = std::process::Command::new("xdotool")
        .args(["search", "--name", "^livewall$"])
        .env("DISPLAY", display)
        .output()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .map(str::to_owned)
        .ok_or_else(|| "no kiosk window on the display".into())
}

/// `xprop WM_STATE` of `window`: "Normal" or "Iconic".
fn wm_state(display: &str, window: &str) -> Result<String, Failed> {
    let out = std::process::Command::new("xprop")
        .args(["-id", window, "WM_STATE"])
        .env("DISPLAY", display)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text
        .split("window state:")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or("none")
        .to_owned())
}

/// A window manager (openbox) minimises the kiosk, as "show desktop" or a stray shortcut would: the kiosk brings
/// itself back, fullscreen, by itself.
fn kiosk_minimised(env: &Env) -> Result<(), Failed> {
    let display = env._x.display.clone();
    let mut wm = std::process::Command::new("openbox")
        .env("DISPLAY", &display)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start openbox (Debian package openbox): {e}"))?;
    let result = env.rt.block_on(async {
        let (server, admin, _) = event_server(3).await;
        admin
            .connect("ev", "p0@example.org", "p1@example.org")
            .await;
        let dir = data_dir(env, "kiosk-minimised");
        let s = env
            .driver
            .session(&args(&[
                "kiosk",
                "--server",
                &server.base,
                "--event",
                "ev",
                "--data-dir",
                &dir,
                "--exit-pin",
                "2468",
            ]))
            .await?;
        s.wait_for("the wall", LINKS, WAIT, |v| v == 1).await?;
        let window = kiosk_window(&display)?;
        let deadline = std::time::Instant::now() + WAIT;
        while wm_state(&display, &window)? != "Normal" {
            check(std::time::Instant::now() < deadline, || {
                "the kiosk never became a normal window".into()
            })?;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let status = std::process::Command::new("xdotool")
            .args(["windowminimize", &window])
            .env("DISPLAY", &display)
            .status()?;
        check(status.success(), || "xdotool windowminimize failed".into())?;
        let mut seen_iconic = false;
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let state = wm_state(&display, &window)?;
            seen_iconic |= state == "Iconic";
            if seen_iconic && state == "Normal" {
                break;
            }
            check(std::time::Instant::now() < deadline, || {
                format!("the kiosk stayed {state} (minimised seen: {seen_iconic})")
            })?;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        s.screenshot(&artifacts_dir().join("desktop-kiosk-back-after-minimise.png"))
            .await?;
        leave_kiosk(s).await
    });
    let _ = wm.kill();
    let _ = wm.wait();
    result
}

/// This machine's IPv4 addresses (`hostname -I`).
fn own_addresses() -> Vec<String> {
    std::process::Command::new("hostname")
        .arg("-I")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// One laptop, no server: bound to every interface, the embedded server's badge links and device setup links
/// use the machine's LAN address, the window is told that address, and a generated admin password is shown once.
fn embedded_lan(env: &Env) -> Result<(), Failed> {
    env.rt.block_on(async {
        let port = free_port();
        let start = embedded_args(env, "embedded-lan", &format!("0.0.0.0:{port}"), None)?;
        let s = env.driver.session(&start).await?;
        let base = format!("http://127.0.0.1:{port}");
        wait_readyz(&base, true).await?;
        // The admin screens in the app's window ask the app once: they show where devices join and the generated
        // first login, which is then gone from every later answer.
        s.wait_for(
            "the admin page from the embedded server",
            "return location.pathname",
            WAIT,
            |v| v == "/admin",
        )
        .await?;
        let shown = s
            .wait_for(
                "the first login on the login screen",
                "const j = document.querySelector('.embedded-join'); const f = document.querySelector('.first-login');
                 return j && f ? [j.textContent, f.textContent] : null",
                WAIT,
                |v| v.is_array(),
            )
            .await?;
        s.screenshot(&artifacts_dir().join("desktop-embedded-admin-login.png")).await?;
        let first = s.invoke("desktop_config", json!({})).await?;
        let embedded = &first["ok"]["embedded"];
        let public = embedded["publicUrl"].as_str().unwrap_or_default().to_owned();
        let host = public
            .strip_prefix("http://")
            .and_then(|r| r.rsplit_once(':'))
            .map(|(h, _)| h.to_owned())
            .unwrap_or_default();
        check(
            own_addresses().contains(&host) && public.ends_with(&format!(":{port}")),
            || format!("public URL {public:?} is not a LAN address of this machine {:?}", own_addresses()),
        )?;
        check(embedded["localUrl"] == base.as_str(), || format!("{first}"))?;
        check(
            shown[0].as_str().is_some_and(|t| t.ends_with(&format!("join at {public}"))),
            || format!("join line: {shown}"),
        )?;
        let password = shown[1]
            .as_str()
            .and_then(|t| t.strip_prefix("First login: admin / "))
            .and_then(|t| t.split(' ').next())
            .unwrap_or_default()
            .to_owned();
        check(password.len() >= 12 && embedded["adminUser"] == "admin", || {
            format!("no generated password shown: {shown}")
        })?;
        check(embedded["adminPassword"].is_null(), || {
            format!("the password was answered twice: {first}")
        })?;
        let (status, body) = Api::new(&base, None)
            .call("POST", "/api/login", Some(json!({"username": "admin", "password": password})))
            .await;
        check(status == 200, || format!("login with the shown password: {status} {body}"))?;
        let admin = Api::new(&base, body["token"].as_str().map(str::to_owned));
        admin.create_event("ev", json!({"publicWall": true})).await;
        let people = admin.add_people("ev", 1).await;
        let (_, link) = admin
            .call("GET", &format!("/api/events/ev/profiles/{}/badge-link", people[0]), None)
            .await;
        check(
            link["url"].as_str().is_some_and(|u| u.starts_with(&format!("{public}/p/"))),
            || format!("badge link {link} does not use {public}"),
        )?;
        let (_, minted) = admin
            .call("POST", "/api/events/ev/devices", Some(json!({"name": "door", "role": "station"})))
            .await;
        check(
            minted["setupLink"]
                .as_str()
                .is_some_and(|u| u.starts_with(&format!("{public}/setup#role=station&event=ev&token="))),
            || format!("setup link {minted} does not use {public}"),
        )?;
        s.screenshot(&artifacts_dir().join("desktop-embedded-lan.png")).await?;
        s.end().await?;
        wait_readyz(&base, false).await
    })
}

/// The port the embedded server wants is taken: no panic, the settings screen says so in words and offers a free
/// port, and taking the offer starts the server there and opens the admin window.
fn embedded_port_taken(env: &Env) -> Result<(), Failed> {
    env.rt.block_on(async {
        let taken = std::net::TcpListener::bind("127.0.0.1:0")?;
        let port = taken.local_addr()?.port();
        let start = embedded_args(env, "embedded-taken", &format!("127.0.0.1:{port}"), Some(ADMIN_PASSWORD))?;
        let s = env.driver.session(&start).await?;
        let said = s
            .wait_for("the settings screen", SETTINGS_READY, WAIT, |v| {
                v.as_str().is_some_and(|t| !t.is_empty())
            })
            .await?;
        check(
            said.as_str()
                .is_some_and(|t| t.contains(&format!("port {port} is already in use"))),
            || format!("the screen says {said}"),
        )?;
        let config = s.invoke("desktop_config", json!({})).await?;
        let offer = config["ok"]["offerPort"].as_u64().unwrap_or(0);
        check(offer != 0 && offer != u64::from(port), || format!("no port offered: {config}"))?;
        s.screenshot(&artifacts_dir().join("desktop-embedded-port-taken.png")).await?;
        let _ = s
            .eval(
                "setTimeout(() => window.__TAURI__.core.invoke('embedded_restart', { port: arguments[0] }), 0); return true",
                json!([offer]),
            )
            .await?;
        let base = format!("http://127.0.0.1:{offer}");
        wait_readyz(&base, true).await?;
        s.switch_to_window("/admin", WAIT).await?;
        drop(taken);
        s.end().await?;
        wait_readyz(&base, false).await
    })
}

/// The field at a station: an unknown badge does not swallow the next person's tap, a phone is told apart, a
/// revoked token keeps the tap and says so, and staff fix it behind the PIN by pasting a new setup link, which
/// fills every field; the kept tap is then delivered once.
fn station_field(env: &Env) -> Result<(), Failed> {
    env.rt.block_on(async {
        let (server, admin, people) = event_server(4).await;
        let (device, token) = admin.device("ev", "station").await;
        let dir = data_dir(env, "station-field");
        let s = env
            .driver
            .session(&args(&[
                "station", "--server", &server.base, "--event", "ev", "--token", &token, "--data-dir", &dir,
                "--reader", "Virtual PCD 00 00", "--exit-pin", "1357",
            ]))
            .await?;
        s.wait_for("the reader", MODEL, WAIT, |m| m["reader"] == "ready").await?;
        let badges: Vec<VirtualBadge> = people
            .iter()
            .enumerate()
            .map(|(i, p)| profile_badge(u8::try_from(i + 20).unwrap_or(0), &server.base, p))
            .collect();

        let stranger = VirtualBadge::new(BadgeKind::Ntag213, &[0x04, 0x99, 0x88, 0x77, 0x66, 0x55, 0x44]);
        tap(env, &stranger)?;
        s.wait_for("unknown badge", MODEL, WAIT, |m| m["screen"]["kind"] == "unknown").await?;
        s.screenshot(&artifacts_dir().join("desktop-station-unknown-badge.png")).await?;
        // The next person's tap starts a new pairing: it is not paired with the unknown badge.
        tap(env, &badges[0])?;
        s.wait_for("the first person, not a refused pair", MODEL, WAIT, |m| {
            m["screen"]["kind"] == "first" && m["screen"]["person"]["name"] == "Person 0"
        })
        .await?;
        let phone = VirtualBadge::new(BadgeKind::Ntag213, &[0x08, 0x3A, 0x5C, 0x7E]);
        tap(env, &phone)?;
        s.wait_for("the phone notice", MODEL, WAIT, |m| m["screen"]["kind"] == "phone").await?;
        s.screenshot(&artifacts_dir().join("desktop-station-phone.png")).await?;
        tap(env, &badges[1])?;
        s.wait_for("connected", MODEL, WAIT, |m| {
            m["screen"]["kind"] == "done" && m["screen"]["outcome"] == "connected"
        })
        .await?;

        // The organiser revokes this station: the next tap is kept, and the screen says why.
        let (status, body) = admin
            .call("POST", &format!("/api/events/ev/devices/{device}/revoke"), None)
            .await;
        check(status == 200, || format!("revoke: {status} {body}"))?;
        tokio::time::sleep(Duration::from_millis(2500)).await;
        tap(env, &badges[2])?;
        s.wait_for("first badge", MODEL, WAIT, |m| m["screen"]["kind"] == "first").await?;
        tap(env, &badges[3])?;
        s.wait_for("the tap kept for a refused token", MODEL, WAIT, |m| {
            m["waiting"] == 1 && m["hold"]["kind"] == "token_refused"
        })
        .await?;
        let banner = s
            .wait_for(
                "the banner",
                "const b = document.querySelector('.st-hold'); return b ? b.textContent : null",
                WAIT,
                |v| v.as_str().is_some_and(|t| t.contains("token was refused")),
            )
            .await?;
        let en = livewall_protocol::i18n::catalogue("en");
        let head = en.format("station.hold.head", &[("count", "1")]);
        check(banner.as_str().is_some_and(|t| t.starts_with(&head)), || {
            format!("banner: {banner}")
        })?;
        tokio::time::sleep(Duration::from_millis(5500)).await;
        s.screenshot(&artifacts_dir().join("desktop-station-token-refused.png")).await?;
        check(connections(&admin).await.len() == 1, || "a tap was stored with a revoked token".into())?;

        // Staff open the settings behind the PIN and paste a new setup link.
        let wrong = s.invoke("settings_open", json!({"pin": "0000"})).await?;
        check(wrong["err"]["code"] == "wrong_pin", || format!("wrong PIN accepted: {wrong}"))?;
        // The command opens a window: call it after the script has answered (WebKitWebDriver waits for a script
        // that is running while a window of its web context opens).
        s.eval(
            "setTimeout(() => window.__TAURI__.core.invoke('settings_open', { pin: '1357' }), 0); return true",
            json!([]),
        )
        .await?;
        let (_, minted) = admin
            .call("POST", "/api/events/ev/devices", Some(json!({"name": "door 2", "role": "station"})))
            .await;
        let link = minted["setupLink"].as_str().unwrap_or_default().to_owned();
        let new_token = minted["token"].as_str().unwrap_or_default().to_owned();
        // Let the new window load completely before the driver switches to it: WebKitWebDriver can stall for good
        // on a page it switched to while loading.
        tokio::time::sleep(Duration::from_secs(3)).await;
        s.switch_to_window("/settings", WAIT).await?;
        // The screen has read the device's configuration into the form once it shows its (empty) problem line.
        s.wait_for("the settings screen", SETTINGS_READY, WAIT, Value::is_string)
            .await?;
        tokio::time::sleep(Duration::from_millis(1000)).await;
        s.eval(
            "const f = document.querySelector('form.settings');
             f.elements['role'].value = 'kiosk';
             f.elements['server'].value = '';
             f.elements['event'].value = '';
             const l = f.elements['setupLink'];
             l.value = arguments[0];
             l.dispatchEvent(new Event('change'));
             return true",
            json!([link]),
        )
        .await?;
        s.wait_for(
            "every field filled from the link",
            "const f = document.querySelector('form.settings');
             return [f.elements['role'].value, f.elements['server'].value, f.elements['event'].value,
                     f.elements['token'].value]",
            WAIT,
            |v| *v == json!(["station", server.base, "ev", new_token]),
        )
        .await?;
        Session::screen_shot(&env._x.display, &artifacts_dir().join("desktop-settings-from-setup-link.png"))?;
        s.eval(
            "const f = document.querySelector('form.settings');
             f.elements['exitPin'].value = '1357';
             setTimeout(() => f.requestSubmit(), 0);
             return true",
            json!([]),
        )
        .await?;
        s.switch_to_window("/station", WAIT).await?;
        // The new station starts with the kept tap in its queue, then sends it with the new token, once.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while connections(&admin).await.len() < 2 {
            check(std::time::Instant::now() < deadline, || "the kept tap was never delivered".into())?;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        s.wait_for("the queue empty", MODEL, WAIT, |m| m["waiting"] == 0 && m["hold"].is_null())
            .await?;
        tokio::time::sleep(Duration::from_secs(4)).await;
        let listed = connections(&admin).await;
        check(listed.len() == 2, || format!("connections: {listed:?}"))?;
        let saved: Value = serde_json::from_slice(&std::fs::read(
            std::path::Path::new(&dir).join("settings.json"),
        )?)?;
        check(saved["token"] == new_token.as_str(), || format!("settings.json: {saved}"))?;
        let _ = s.end().await;
        Ok(())
    })
}
