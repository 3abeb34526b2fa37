import { createWebchatApp, type WebchatAppDeps } from '#shared/api/webchat/app.js';
import type { Envelope } from '#shared/domain/envelope.js';
import type { WebchatSession } from '#shared/domain/webchat/session.js';
import type { WebchatMessageClaim, WebchatStore } from '#shared/domain/webchat-ports.js';

/** The site the routes allow (WEBCHAT_ALLOWED_ORIGINS). */
export const SITE = 'https://shop.example';

/**
 * The public web-chat routes over an in-memory store and queue, on a clock the test moves (`later`);
 * `deps` overrides the routes' settings (`emailFallback`, say). Answers the app, a JSON `post`, what was queued.
 */
export function webchatRoutes(deps: Partial<WebchatAppDeps> = {}) {
  let now = Date.parse('2026-12-03T12:00:00Z');
  const claims = new Map<string, WebchatMessageClaim>();
  const sessions = new Map<string, WebchatSession>();
  const counts = new Map<string, number>();
  const queued: Envelope[] = [];
  const renewals: string[] = [];
  const store: WebchatStore = {
    putSession: async (s) => {
      const kept = sessions.get(s.tokenHash);
      if (kept && kept.expiresAt > s.createdAt) return kept;
      sessions.set(s.tokenHash, s);
      return s;
    },
    getSession: async (hash) => sessions.get(hash),
    endSession: async (s) => {
      sessions.delete(s.tokenHash);
    },
    renewSession: async (s, expiresAt) => {
      renewals.push(expiresAt);
      const kept = sessions.get(s.tokenHash);
      if (!kept || kept.expiresAt >= expiresAt) return false;
      sessions.set(s.tokenHash, { ...kept, expiresAt });
      return true;
    },
    countHit: async (key) => {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return counts.get(key) as number;
    },
    claimMessage: async (id, claim) => {
      if (!claims.has(id)) claims.set(id, claim);
      return claims.get(id) as WebchatMessageClaim;
    },
    visitorMessageStored: async () => false,
    findCustomerId: async () => undefined,
    findIdentityOwner: async () => undefined,
    mergedPartitions: async (id) => [id],
    timeline: async () => ({ items: [], cursor: null }),
    timelineBack: async () => ({ items: [], cursor: null }),
    recentPlacedTimeline: async () => [],
  };
  const web = createWebchatApp({
    store,
    queue: { enqueue: async (envelopes) => void queued.push(...envelopes) },
    clock: { now: () => new Date(now) },
    allowedOrigins: [SITE],
    addressOf: () => '203.0.113.9',
    ...deps,
  });
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    web.request(path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const later = (ms: number) => {
    now += ms;
  };
  return { web, post, queued, later, renewals };
}
