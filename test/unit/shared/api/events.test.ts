import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import { seqAt } from '#shared/domain/live/seq.js';
import { untouchedAgentDeps } from '../../fakes/untouched-agent-app.js';

const NOW = Date.parse('2025-06-09T10:00:00.000Z');
const api = createAgentApp(
  untouchedAgentDeps({
    clock: { now: () => new Date(NOW) },
    live: { events: { read: async () => ({ events: [], more: false }) } },
  }),
);
const events = (since: number) =>
  api.request(`/api/events?since=${since}`, { headers: { Authorization: 'Bearer agent-token' } });

describe('GET /api/events: since and the server clock', () => {
  it('answers a since a minute ahead with an empty page whose seq is now, and that seq again the same', async () => {
    const ahead = await events(seqAt(NOW + 60_000));
    expect(ahead.status).toBe(200);
    const page = (await ahead.json()) as { seq: number };
    expect(page).toEqual({ events: [], seq: seqAt(NOW), more: false });
    expect(await (await events(page.seq)).json()).toEqual(page);
  });

  it.each([
    ['10 minutes ahead', seqAt(NOW + 600_000), /^since: more than 5 minutes ahead/],
    ['a time in milliseconds', NOW + 60_000, /^since: a seq is milliseconds × 1000/],
  ])('answers a since %s 400 invalid_request naming since', async (_name, since, message) => {
    const res = await events(since);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(message);
  });

  it('still answers a since older than 24 hours 410 events_expired', async () => {
    const res = await events(seqAt(NOW - 25 * 3_600_000));
    expect(res.status).toBe(410);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('events_expired');
  });
});
