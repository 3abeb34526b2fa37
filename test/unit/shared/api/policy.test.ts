import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import type { AgentAppDeps } from '#shared/api/deps.js';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';

const POLICY = parseRoutingPolicy(
  JSON.stringify({
    defaultQueue: 'general',
    queues: [{ name: 'general' }],
    businessHours: {
      timezone: 'Europe/Lisbon',
      hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '18:00' }],
      holidays: ['2025-12-25'],
    },
  }),
);

const app = (now: string, more: Partial<AgentAppDeps> = {}) =>
  createAgentApp({
    store: {} as never,
    admin: {} as never,
    audit: {} as never,
    replies: {} as never,
    clock: { now: () => new Date(now) },
    authenticate: async (token) => (token === 'admin' ? { agentId: 'zoe', admin: true } : undefined),
    phone: {},
    removals: { isRemoved: async () => false, forget: () => {} },
    ...more,
  });
const get = (api: ReturnType<typeof app>) =>
  api.request('/api/policy', { headers: { Authorization: 'Bearer admin' } });

describe('agent API: GET /api/policy', () => {
  it('answers the policy it is given, and its warnings on the clock of the call', async () => {
    const policy = () => POLICY;
    const before = await get(app('2025-06-10T09:00:00.000Z', { policy }));
    expect(before.status).toBe(200);
    expect(await before.json()).toEqual({ policy: JSON.parse(JSON.stringify(POLICY)), warnings: [] });
    // After Christmas 2025 the holiday list has no date to come.
    const after = (await (await get(app('2026-01-05T09:00:00.000Z', { policy }))).json()) as {
      warnings: string[];
    };
    expect(after.warnings).toEqual([
      expect.stringMatching(/^businessHours\.holidays: every date has passed/),
    ]);
  });

  it('answers 503 unavailable when no policy is configured', async () => {
    const res = await get(app('2025-06-10T09:00:00.000Z'));
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
  });
});
