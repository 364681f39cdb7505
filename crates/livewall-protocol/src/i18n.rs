//! The languages of the wall, station and phone page chrome, and how a screen picks one.
//!
//! One catalogue per language (`i18n/<code>.json`, a flat object of key → text with `{name}` placeholders) serves
//! every side: the server renders the phone page from it and the web UI bundles the same files. People's names
//! are never translated. Which language a screen uses is [`negotiate`]d the same way everywhere; the golden cases
//! in `fixtures/languages.json` are run by the Rust and the TypeScript tests.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The language every catalogue is checked against, and the last fallback.
pub const DEFAULT: &str = "en";

/// Every language with a catalogue, in the order the admin offers them.
pub const LANGUAGES: [&str; 5] = ["en", "de", "fr", "es", "ar"];

/// The catalogue files, by language.
pub const CATALOGUES: [(&str, &str); 5] = [
    ("en", include_str!("../i18n/en.json")),
    ("de", include_str!("../i18n/de.json")),
    ("fr", include_str!("../i18n/fr.json")),
    ("es", include_str!("../i18n/es.json")),
    ("ar", include_str!("../i18n/ar.json")),
];

/// Whether `code` (already normalised, like `de`) has a catalogue.
pub fn is_supported(code: &str) -> bool {
    LANGUAGES.contains(&code)
}

/// Whether the language is written right to left (the page needs `dir="rtl"`).
pub fn is_rtl(code: &str) -> bool {
    matches!(code, "ar" | "he" | "fa" | "ur")
}

/// The supported language a BCP 47 tag asks for (`fr-CA` → `fr`), if any.
fn supported(tag: &str) -> Option<&'static str> {
    let primary = tag
        .trim()
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    LANGUAGES.iter().copied().find(|l| *l == primary)
}

/// The language a screen shows: the event's, when the organiser chose one; else the first of the viewer's
/// preferences (most preferred first) that has a catalogue; else English.
pub fn negotiate<S: AsRef<str>>(event: Option<&str>, preferences: &[S]) -> &'static str {
    event
        .and_then(supported)
        .or_else(|| preferences.iter().find_map(|p| supported(p.as_ref())))
        .unwrap_or(DEFAULT)
}

/// An `Accept-Language` header's tags, most preferred first (`q=0` ones left out; malformed parts skipped).
pub fn accept_language(header: &str) -> Vec<String> {
    let mut tags: Vec<(f32, usize, String)> = header
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut bits = part.split(';');
            let tag = bits.next()?.trim();
            if tag.is_empty() || tag == "*" {
                return None;
            }
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (q > 0.0).then(|| (q, i, tag.to_owned()))
        })
        .collect();
    tags.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    tags.into_iter().map(|(_, _, t)| t).collect()
}

/// One language's messages, falling back to English for a key it lacks (the catalogue test keeps that from
/// happening in a release).
#[derive(Debug)]
pub struct Catalogue {
    lang: &'static str,
    messages: HashMap<String, String>,
}

fn parse(text: &str) -> HashMap<String, String> {
    serde_json::from_str::<HashMap<String, serde_json::Value>>(text)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((k, s)),
            _ => None,
        })
        .collect()
}

/// The catalogue of `lang` (English when it has none).
pub fn catalogue(lang: &str) -> &'static Catalogue {
    static ALL: OnceLock<Vec<Catalogue>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        CATALOGUES
            .iter()
            .map(|(lang, text)| Catalogue {
                lang,
                messages: parse(text),
            })
            .collect()
    });
    all.iter()
        .find(|c| c.lang == lang)
        .or_else(|| all.iter().find(|c| c.lang == DEFAULT))
        .unwrap_or(&all[0])
}

impl Catalogue {
    /// The language code (`de`).
    pub fn lang(&self) -> &'static str {
        self.lang
    }

    /// Whether this language is written right to left.
    pub fn rtl(&self) -> bool {
        is_rtl(self.lang)
    }

    /// The message for `key`; English when this language lacks it; the key itself when no catalogue has it.
    pub fn text<'a>(&'a self, key: &'a str) -> &'a str {
        if let Some(m) = self.messages.get(key) {
            return m;
        }
        let en = catalogue(DEFAULT);
        match en.messages.get(key) {
            Some(m) => m,
            None => key,
        }
    }

    /// The message for `key` with each `{name}` replaced by its value.
    pub fn format(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut out = self.text(key).to_owned();
        for (name, value) in args {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    /// Every key of this catalogue.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.messages.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[derive(serde::Deserialize)]
    struct Case {
        event: Option<String>,
        preferences: Vec<String>,
        expected: String,
    }

    #[derive(serde::Deserialize)]
    struct Fixture {
        supported: Vec<String>,
        cases: Vec<Case>,
    }

    #[test]
    fn negotiation_follows_the_golden_cases() {
        let f: Fixture =
            serde_json::from_str(crate::fixtures::LANGUAGES).expect("languages.json parses");
        assert_eq!(f.supported, LANGUAGES);
        assert!(!f.cases.is_empty());
        for c in f.cases {
            assert_eq!(
                negotiate(c.event.as_deref(), &c.preferences),
                c.expected,
                "event {:?}, preferences {:?}",
                c.event,
                c.preferences
            );
        }
    }

    fn placeholders(s: &str) -> BTreeSet<String> {
        s.split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(name, _)| name.to_owned()))
            .collect()
    }

    #[test]
    fn every_catalogue_has_every_key_with_the_same_placeholders() {
        let en = catalogue(DEFAULT);
        assert!(en.keys().count() > 20, "the English catalogue is loaded");
        for (lang, text) in CATALOGUES {
            let c = catalogue(lang);
            assert_eq!(c.lang(), lang);
            let raw: HashMap<String, serde_json::Value> =
                serde_json::from_str(text).unwrap_or_else(|e| panic!("{lang}.json: {e}"));
            for (k, v) in &raw {
                assert!(v.is_string(), "{lang}.json: {k} is not a string");
            }
            let mut missing: Vec<&str> = en.keys().filter(|k| !raw.contains_key(*k)).collect();
            missing.sort_unstable();
            assert!(missing.is_empty(), "{lang}.json lacks {missing:?}");
            let mut extra: Vec<&str> = c.keys().filter(|k| !en.messages.contains_key(*k)).collect();
            extra.sort_unstable();
            assert!(
                extra.is_empty(),
                "{lang}.json has keys English lacks: {extra:?}"
            );
            for k in en.keys() {
                assert_eq!(
                    placeholders(c.text(k)),
                    placeholders(en.text(k)),
                    "{lang}.json: {k} has other placeholders than English"
                );
                assert!(!c.text(k).trim().is_empty(), "{lang}.json: {k} is empty");
            }
        }
    }

    #[test]
    fn accept_language_orders_by_quality() {
        assert_eq!(
            accept_language("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5"),
            ["fr-CH", "fr", "en", "de"]
        );
        assert_eq!(accept_language("en;q=0.2, es"), ["es", "en"]);
        assert_eq!(accept_language("de;q=0, ;;, es;q=x"), Vec::<String>::new());
        assert_eq!(negotiate(None, &accept_language("pt-BR, es;q=0.5")), "es");
    }

    #[test]
    fn formatting_fills_placeholders_and_falls_back() {
        let de = catalogue("de");
        assert_eq!(de.text("no.such.key"), "no.such.key");
        assert_eq!(catalogue("xx").lang(), "en");
        assert!(catalogue("ar").rtl() && !de.rtl());
    }
}
