import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import { apiSchemas } from '#shared/api/schemas.js';
import { AgentUpdateSchema } from '#shared/domain/assignment.js';
import { memoryAuditLog } from '../../fakes/audit-log.js';
import { untouchedAgentDeps } from '../../fakes/untouched-agent-app.js';

/**
 * What an agent types is kept as a person means it: a queue given twice is one queue, and a
 * customer's name must show something. Before, `["billing","billing","billing"]` was stored as
 * three, and a name of ten zero-width spaces was taken and shown as nothing.
 */
describe('agent API: input kept as meant', () => {
  it('keeps each queue and language once, in the order first given', () => {
    const update = AgentUpdateSchema.parse({
      queues: ['billing', ' billing', 'sales', 'billing '],
      languages: ['en', 'es', 'EN'],
    });
    expect(update).toEqual({ queues: ['billing', 'sales'], languages: ['en', 'es'] });
  });

  it('cleans a name as a provider’s is: controls and bidi controls out, one line', () => {
    const { CustomerChangeSchema } = apiSchemas();
    expect(CustomerChangeSchema.parse({ name: ' Rae\u0000 \u202eRaced\nJr ' })).toEqual({
      name: 'Rae Raced Jr',
    });
    expect(CustomerChangeSchema.parse({ name: 'محمد\u200cرضا' })).toEqual({ name: 'محمد\u200cرضا' });
  });

  it.each([
    ['zero-width spaces', '\u200b'.repeat(10)],
    ['a Hangul filler', '\u3164'],
    ['controls and a word joiner', '\u0007\u2060\u0008'],
    ['a bidi override', '\u202e\u202c'],
    ['white space', ' \u00a0\u3000 '],
  ])('refuses a name of nothing but %s, and audits the attempt', async (_what, name) => {
    const audit = memoryAuditLog();
    const api = createAgentApp(untouchedAgentDeps({ audit }));
    const res = await api.request('/api/customers/cu_1', {
      method: 'PATCH',
      headers: { authorization: 'Bearer agent-token', 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/^name must/);
    expect(audit.records.map((r) => [r.action, r.outcome])).toEqual([['rename', 'invalid_request']]);
  });
});
