import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import type { AgentAdmin } from '#shared/domain/agent-ports.js';
import { memoryAuditLog } from '../../fakes/audit-log.js';
import { nobodyRemoved } from '../../fakes/untouched-agent-app.js';

const calls: unknown[][] = [];
const app = createAgentApp({
  store: { getCustomer: async (id: string) => ({ id }) } as never,
  admin: {
    merge: async (...args: unknown[]) => {
      calls.push(args);
      return { targetId: args[0], sourceId: args[1] };
    },
    dismissSuggestion: async (...args: unknown[]) => {
      calls.push(['dismiss', ...args]);
    },
  } as Partial<AgentAdmin> as AgentAdmin,
  audit: memoryAuditLog(),
  replies: {} as never,
  clock: { now: () => new Date('2025-06-09T10:00:00.000Z') },
  authenticate: async (token) => (token === 'secret-token' ? { agentId: 'agent-7', admin: true } : undefined),
  phone: {},
  removals: nobodyRemoved,
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
  it('reads a body sent as a JSON media type, with or without parameters', async () => {
    for (const type of [
      'application/json',
      'Application/JSON; charset=utf-8',
      'application/merge-patch+json',
      'application/vnd.api+json;charset=UTF-8',
    ]) {
      expect((await merge('cu_1', '{"customerId":"cu_2"}', type)).status, type).toBe(200);
    }
    expect(calls).toHaveLength(4);
  });

  it.each([
    ['no content type', undefined],
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['a look-alike', 'application/jsonp'],
    ['a JSON suffix on another type', 'text/x+json'],
  ])(
    'answers 415 unsupported_media_type to a JSON body sent as %s, and does not run the call',
    async (_n, type) => {
      calls.length = 0;
      const res = await merge('cu_1', '{"customerId":"cu_2"}', type);
      expect(res.status).toBe(415);
      expect(await error(res)).toEqual({
        code: 'unsupported_media_type',
        message: 'send the body as JSON, with Content-Type: application/json',
      });
      expect(calls).toEqual([]);
    },
  );

  it('takes a call with no body, or an empty one, whatever its content type', async () => {
    const dismiss = (type?: string, body?: string) =>
      app.request('/api/customers/cu_1/suggestions/cu_2/dismiss', {
        method: 'POST',
        headers: { authorization: 'Bearer secret-token', ...(type ? { 'content-type': type } : {}) },
        ...(body === undefined ? {} : { body }),
      });
    calls.length = 0;
    for (const type of [undefined, 'text/plain', 'application/x-www-form-urlencoded']) {
      expect((await dismiss(type)).status, type).toBe(200);
      expect((await dismiss(type, '')).status, type).toBe(200);
    }
    expect(calls).toHaveLength(6);
    expect((await dismiss('text/plain', '{}')).status).toBe(415);
  });

  it('reports a bad path id before a body of another media type', async () => {
    const res = await merge('..%2Fetc', '{"customerId":"cu_2"}', 'text/plain');
    expect(await error(res)).toEqual({ code: 'invalid_request', message: 'id: not a valid id' });
  });

  it.each([
    ['malformed JSON', '{"customerId":', 'application/json'],
    ['an empty body', '', 'application/json'],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 'application/json'],
    // Mending its lone surrogate walks the value, which nests deeper than the stack goes: 400, not 500.
    [
      'a lone surrogate nested 200,000 deep',
      `${'['.repeat(200_000)}"\\ud800"${']'.repeat(200_000)}`,
      'application/json',
    ],
  ])('answers 400 "body is not UTF-8 JSON" for %s', async (_name, body, type) => {
    const res = await merge('cu_1', body, type);
    expect(res.status).toBe(400);
    expect(await error(res)).toEqual({ code: 'invalid_request', message: 'body is not UTF-8 JSON' });
  });

  it('reports a bad path id before a bad body, as each route did by hand', async () => {
    const res = await merge('..%2Fetc', 'not json', 'application/json');
    expect(await error(res)).toEqual({ code: 'invalid_request', message: 'id: not a valid id' });
  });

  it('hands the route its body with each lone surrogate, in a key or a value, made U+FFFD', async () => {
    const res = await merge('cu_1', '{"customerId":"cu_2\\ud800","\\udc00":1}', 'application/json');
    // The schema sees the mended body: both the value and the unknown key name U+FFFD.
    expect(await error(res)).toEqual({
      code: 'invalid_request',
      message: expect.stringMatching(/^customerId: not a valid id; .*"\ufffd"/),
    });
  });

  it('names each field that fails the body schema', async () => {
    const res = await merge('cu_1', '{"customerId":"../x"}', 'application/json');
    expect(await error(res)).toEqual({ code: 'invalid_request', message: 'customerId: not a valid id' });
  });
});
