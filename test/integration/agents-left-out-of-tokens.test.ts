import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { openConversationOf } from '../support/open-conversation.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const OWNER = agentToken('owner-left-out');
const DEV = agentToken('dev-agent-left-out');

/**
 * The README's first run registers "dev-agent"; the owner restarts with their own AGENT_TOKENS. Before,
 * dev-agent stayed listed under Agents (and offered by Transfer) though its token was refused; and an
 * assignment to it through the API was taken (200) until 2026-12-07 (QA repro-2): it is refused as one
 * to an agent never registered, as on AWS to an agent an admin removed.
 */
describe('local runtime: an agent taken out of AGENT_TOKENS over a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-agents-left-out-'));
  let runtime: LocalRuntime | undefined;
  const start = async (tokens: string) => {
    runtime = await startTestRuntime({ env: { AGENT_TOKENS: tokens, DATA_DIR: dataDir }, persist: true });
  };
  const call = (token: string, method: string, path: string, body: unknown = {}) =>
    fetch(`${runtime?.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(method === 'GET' ? {} : { body: JSON.stringify(body) }),
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

  it('is not assigned a conversation once its token is gone: 422 unknown_agent', async () => {
    const message = { id: 'wamid.LEFT1', at: new Date().toISOString(), text: 'Hello, is anyone there?' };
    const payload = whatsappText({ from: '14155550190', messages: [message] });
    expect(
      (await deliver(signedMeta(`${runtime?.url}`, '/webhooks/whatsapp', payload, SECRETS.meta))).status,
    ).toBe(200);
    await runtime?.idle();
    const path = `/api/conversations/${await openConversationOf(runtime as LocalRuntime, '14155550190')}/assign`;
    const refused = await call(OWNER, 'POST', path, { agentId: 'dev-agent' });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('unknown_agent');
    expect((await call(OWNER, 'POST', path, { agentId: 'owner' })).status).toBe(200);
  }, 60_000);
});
