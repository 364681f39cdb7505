// What a tab of one event gets to work with. Its own module so that `view.ts` (which mounts the tabs) and the tabs
// (which use it) do not import each other.

import type { Event } from '../bindings/Event';
import type { AdminApi } from './api';
import type { BadgeReader } from './backend';
import type { AdminLive } from './liveFeed';

export interface EventCtx {
  api: AdminApi;
  event: Event;
  live: AdminLive;
  reader: BadgeReader | null;
  /** The event changed (settings saved): update the header and list; `note` is shown once after. */
  eventChanged(e: Event, note?: string): void;
  /** A note left by the previous render ("Saved."). */
  note: string | null;
  /** The event is gone: back to the list. */
  eventDeleted(): void;
}
