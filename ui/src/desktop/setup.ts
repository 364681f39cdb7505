// What a device setup link or QR code puts into the settings form. Rust reads links and codes (one home for their
// format); this only decides when pasted text is worth asking Rust about, and fills every field the answer names.

import type { DeviceSetup } from '../bindings/DeviceSetup';

/** True when text is a web address (a setup link) rather than a bare token. */
export function looksLikeLink(text: string): boolean {
  return /^\s*https?:\/\//i.test(text);
}

/** The form fields a setup fills; only their `value` is touched. */
export interface SetupFields {
  role: { value: string };
  server: { value: string };
  event: { value: string };
  token: { value: string };
}

/** Puts every field `setup` names into the form; those it leaves out keep what was typed. */
export function fillFrom(fields: SetupFields, setup: DeviceSetup): void {
  fields.token.value = setup.token;
  if (setup.role !== null) fields.role.value = setup.role;
  if (setup.server !== null) fields.server.value = setup.server;
  if (setup.event !== null) fields.event.value = setup.event;
}
