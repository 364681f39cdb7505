// Generated from crates/livewall-protocol/src/close.rs by `cargo test -p livewall-protocol`. Do not edit.

/** The close codes of `/ws`. */
export const CloseCode = {
  GoingAway: 1001,
  MessageTooBig: 1009,
  Revoked: 4001,
  HeartbeatTimeout: 4002,
  NotPublic: 4003,
  EventDeleted: 4004,
  Slow: 4008,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

const FINAL: ReadonlySet<number> = new Set([1009, 4001, 4003, 4004]);

/** Whether to reconnect after a close with `code`; codes that are not the server's (1006, a proxy's) mean yes. */
export function shouldReconnect(code: number): boolean {
  return !FINAL.has(code);
}

const REASONS: ReadonlyMap<number, string> = new Map([
  [1001, "server shutting down"],
  [1009, "message too big"],
  [4001, "token revoked or login ended"],
  [4002, "heartbeat timeout"],
  [4003, "wall no longer public"],
  [4004, "event deleted"],
  [4008, "slow"],
]);

/** What a close code of the server means, in words; null for codes that are not the server's. */
export function closeReason(code: number): string | null {
  return REASONS.get(code) ?? null;
}
