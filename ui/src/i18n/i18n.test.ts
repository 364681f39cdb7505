// The languages as shared golden cases (crates/livewall-protocol/src/i18n.rs runs the same fixture), and the
// catalogues checked from this side too: every language has every English key, with the same placeholders, and
// none is empty.

import { afterEach, describe, expect, it } from 'vitest';
import fixture from '../../../crates/livewall-protocol/fixtures/languages.json';
import {
  CATALOGUES,
  DEFAULT,
  LANGUAGES,
  format,
  isRtl,
  language,
  message,
  negotiate,
  onLanguage,
  placeholders,
  setLanguage,
  t,
  type Language,
} from './index';

interface Case {
  event: string | null;
  preferences: string[];
  expected: string;
}

const cases = fixture.cases as Case[];

afterEach(() => {
  setLanguage(DEFAULT);
});

describe('negotiation', () => {
  it('supports the languages the fixture names, in its order', () => {
    expect([...LANGUAGES]).toEqual(fixture.supported);
  });

  it('follows every golden case', () => {
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      expect(negotiate(c.event, c.preferences), `event ${JSON.stringify(c.event)}, preferences ${JSON.stringify(c.preferences)}`).toBe(
        c.expected,
      );
    }
  });

  it('treats an absent event language like none', () => {
    expect(negotiate(undefined, ['es-MX'])).toBe('es');
  });
});

describe('catalogues', () => {
  const english = CATALOGUES[DEFAULT];
  const keys = Object.keys(english).sort();

  it('has an English catalogue worth the name', () => {
    expect(keys.length).toBeGreaterThan(20);
    for (const prefix of ['wall.', 'station.', 'kiosk.', 'phone.', 'common.']) {
      expect(keys.some((k) => k.startsWith(prefix)), prefix).toBe(true);
    }
    expect(keys).toContain('language.name');
  });

  for (const lang of LANGUAGES) {
    it(`${lang}: every key of English, nothing else, same placeholders, no empty text`, () => {
      const c = CATALOGUES[lang];
      const missing = keys.filter((k) => !(k in c));
      const extra = Object.keys(c).filter((k) => !(k in english));
      expect(missing, `${lang}.json lacks these keys`).toEqual([]);
      expect(extra, `${lang}.json has keys English lacks`).toEqual([]);
      for (const k of keys) {
        const text = c[k];
        const en = english[k];
        expect(typeof text, `${lang}.json: ${k}`).toBe('string');
        if (typeof text !== 'string' || typeof en !== 'string') continue;
        expect(text.trim().length, `${lang}.json: ${k} is empty`).toBeGreaterThan(0);
        expect(placeholders(text), `${lang}.json: ${k} has other placeholders than English`).toEqual(placeholders(en));
      }
    });
  }

  it('names each language in itself', () => {
    const names = LANGUAGES.map((l) => message(l, 'language.name'));
    expect(names).toEqual(['English', 'Deutsch', 'Français', 'Español', 'العربية']);
  });

  it('is translated, not copied: most messages differ from English in every other language', () => {
    for (const lang of LANGUAGES.filter((l) => l !== DEFAULT)) {
      const same = keys.filter((k) => message(lang, k) === message(DEFAULT, k) && placeholders(message(DEFAULT, k)).length === 0);
      // A few words are the same in both (a "{seconds} s" unit, "Offline" in German) but not whole screens.
      expect(same.length, `${lang}: ${same.join(', ')}`).toBeLessThan(keys.length / 10);
    }
  });
});

describe('messages', () => {
  it('fills placeholders, writes numbers the language’s way, and keeps names as given', () => {
    expect(t('station.first.hello', { name: 'Ada' })).toBe('Hi Ada!');
    setLanguage('de');
    expect(t('station.first.hello', { name: 'Ada' })).toBe('Hallo Ada!');
    expect(t('wall.board.count', { count: 12345 })).toBe('Verbindungen: 12.345');
    setLanguage('fr');
    expect(t('station.first.hello', { name: 'Zoë' })).toBe('Bonjour Zoë\u202f!');
    expect(format('en', 'x {missing} y', {})).toBe('x {missing} y');
  });

  it('answers the key itself for a message no catalogue has', () => {
    expect(message('de', 'no.such.key')).toBe('no.such.key');
  });

  it('tells listeners about a switch, once', () => {
    const heard: Language[] = [];
    const stop = onLanguage((l) => heard.push(l));
    setLanguage('es');
    setLanguage('es');
    setLanguage('ar');
    stop();
    setLanguage('en');
    expect(heard).toEqual(['es', 'ar']);
    expect(language()).toBe('en');
  });

  it('knows which languages are written right to left', () => {
    expect(isRtl('ar')).toBe(true);
    expect(isRtl('AR-eg')).toBe(true);
    expect(LANGUAGES.filter(isRtl)).toEqual(['ar']);
  });
});
