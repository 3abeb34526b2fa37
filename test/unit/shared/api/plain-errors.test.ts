import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import { memoryAuditLog } from '../../fakes/audit-log.js';
import { untouchedAgentDeps } from '../../fakes/untouched-agent-app.js';

/** No store does anything: a call that got past its check would fail (500), not answer 400. */
const api = createAgentApp(untouchedAgentDeps({ audit: memoryAuditLog() }));

const refusal = async (path: string, init: { method?: string; body?: unknown } = {}) => {
  const res = await api.request(path, {
    method: init.method ?? 'GET',
    headers: { Authorization: 'Bearer admin-token', 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const { error } = (await res.json()) as { error: { code: string; message: string } };
  return { status: res.status, ...error };
};

/**
 * A refused query or body says what is wrong in the API's words: the validator's own (`expected number,
 * received NaN`) and its `value:` prefix for a check of the whole body or query were shown as they came.
 */
describe('agent API: plain validation messages', () => {
  it.each([
    ['/api/customers?limit=abc', 'limit must be a whole number from 1 to 200'],
    ['/api/customers?limit=2&limit=3', 'limit must be a whole number from 1 to 200'],
    ['/api/customers?limit=0', 'limit must be a whole number from 1 to 200'],
    ['/api/conversations?limit=2.5', 'limit must be a whole number from 1 to 200'],
    ['/api/events?limit=2', 'since must be a whole number'],
    ['/api/events?since=0&limit=9999', 'limit must be a whole number from 1 to 500'],
    // Plain decimal digits only: a number's other spellings were coerced and taken (200) before.
    ...['0x10', '1e2', '%20%2010', '10.0', '010', '+10', '10%20', '', '1_0', '０１'].map((limit) => [
      `/api/customers?limit=${limit}`,
      'limit must be a whole number from 1 to 200',
    ]),
    ['/api/events?since=00', 'since must be a whole number'],
  ])('GET %s answers 400 saying %s', async (path, message) => {
    const error = await refusal(path);
    expect([error.status, error.code]).toEqual([400, 'invalid_request']);
    expect(error.message).toContain(message);
    expect(error.message).not.toMatch(/NaN|expected|received|^value: /);
  });

  it('names a key the query does not take without a `value:` prefix', async () => {
    const error = await refusal('/api/webhooks?limit=5');
    expect([error.status, error.code]).toEqual([400, 'invalid_request']);
    expect(error.message).toBe('Unrecognized key: "limit"');
  });

  it('says what a body lacks as a whole, without a `value:` prefix', async () => {
    const empty = await refusal('/api/webhooks/wh_1', { method: 'PATCH', body: {} });
    expect([empty.status, empty.code]).toEqual([400, 'invalid_request']);
    expect(empty.message).toMatch(/^nothing to change/);
    const reply = await refusal('/api/conversations/cv_1/replies', { method: 'POST', body: {} });
    expect([reply.status, reply.code]).toEqual([400, 'invalid_request']);
    expect(reply.message).toMatch(/^a reply needs text/);
  });

  const DELIVERY_PATH = `/api/webhooks/wh_1/deliveries/msg_short/replay`;
  it.each([
    [`/api/metrics?tz=${'A'.repeat(65)}`, 'tz must be at most 64 characters', 'GET', undefined],
    ['/api/metrics?tz=A&tz=B', 'tz must be text, given once', 'GET', undefined],
    ['/api/agents/me', 'capacity must be a whole number', 'PUT', { capacity: 2.5 }],
    ['/api/customers/cu_1/timeline?order=NEWEST', 'order must be one of: oldest, newest', 'GET', undefined],
    ['/api/audit?since=2026-12-06', 'since must be a date and time in ISO 8601', 'GET', undefined],
    [DELIVERY_PATH, 'deliveryId must be of the form the API gives it', 'POST', undefined],
    ['/api/agents/me', 'the body must be an object', 'PUT', []],
  ])('%s answers 400 in its own words: %s', async (path, message, method, body) => {
    const error = await refusal(path, { method, body });
    expect([error.status, error.code]).toEqual([400, 'invalid_request']);
    expect(error.message).toContain(message);
    // Neither the validator's phrasing nor a pattern reaches the caller.
    expect(error.message).not.toMatch(/Too big|Invalid|expected|received|[<>]=|\/\^|\$\//);
  });

  it('says a sentence once, however many checks of one field failed', async () => {
    const path = '/api/customers/cu_1/timeline/bad%20item/attachments/9999999999999999';
    const error = await refusal(path);
    expect([error.status, error.code]).toEqual([400, 'invalid_request']);
    expect(error.message.split('index must be a whole number from 0 to 99')).toHaveLength(2);
    expect(error.message).not.toMatch(/Invalid|pattern|\/\^/);
  });
});
