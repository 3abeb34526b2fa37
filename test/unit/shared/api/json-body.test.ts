import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import type { AgentAdmin } from '#shared/domain/agent-ports.js';
import { memoryAuditLog } from '../../fakes/audit-log.js';

const calls: unknown[][] = [];
const app = createAgentApp({
  store: { getCustomer: async (id: string) => ({ id }) } as never,
  admin: {
    merge: async (...args: unknown[]) => {
      calls.push(args);
    },
  } as Partial<AgentAdmin> as AgentAdmin,
  audit: memoryAuditLog(),
  replies: {} as never,
  clock: { now: () => new Date('2025-06-09T10:00:00.000Z') },
  authenticate: async (token) => (token === 'secret-token' ? { agentId: 'agent-7', admin: true } : undefined),
  phone: {},
});

const merge = (id: string, body: string | Uint8Array, contentType?: string) =>
  app.request(`/api/customers/${id}/merge`, {
    method: 'POST',
    headers: {
      authorization: 'Bearer secret-token',
      ...(contentType ? { 'content-type': contentType } : {}),
    },
    body,
  });

const error = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string } }).error;

describe('JSON request bodies', () => {
  it('reads a JSON body whatever its declared content type, or none', async () => {
    for (const type of [undefined, 'text/plain', 'application/json; charset=utf-8']) {
      expect((await merge('cu_1', '{"customerId":"cu_2"}', type)).status).toBe(200);
    }
    expect(calls).toHaveLength(3);
  });

  it.each([
    ['a form body', 'customerId=cu_2', 'application/x-www-form-urlencoded'],
    ['malformed JSON', '{"customerId":', 'application/json'],
    ['an empty body', '', 'application/json'],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 'application/json'],
  ])('answers 400 "body is not UTF-8 JSON" for %s', async (_name, body, type) => {
    const res = await merge('cu_1', body, type);
    expect(res.status).toBe(400);
    expect(await error(res)).toEqual({ code: 'invalid_request', message: 'body is not UTF-8 JSON' });
  });

  it('reports a bad path id before a bad body, as each route did by hand', async () => {
    const res = await merge('..%2Fetc', 'not json', 'application/json');
    expect(await error(res)).toEqual({ code: 'invalid_request', message: 'id: not a valid id' });
  });

  it('names each field that fails the body schema', async () => {
    const res = await merge('cu_1', '{"customerId":"../x"}', 'application/json');
    expect(await error(res)).toEqual({ code: 'invalid_request', message: 'customerId: not a valid id' });
  });
});
