import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';

const TOKEN = agentToken('keep-alive-token');

describe('local runtime: a 413 closes the connection', () => {
  let runtime: LocalRuntime;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  /** One request over the shared keep-alive agent: its status, `Connection` header and socket. */
  const send = (method: string, path: string, body?: string) =>
    new Promise<{ status: number; connection: string | undefined; socket: unknown }>((resolve, reject) => {
      const req = request(`${runtime.url}${path}`, {
        method,
        agent,
        headers: {
          Authorization: `Bearer ${TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, socket: req.socket }),
        );
      });
      req.on('error', reject);
      req.end(body);
    });

  beforeAll(async () => {
    runtime = await startTestRuntime({ env: { AGENT_TOKENS: `agent-kai:${TOKEN}` } });
  });

  afterAll(async () => {
    agent.destroy();
    await runtime?.close();
  });

  it('answers the next request on the same keep-alive agent after a body over the limit', async () => {
    const first = await send('GET', '/api/me');
    const again = await send('GET', '/api/me');
    expect([first.status, again.status]).toEqual([200, 200]);
    // Kept alive while nothing was refused: the same socket served both.
    expect(again.socket).toBe(first.socket);
    for (let i = 0; i < 3; i++) {
      const refused = await send('POST', '/api/agents/me', JSON.stringify({ pad: 'x'.repeat(2_000_000) }));
      expect([refused.status, refused.connection]).toEqual([413, 'close']);
      expect((await send('GET', '/api/me')).status).toBe(200);
    }
  });
});
