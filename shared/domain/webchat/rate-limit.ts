/** One limit: at most `max` hits per `windowSeconds` for one key. */
export interface RateLimit {
  name: string;
  max: number;
  windowSeconds: number;
}

/**
 * The web chat's limits. Per session: a person types a message every few seconds at most. Per address
 * (the client IP): a page of visitors behind one office NAT share it, so it is several times wider. New
 * sessions per address: a script minting sessions to escape the per-session limit meets this one.
 */
export const WEBCHAT_LIMITS = {
  messagesPerSession: { name: 'session-messages', max: 20, windowSeconds: 60 },
  messagesPerAddress: { name: 'address-messages', max: 120, windowSeconds: 60 },
  sessionsPerAddress: { name: 'address-sessions', max: 30, windowSeconds: 600 },
  readsPerSession: { name: 'session-reads', max: 120, windowSeconds: 60 },
} as const satisfies Record<string, RateLimit>;

/**
 * The counter one hit goes to: the limit, the subject (a session hash or an address) and the current
 * fixed window. Each subject has its own key, so no key is shared by all visitors.
 */
export function rateWindow(
  limit: RateLimit,
  subject: string,
  now: Date,
): { key: string; expiresAtSeconds: number; retryAfterSeconds: number } {
  const seconds = Math.floor(now.getTime() / 1000);
  const start = seconds - (seconds % limit.windowSeconds);
  return {
    key: `${limit.name}#${subject.slice(0, 128)}#${start}`,
    expiresAtSeconds: start + limit.windowSeconds * 2,
    retryAfterSeconds: start + limit.windowSeconds - seconds,
  };
}
