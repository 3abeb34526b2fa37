import { describe, expect, it } from 'vitest';
import { createWebchatApp } from '#shared/api/webchat/app.js';
import { calendarOfBusinessHours } from '#shared/domain/sla/calendar.js';
import type { WebchatStore } from '#shared/domain/webchat-ports.js';

const SITE = 'https://shop.example';
const HOURS = {
  timezone: 'UTC',
  hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '17:00' }],
  afterHours: { route: 'ai' },
} as const;

/** The routes at `now`, with a store that fails any call: availability needs none. */
function app(now: string, hours = true) {
  const store = new Proxy({}, { get: () => () => Promise.reject(new Error('no store call expected')) });
  return createWebchatApp({
    store: store as WebchatStore,
    queue: { enqueue: async () => undefined },
    clock: { now: () => new Date(now) },
    allowedOrigins: [SITE],
    addressOf: () => '203.0.113.9',
    ...(hours ? { hours: calendarOfBusinessHours(HOURS as never) } : {}),
  });
}

describe('GET /webchat/availability (the pre-chat form asks before any session)', () => {
  it('says closed, with the next opening, outside business hours, and open inside them', async () => {
    const closed = await app('2026-12-03T20:00:00Z').request('/webchat/availability', {
      headers: { origin: SITE },
    });
    expect(closed.status).toBe(200);
    expect(closed.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(await closed.json()).toEqual({
      open: false,
      timezone: 'UTC',
      nextOpenAt: '2026-12-04T09:00:00.000Z',
    });
    const open = await app('2026-12-04T10:00:00Z').request('/webchat/availability');
    expect(await open.json()).toEqual({ open: true, timezone: 'UTC' });
  });

  it('says open when no business hours are set', async () => {
    expect(await (await app('2026-12-03T20:00:00Z', false).request('/webchat/availability')).json()).toEqual({
      open: true,
    });
  });
});
