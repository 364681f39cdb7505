// The desktop app that runs the event's server itself (the embedded server): what the admin screens say about it,
// decided from the app's `desktop_config` answer. The answer crosses from Rust untyped, so it is read defensively;
// anything that is not an embedded server shows nothing extra (as in a plain browser).

import type { EmbeddedServer } from '../bindings/EmbeddedServer';

export interface FirstLogin {
  /** The account's user name, when the app names it. */
  user: string | null;
  password: string;
}

export interface EmbeddedNotice {
  /** Where phones and other devices join: the text shown and the QR code's content. */
  publicUrl: string;
  /** The first admin account's login, only in the app's first answer of its life; else null. */
  firstLogin: FirstLogin | null;
  /** The user name to prefill on the login screen, when the app names the first account. */
  username: string | null;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim().length > 0 ? v.trim() : null;
}

/** The embedded server of a DesktopConfig-like answer, or null (no app, no embedded server, or an odd answer). */
function embeddedOf(config: unknown): Pick<EmbeddedServer, 'publicUrl' | 'adminUser' | 'adminPassword'> | null {
  if (typeof config !== 'object' || config === null) return null;
  const e = (config as { embedded?: unknown }).embedded;
  if (typeof e !== 'object' || e === null) return null;
  const o = e as Record<string, unknown>;
  const publicUrl = text(o.publicUrl);
  if (publicUrl === null) return null;
  return { publicUrl, adminUser: text(o.adminUser), adminPassword: text(o.adminPassword) };
}

/** What to show about the server this laptop runs, or null to show nothing. */
export function embeddedNotice(config: unknown): EmbeddedNotice | null {
  const e = embeddedOf(config);
  if (!e) return null;
  return {
    publicUrl: e.publicUrl,
    firstLogin: e.adminPassword === null ? null : { user: e.adminUser, password: e.adminPassword },
    username: e.adminUser,
  };
}

/** The login screen's sentence about the server: where everyone else joins. */
export function joinSentence(n: EmbeddedNotice): string {
  return `This laptop is the event’s server. Phones and other devices join at ${n.publicUrl}`;
}

/** The compact line shown once logged in. */
export function joinLine(n: EmbeddedNotice): string {
  return `Devices join at ${n.publicUrl}`;
}

/** The first login, as shown once: `First login: admin / <password> — note it now, it is shown only once.` */
export function firstLoginSentence(f: FirstLogin): string {
  const who = f.user === null ? `password ${f.password}` : `${f.user} / ${f.password}`;
  return `First login: ${who} — note it now, it is shown only once.`;
}
