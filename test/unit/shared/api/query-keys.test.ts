import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import { memoryAuditLog } from '../../fakes/audit-log.js';
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

describe('agent API: every route refuses a query parameter it does not declare', () => {
  /**
   * Each operation of the served document, called with a parameter none declares: a route that takes
   * no query answered 200 before and dropped it (`GET /api/agents?presence=online` listed every agent,
   * `GET /api/customers/{id}/export?format=csv` answered JSON). A route added later is walked too.
   */
  it('answers 400 invalid_request naming the parameter, on every documented method and path', async () => {
    // An audited route records the refused call (outcome `invalid_request`) before it answers.
    const audit = memoryAuditLog();
    const api = createAgentApp(untouchedAgentDeps({ audit }));
    const doc = (await (await api.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const answers: string[] = [];
    for (const [template, ops] of Object.entries(doc.paths)) {
      // Each path parameter valid, so the query is what is refused (a timeline item's id, a file's index).
      const valid: Record<string, string> = { id: 'cu_1', itemId: 'sms%3ASM1', index: '0' };
      const path = template.replace(/{(\w+)}/g, (_all, name: string) => valid[name] ?? 'x1');
      for (const [method, op] of Object.entries(ops)) {
        const res = await api.request(`${path}?unasked=1`, {
          method: method.toUpperCase(),
          headers: { Authorization: 'Bearer admin-token', 'content-type': 'application/json' },
          ...(method === 'get' ? {} : { body: '{}' }),
        });
        const { error } = (await res.json()) as { error?: { code: string; message: string } };
        const refused =
          res.status === 400 && error?.code === 'invalid_request' && error.message.includes('"unasked"');
        const documented = op.responses['400'] ? '' : ' (no 400 documented)';
        const answer = refused ? 'refused' : `${res.status} ${error?.code ?? ''}`;
        answers.push(`${method.toUpperCase()} ${template}: ${answer}${documented}`);
      }
    }
    expect(answers.length).toBeGreaterThan(30);
    expect(answers.filter((a) => !a.endsWith(': refused'))).toEqual([]);
    expect(audit.records.length).toBeGreaterThan(0);
    expect(audit.records.every((r) => r.outcome === 'invalid_request')).toBe(true);
  });
});
