//! Desktop app figures for BENCHMARKS.md, on the real app under Xvfb:
//!
//! - cold start to the first wall frame drawn from the SQLite cache (server down, so nothing but the cache can
//!   draw it): from the WebDriver "new session" request (which launches the app) to the kiosk's first frame with
//!   people on it (`Date.now()` recorded in the page);
//! - tap-to-wall: a second badge placed on the station's (virtual) reader to the link counted on another kiosk's
//!   wall (polled every 10 ms). Includes vpcd's 0-400 ms reader polling, which a real reader does not have.
//!
//! `cargo bench -p livewall-desktop-tests --bench desktop` (as root, after building `ui/dist`, `livewall` and
//! `livewall-server`; `LIVEWALL_APP_BIN` picks another app build).

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use livewall_desktop_tests::{Driver, Xvfb};
use livewall_testkit::{TestServer, server_bin};
use livewall_virtual_badge::{BadgeKind, PcscStack, VirtualBadge, run_isolated};
use serde_json::json;

const RUNS: usize = 5;
const WAIT: Duration = Duration::from_secs(30);

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

fn stats(name: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    let median = v[v.len() / 2];
    println!(
        "{name}: n={} min={:.0} ms median={median:.0} ms max={:.0} ms",
        v.len(),
        v[0],
        v[v.len() - 1]
    );
}

fn main() -> ExitCode {
    run_isolated(|| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let stack = PcscStack::start().unwrap();
        let x = Xvfb::start().unwrap();
        let tmp = tempfile::tempdir().unwrap();
        rt.block_on(async {
            let station_driver = Driver::start(&x.display, tmp.path()).await.unwrap();
            let kiosk_driver = Driver::start(&x.display, tmp.path()).await.unwrap();
            let mut server = TestServer::start(server_bin()).await;
            let admin = server.admin().await;
            admin.create_event("ev", json!({"publicWall": true})).await;
            let people = admin.add_people("ev", 60).await;
            for i in 0..40 {
                admin
                    .connect(
                        "ev",
                        &format!("p{i}@example.org"),
                        &format!("p{}@example.org", (i * 7 + 3) % 40),
                    )
                    .await;
            }
            let (_, ktoken) = admin.device("ev", "kiosk").await;
            let (_, stoken) = admin.device("ev", "station").await;
            let kdir = tmp.path().join("kiosk").display().to_string();
            let kargs: Vec<String> = [
                "kiosk",
                "--server",
                &server.base,
                "--event",
                "ev",
                "--token",
                &ktoken,
                "--data-dir",
                &kdir,
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();

            // Tap-to-wall first (needs the server): a kiosk and a station side by side.
            let kiosk = kiosk_driver.session(&kargs).await.unwrap();
            let links = "return window.__livewall ? window.__livewall.linkCount() : -1";
            let base_links = kiosk
                .wait_for("wall", links, WAIT, |v| v.as_i64().unwrap_or(-1) > 0)
                .await
                .unwrap();
            let mut count = base_links.as_i64().unwrap_or(0);
            let sdir = tmp.path().join("station").display().to_string();
            let station = station_driver
                .session(
                    &[
                        "station",
                        "--server",
                        &server.base,
                        "--event",
                        "ev",
                        "--token",
                        &stoken,
                        "--data-dir",
                        &sdir,
                        "--reader",
                        "Virtual PCD 00 00",
                    ]
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect::<Vec<_>>(),
                )
                .await
                .unwrap();
            let model = "return window.__livewallStation ? window.__livewallStation.model() : null";
            station
                .wait_for("reader", model, WAIT, |m| m["reader"] == "ready")
                .await
                .unwrap();
            let reader = stack.reader(0);
            let mut tap_to_wall = Vec::new();
            for r in 0..RUNS {
                let badge = |n: usize| {
                    let b = u8::try_from(n).unwrap_or(0);
                    VirtualBadge::with_uri(
                        BadgeKind::Ntag213,
                        &[0x04, 0xB0, b, 1, 2, 3, b],
                        &format!("{}/p/{}", server.base, people[n]),
                    )
                };
                let (a, b) = (badge(40 + 2 * r), badge(41 + 2 * r));
                reader.tap(&a, Duration::from_millis(700)).unwrap();
                station
                    .wait_for("first", model, WAIT, |m| m["screen"]["kind"] == "first")
                    .await
                    .unwrap();
                tokio::time::sleep(Duration::from_millis(500)).await;
                let placed = reader.place(&b).unwrap();
                let t0 = Instant::now();
                count += 1;
                let want = count;
                kiosk
                    .wait_for("link", links, WAIT, |v| v.as_i64() == Some(want))
                    .await
                    .unwrap();
                tap_to_wall.push(t0.elapsed().as_secs_f64() * 1000.0);
                tokio::time::sleep(Duration::from_millis(300)).await;
                placed.remove().unwrap();
                tokio::time::sleep(Duration::from_millis(2500)).await;
            }
            let _ = station.end().await;
            let _ = kiosk.end().await;
            stats(
                "tap-to-wall (badge placed on the station reader -> link on the kiosk wall)",
                tap_to_wall,
            );

            // Cold start from the cache, server down.
            server.terminate().await;
            let mut cold = Vec::new();
            for _ in 0..RUNS {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let t0 = now_ms();
                let s = kiosk_driver.session(&kargs).await.unwrap();
                let at = s
                    .wait_for(
                        "first frame",
                        "const k = window.__livewallKiosk; return k ? k.firstWallFrameAt() : null",
                        WAIT,
                        |v| v.is_number(),
                    )
                    .await
                    .unwrap();
                cold.push(at.as_f64().unwrap_or(0.0) - t0);
                let _ = s
                    .eval(
                        "window.__TAURI__.core.invoke('kiosk_exit', { pin: null }); return true",
                        json!([]),
                    )
                    .await;
                let _ = s.end().await;
            }
            stats(
                "cold start to first wall frame from the cache (60 people, 40+ links, server down)",
                cold,
            );
        });
        ExitCode::SUCCESS
    })
}
