import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';

const OWNER = agentToken('owner-left-out');
const DEV = agentToken('dev-agent-left-out');

/**
 * The README's first run registers "dev-agent"; the owner restarts with their own AGENT_TOKENS. Before,
 * dev-agent stayed listed under Agents (and offered by Transfer) though its token was refused.
 */
describe('local runtime: an agent taken out of AGENT_TOKENS over a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-agents-left-out-'));
  let runtime: LocalRuntime | undefined;
  const start = async (tokens: string) => {
    runtime = await startTestRuntime({ env: { AGENT_TOKENS: tokens, DATA_DIR: dataDir }, persist: true });
  };
  const call = (token: string, method: string, path: string) =>
    fetch(`${runtime?.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(method === 'PUT' ? { body: '{}' } : {}),
    });
  afterAll(async () => {
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is no longer listed once its token is gone', async () => {
    await start(`dev-agent:${DEV}:admin`);
    expect((await call(DEV, 'PUT', '/api/agents/me')).status).toBe(200);
    await runtime?.close();
    await start(`owner:${OWNER}:admin`);
    expect((await call(OWNER, 'PUT', '/api/agents/me')).status).toBe(200);
    expect((await call(DEV, 'GET', '/api/me')).status).toBe(401);
    const listed = (await (await call(OWNER, 'GET', '/api/agents')).json()) as {
      items: Array<{ id: string }>;
    };
    expect(listed.items.map((a) => a.id)).toEqual(['owner']);
  }, 120_000);
});
