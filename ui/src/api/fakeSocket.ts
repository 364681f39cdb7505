// A stand-in for the browser's WebSocket in unit tests, driven by hand: open it, feed it frames, close it with a code.

import type { ClientMessage } from '../bindings/ClientMessage';
import type { SocketLike } from './socket';

export class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  sent: ClientMessage[] = [];
  closed = false;
  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientMessage);
  }
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.onopen?.({} as Event);
  }
  /** A frame from the server: an object is sent as its JSON, a string as it is. */
  receive(v: unknown): void {
    this.onmessage?.({ data: typeof v === 'string' ? v : JSON.stringify(v) } as MessageEvent);
  }
  /** The connection ends; without `code` like a close event that carries none. */
  drop(code?: number): void {
    this.onclose?.((code === undefined ? {} : { code }) as CloseEvent);
  }
}

/** Opens fake sockets and keeps them in order, for `openSocket`-style dependencies. */
export function fakeSockets(): { sockets: FakeSocket[]; open: () => FakeSocket } {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    open: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
  };
}
