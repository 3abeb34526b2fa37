import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import { untouchedAgentDeps } from '../../fakes/untouched-agent-app.js';

/** No store does anything: a call that got past its query's check would fail (500), not answer 400. */
const api = createAgentApp(untouchedAgentDeps());

describe('agent API: unknown query parameters', () => {
  /**
   * Each list with filters, a query with one misspelt parameter, and that parameter: taken silently,
   * the filter it meant was dropped and the caller got another list (every open conversation for
   * `assigne=me`, every delivery for `state=failed`) as if it were the one asked for.
   */
  const TYPOS = [
    ['/api/conversations?stauts=resolved', 'stauts'],
    ['/api/conversations?assigne=me', 'assigne'],
    ['/api/conversations?channels=sms', 'channels'],
    ['/api/conversations?limit=10&page=2', 'page'],
    ['/api/customers?q=maria&size=10', 'size'],
    ['/api/customers/cu_1/timeline?ordr=newest', 'ordr'],
    ['/api/webhooks/wh_1/deliveries?state=failed', 'state'],
    ['/api/audit?cursr=abc', 'cursr'],
    ['/api/metrics?customer=cu_1', 'customer'],
    ['/api/events?since=0&lmit=5', 'lmit'],
  ] as const;

  it.each(TYPOS)('GET %s answers 400 naming %s, and reads nothing', async (path, key) => {
    const res = await api.request(path, { headers: { Authorization: 'Bearer admin-token' } });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain(`Unrecognized key: "${key}"`);
  });
});
