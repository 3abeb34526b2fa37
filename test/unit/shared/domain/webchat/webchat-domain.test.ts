import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EnvelopeSchema } from '#shared/domain/envelope.js';
import { type BusinessHours, parseRoutingPolicy } from '#shared/domain/routing/policy.js';
import { calendarOfBusinessHours } from '#shared/domain/sla/calendar.js';
import { availabilityAt } from '#shared/domain/webchat/availability.js';
import {
  typedIdentities,
  visitorMessageEnvelope,
  webchatStatusEnvelope,
} from '#shared/domain/webchat/envelopes.js';
import { rateWindow, WEBCHAT_LIMITS } from '#shared/domain/webchat/rate-limit.js';
import {
  bearerSessionToken,
  newSessionToken,
  sessionLive,
  sessionTokenHash,
  type WebchatSession,
} from '#shared/domain/webchat/session.js';
import { takeHits } from '#shared/domain/webchat/visitor.js';
import { RateLimitedError } from '#shared/errors.js';

const NOW = new Date('2026-12-03T12:00:00Z');

describe('sessions', () => {
  const session: WebchatSession = {
    tokenHash: sessionTokenHash(newSessionToken()),
    visitor: { kind: 'webchat_visitor', value: 'v1' },
    createdAt: NOW.toISOString(),
    expiresAt: new Date(NOW.getTime() + 1000).toISOString(),
  };

  it('makes unguessable tokens and stores only their hash', () => {
    const a = newSessionToken();
    expect(a).toMatch(/^wcs_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(newSessionToken());
    expect(sessionTokenHash(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('expires', () => {
    expect(sessionLive(session, NOW)).toBe(true);
    expect(sessionLive(session, new Date(NOW.getTime() + 1000))).toBe(false);
  });

  it('reads only a well-formed bearer token', () => {
    const token = newSessionToken();
    expect(bearerSessionToken(`Bearer ${token}`)).toBe(token);
    expect(bearerSessionToken(`bearer ${token}`)).toBe(token);
    expect(bearerSessionToken(`BEARER ${token}`)).toBe(token);
    expect(bearerSessionToken(token)).toBeUndefined();
    expect(bearerSessionToken(`Bearer ${token}x`)).toBeUndefined();
    expect(bearerSessionToken(undefined)).toBeUndefined();
  });
});

describe('rate limits', () => {
  it('counts per subject in fixed windows with a TTL past the window', () => {
    const limit = WEBCHAT_LIMITS.messagesPerSession;
    const a = rateWindow(limit, 'sess', NOW);
    expect(rateWindow(limit, 'sess', new Date(NOW.getTime() + 59_000)).key).toBe(a.key);
    expect(rateWindow(limit, 'other', NOW).key).not.toBe(a.key);
    expect(rateWindow(limit, 'sess', new Date(NOW.getTime() + 60_000)).key).not.toBe(a.key);
    expect(a.expiresAtSeconds).toBeGreaterThan(NOW.getTime() / 1000 + 59);
  });

  it('refuses the hit over the limit with 429 and Retry-After', async () => {
    const counts = new Map<string, number>();
    const store = {
      countHit: async (key: string) => {
        counts.set(key, (counts.get(key) ?? 0) + 1);
        return counts.get(key) as number;
      },
    };
    const limit = { name: 'x', max: 2, windowSeconds: 60 };
    await takeHits(store, [{ limit, subject: 's' }], NOW);
    await takeHits(store, [{ limit, subject: 's' }], NOW);
    const over = takeHits(store, [{ limit, subject: 's' }], NOW);
    await expect(over).rejects.toThrow(RateLimitedError);
    await expect(over).rejects.toMatchObject({ retryAfterSeconds: 60 });
    await takeHits(store, [{ limit, subject: 'other' }], NOW);
  });
});

describe('web-chat envelopes', () => {
  const anonymous: WebchatSession = {
    tokenHash: 'a'.repeat(64),
    visitor: { kind: 'webchat_visitor', value: 'v1' },
    typedEmail: 'lee@example.com',
    createdAt: NOW.toISOString(),
    expiresAt: NOW.toISOString(),
  };

  it('keys a message on the visitor and clientMessageId, so a retry is the same envelope', () => {
    const one = visitorMessageEnvelope(anonymous, { text: 'hi', clientMessageId: 'abcdefgh' }, NOW);
    const again = visitorMessageEnvelope(anonymous, { text: 'hi', clientMessageId: 'abcdefgh' }, new Date());
    expect(again.id).toBe(one.id);
    expect(EnvelopeSchema.parse(one)).toMatchObject({ channel: 'webchat', customer: anonymous.visitor });
    expect(typedIdentities(one)).toEqual([{ kind: 'email', value: 'lee@example.com' }]);
    const other = { ...anonymous, visitor: { kind: 'webchat_visitor' as const, value: 'v2' } };
    expect(visitorMessageEnvelope(other, { text: 'hi', clientMessageId: 'abcdefgh' }, NOW).id).not.toBe(
      one.id,
    );
  });

  it('makes a verified email the customer and the site user an identity of theirs', () => {
    const verified = { ...anonymous, typedEmail: undefined, verifiedEmail: 'kim@example.com' };
    verified.visitor = { kind: 'webchat_user', value: 'u42' };
    const envelope = visitorMessageEnvelope(verified, { text: 'hi', clientMessageId: 'abcdefgh' }, NOW);
    expect(envelope.customer).toEqual({ kind: 'email', value: 'kim@example.com' });
    expect(envelope.alsoKnownAs).toEqual([{ kind: 'webchat_user', value: 'u42' }]);
    expect(envelope.data).toBeUndefined();
  });

  it('reports statuses on the reply id', () => {
    expect(EnvelopeSchema.parse(webchatStatusEnvelope('rp_1', 'read', NOW))).toMatchObject({
      kind: 'status',
      providerMessageId: 'rp_1',
      status: 'read',
    });
  });
});

describe('availability', () => {
  const hours = {
    timezone: 'UTC',
    hours: [{ days: ['mon' as const], open: '09:00', close: '17:00' }],
    holidays: [],
    overrides: {},
  };
  it('is open inside the hours, and names the next opening outside them', () => {
    expect(availabilityAt(hours, new Date('2026-11-30T10:00:00Z')).open).toBe(true);
    expect(availabilityAt(hours, new Date('2026-12-03T10:00:00Z'))).toEqual({
      open: false,
      timezone: 'UTC',
      nextOpenAt: '2026-12-07T09:00:00.000Z',
    });
    expect(availabilityAt(undefined, NOW)).toEqual({ open: true });
  });

  it("names the next opening after the routing policy's holidays: the shipped policy on Christmas Eve 2026", () => {
    const policy = parseRoutingPolicy(
      readFileSync(
        new URL('../../../../../shared/domain/routing/default-policy.json', import.meta.url),
        'utf8',
      ),
    );
    const shipped = calendarOfBusinessHours(policy.businessHours as BusinessHours);
    // Thursday 24 December, 19:00 in New York: closed since 18:00; Friday the 25th is a holiday, so
    // the next opening is Saturday 10:00 (15:00 UTC).
    expect(availabilityAt(shipped, new Date('2026-12-25T00:00:00Z'))).toEqual({
      open: false,
      timezone: 'America/New_York',
      nextOpenAt: '2026-12-26T15:00:00.000Z',
    });
    expect(availabilityAt(shipped, new Date('2026-12-26T15:00:00Z')).open).toBe(true);
  });
});
