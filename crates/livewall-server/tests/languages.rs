//! The phone page's language against the real server: the event's when the organiser chose one, else the
//! phone's `Accept-Language`, right to left for Arabic; and the event setting only takes offered languages.

#![allow(clippy::unwrap_used)]

use livewall_protocol::i18n;
use livewall_testkit::TestServer;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_livewall-server");

#[tokio::test]
async fn the_phone_page_speaks_the_event_language_else_the_phone_language() {
    let server = TestServer::start(BIN).await;
    let admin = server.admin().await;
    admin.create_event("ev", json!({"publicWall": true})).await;
    let ids = admin.add_people("ev", 1).await;
    let http = reqwest::Client::new();
    let page = async |path: &str, accept: Option<&str>| -> String {
        let mut rb = http.get(format!("{}{path}", server.base));
        if let Some(a) = accept {
            rb = rb.header("accept-language", a);
        }
        rb.send().await.unwrap().text().await.unwrap()
    };
    let person = format!("/p/{}", ids[0]);
    let text = |lang: &str, key: &str| i18n::catalogue(lang).text(key).to_owned();
    let visitor = |lang: &str| {
        i18n::catalogue(lang)
            .text("phone.visitor.note")
            .split('{')
            .next()
            .unwrap()
            .to_owned()
    };

    let html = page(&person, None).await;
    assert!(html.contains(r#"<html lang="en" dir="ltr">"#), "{html}");
    let html = page(&person, Some("de-CH, fr;q=0.8")).await;
    assert!(html.contains(r#"<html lang="de" dir="ltr">"#), "{html}");
    assert!(html.contains(&visitor("de")), "{html}");
    assert!(
        html.contains("<bdi>Person 0</bdi>"),
        "names stay as entered: {html}"
    );
    let html = page(&person, Some("pt-BR, es;q=0.5")).await;
    assert!(
        html.contains(r#"lang="es""#) && html.contains(&visitor("es")),
        "{html}"
    );
    let html = page("/p/nobody", Some("fr")).await;
    assert!(html.contains(&text("fr", "phone.nobody.title")), "{html}");

    // The organiser's choice wins over the phone's.
    let (s, e) = admin.set_settings("ev", json!({"language": "ar"})).await;
    assert_eq!(
        (s, e["settings"]["language"].as_str()),
        (200, Some("ar")),
        "{e}"
    );
    let html = page(&person, Some("de")).await;
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#), "{html}");
    assert!(html.contains(&visitor("ar")), "{html}");
    assert!(
        html.contains("<bdi>Person 0</bdi>"),
        "a Latin name keeps its direction: {html}"
    );
    let (s, _) = admin.set_settings("ev", json!({"language": null})).await;
    assert_eq!(s, 200);
    let html = page(&person, Some("fr-FR")).await;
    assert!(
        html.contains(r#"lang="fr""#),
        "back to the phone's language: {html}"
    );

    for bad in ["xx", "english", "de-DE"] {
        let (s, b) = admin.set_settings("ev", json!({"language": bad})).await;
        assert!(s == 400 || s == 422, "{bad}: {s} {b}");
        assert!(
            b["error"]["message"]
                .as_str()
                .unwrap()
                .contains("en, de, fr, es, ar"),
            "{b}"
        );
    }
}
