import { describe, expect, it } from 'vitest';
import { agentRequest } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { forgedCursors } from '../support/forged-cursors.js';
import { tamperedCursors } from '../support/tampered-cursors.js';
import { useTestRuntime } from '../support/test-runtime.js';

const ADMIN = agentToken('before-cursors-admin');

/**
 * Cursors we did not make, each a 400 invalid_request on every route that pages newest first by
 * `{before: <at>#<id>}` (decodeBeforeCursor); the cursor each one answers itself is taken back.
 */
const FORGED = forgedCursors('before');

describe('routes paging by a {before} cursor refuse one they did not make', () => {
  const runtime = useTestRuntime({ env: { AGENT_TOKENS: `agent-admin:${ADMIN}:admin` }, events: true });
  const request = agentRequest(() => runtime.url, ADMIN);
  const refused = async (method: string, path: string, body?: unknown) => {
    const res = await request<{ error: { code: string } }>(method, path, body);
    expect([res.status, res.json.error?.code], `${method} ${path}`).toEqual([400, 'invalid_request']);
  };
  let made: Promise<string> | undefined;
  const webhook = () => {
    made ??= subscribe();
    return made;
  };
  const subscribe = async () => {
    const made = await request<{ id: string }>('POST', '/api/webhooks', {
      url: 'http://127.0.0.1:3199/hooks/cursors',
      events: ['message.received'],
    });
    expect(made.status).toBe(201);
    return made.json.id;
  };

  it.each(FORGED)('GET /api/customers: %s', async (_name, cursor) => {
    await refused('GET', `/api/customers?cursor=${cursor}`);
  });

  it.each(FORGED)('GET /api/audit: %s', async (_name, cursor) => {
    await refused('GET', `/api/audit?cursor=${cursor}`);
  });

  it.each(FORGED)('GET /api/webhooks/{id}/deliveries: %s', async (_name, cursor) => {
    await refused('GET', `/api/webhooks/${await webhook()}/deliveries?cursor=${cursor}`);
  });

  it.each(FORGED)('POST /api/webhooks/{id}/replay: %s', async (_name, cursor) => {
    await refused('POST', `/api/webhooks/${await webhook()}/replay`, {
      since: '2026-12-01T00:00:00Z',
      cursor,
    });
  });

  it('takes back the cursor each route answered, for the filter it answered it for only', async () => {
    const audit = await request<{ cursor: string | null }>('GET', '/api/audit?limit=1');
    expect(audit.json.cursor).not.toBeNull();
    const cursor = audit.json.cursor ?? '';
    const next = await request('GET', `/api/audit?limit=1&cursor=${cursor}`);
    expect(next.status).toBe(200);
    await refused('GET', `/api/audit?limit=1&action=webhook_create&cursor=${cursor}`);
    await refused('GET', `/api/customers?limit=1&cursor=${cursor}`);
    for (const [, tampered] of tamperedCursors(cursor)) await refused('GET', `/api/audit?cursor=${tampered}`);
  });
});
