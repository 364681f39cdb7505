// The languages of the wall, station and kiosk chrome. One catalogue per language, shared with the server (it
// renders the phone page from the same files): crates/livewall-protocol/i18n/<code>.json, a flat object of key ->
// text with `{name}` placeholders. Which language a screen speaks is `negotiate`d by the rule the Rust side
// keeps too (crates/livewall-protocol/src/i18n.rs; golden cases in fixtures/languages.json): the event's language
// when the organiser chose one, else the viewer's first supported preference, else English.
//
// A page speaks one language at a time: `setLanguage` switches it (and `<html lang dir>`), and views that built
// their text once listen with `onLanguage` to write it again. People's names are never translated.

import en from '../../../crates/livewall-protocol/i18n/en.json';
import de from '../../../crates/livewall-protocol/i18n/de.json';
import fr from '../../../crates/livewall-protocol/i18n/fr.json';
import es from '../../../crates/livewall-protocol/i18n/es.json';
import ar from '../../../crates/livewall-protocol/i18n/ar.json';

/** Every language with a catalogue, in the order the admin offers them (`LANGUAGES` in i18n.rs). */
export const LANGUAGES = ['en', 'de', 'fr', 'es', 'ar'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The language every catalogue is checked against, and the last fallback. */
export const DEFAULT: Language = 'en';

/** A message of the English catalogue, the one every other must match. */
export type MessageKey = keyof typeof en;

/** Values for a message's `{name}` placeholders; numbers are written the language's way. */
export type MessageArgs = Readonly<Record<string, string | number>>;

export const CATALOGUES: Readonly<Record<Language, Readonly<Record<string, unknown>>>> = { en, de, fr, es, ar };

/** The supported language a BCP 47 tag asks for (`fr-CA` -> `fr`, `en_GB` -> `en`), if any. */
export function supported(tag: string | null | undefined): Language | null {
  if (typeof tag !== 'string') return null;
  const p = primary(tag);
  return LANGUAGES.find((l) => l === p) ?? null;
}

/** A tag's primary language subtag, lowercase (`AR-eg` -> `ar`). */
function primary(tag: string): string {
  return (tag.trim().split(/[-_]/)[0] ?? '').toLowerCase();
}

/**
 * The language a screen shows: the event's, when the organiser chose a supported one; else the first of the
 * viewer's preferences (most preferred first) that has a catalogue; else English.
 */
export function negotiate(event: string | null | undefined, preferences: readonly string[]): Language {
  const chosen = supported(event);
  if (chosen) return chosen;
  for (const p of preferences) {
    const l = supported(p);
    if (l) return l;
  }
  return DEFAULT;
}

/** Whether a language is written right to left (the page needs `dir="rtl"`). */
export function isRtl(lang: string): boolean {
  return ['ar', 'he', 'fa', 'ur'].includes(primary(lang));
}

/** The viewer's languages, most preferred first (`navigator.languages`; none outside a browser). */
export function browserPreferences(): string[] {
  if (typeof navigator === 'undefined') return [];
  const list = Array.isArray(navigator.languages) ? navigator.languages.filter((l) => typeof l === 'string') : [];
  if (list.length > 0) return [...list];
  return typeof navigator.language === 'string' && navigator.language ? [navigator.language] : [];
}

let current: Language = DEFAULT;
const listeners = new Set<(lang: Language) => void>();

/** The language the page speaks now. */
export function language(): Language {
  return current;
}

/**
 * Switches the page to `lang`: `<html lang dir>` follow, and every `onLanguage` listener hears it. Answers
 * whether anything changed.
 */
export function setLanguage(lang: Language): boolean {
  if (typeof document !== 'undefined') {
    const html = document.documentElement;
    html.lang = lang;
    html.dir = isRtl(lang) ? 'rtl' : 'ltr';
  }
  if (lang === current) return false;
  current = lang;
  for (const fn of [...listeners]) fn(lang);
  return true;
}

/** Calls `fn` after each language switch; answers the function that stops it. */
export function onLanguage(fn: (lang: Language) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Speaks the language `negotiate` picks for this event setting (null or absent: the organiser chose none) and
 * the browser's preferences; answers it.
 */
export function followEvent(eventLanguage: string | null | undefined): Language {
  const lang = negotiate(eventLanguage, browserPreferences());
  setLanguage(lang);
  return lang;
}

/** The raw text of `key` in `lang`, falling back to English, then to the key itself. */
export function message(lang: Language, key: string): string {
  const own = CATALOGUES[lang][key];
  if (typeof own === 'string' && own.length > 0) return own;
  const fallback = CATALOGUES[DEFAULT][key];
  return typeof fallback === 'string' ? fallback : key;
}

function show(lang: Language, v: string | number): string {
  return typeof v === 'number' ? v.toLocaleString(lang) : v;
}

/** `text` with each `{name}` of `args` filled in; placeholders without a value stay as they are. */
export function format(lang: Language, text: string, args: MessageArgs = {}): string {
  return text.replace(/\{([^{}]+)\}/g, (whole, name: string) => {
    const v = args[name];
    return v === undefined ? whole : show(lang, v);
  });
}

/** The message `key` in the page's language, with its placeholders filled. */
export function t(key: MessageKey, args?: MessageArgs): string {
  return format(current, message(current, key), args);
}

/**
 * The message `key` as DOM nodes, each placeholder's value in its own `<bdi>` so a name written in another
 * direction (Arabic in an English sentence, Latin in an Arabic one) cannot reorder the words around it.
 */
export function tNodes(key: MessageKey, args: MessageArgs): Node[] {
  const text = message(current, key);
  const out: Node[] = [];
  let at = 0;
  for (const m of text.matchAll(/\{([^{}]+)\}/g)) {
    const v = m[1] === undefined ? undefined : args[m[1]];
    if (v === undefined) continue;
    if (m.index > at) out.push(document.createTextNode(text.slice(at, m.index)));
    const bdi = document.createElement('bdi');
    bdi.textContent = show(current, v);
    out.push(bdi);
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push(document.createTextNode(text.slice(at)));
  return out;
}

/** The `{name}` placeholders of a message, sorted (the catalogue tests compare them across languages). */
export function placeholders(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(/\{([^{}]*)\}/g), (m) => m[1] ?? ''))].sort();
}
