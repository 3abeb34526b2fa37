import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import { startNpmRuntime } from '#shared/local/npm-start.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const MINUTE = 60_000;
const ADMIN = agentToken('npm-presence-admin-token');
const BOB = agentToken('npm-presence-bob-token');
const ONLINE = { presence: 'online', queues: ['general'], languages: ['en'], capacity: 5 };

/**
 * `npm run clock -- advance` with an agent at the console: the pings their console could not send
 * inside the jump do not count as their absence, so the absent-agent sweep that fires during the move
 * leaves them what they hold (before, every agent online at a console lost their waiting conversations
 * at each move); an agent whose console had closed before the move (in its grace) is absent as ever.
 */
describe('npm start: a clock move keeps the agents at the console there', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-npm-presence-'));
  const env = {
    DATA_DIR: dataDir,
    PORT: '0',
    AGENT_TOKENS: `lead:${ADMIN}:admin,bob:${BOB},cat:${BOB}-cat`,
  };
  let runtime: LocalRuntime;

  beforeAll(async () => {
    ({ runtime } = await startNpmRuntime(env));
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const call = async <T>(path: string, init: RequestInit = {}, token = ADMIN) => {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const res = await fetch(`${runtime.url}${path}`, { ...init, headers });
    expect(res.status, path).toBeLessThan(300);
    return (await res.json()) as T;
  };
  const clockNow = async () => Date.parse((await call<{ now: string }>('/local/clock')).now);
  const write = async (phone: string) => {
    const secrets = JSON.parse(readFileSync(join(dataDir, 'dev-secrets.json'), 'utf8'));
    const at = new Date(Math.floor((await clockNow()) / 1000) * 1000).toISOString();
    const payload = whatsappText({
      from: phone,
      messages: [{ id: `wamid.presence-${phone}`, at, text: 'A person, please.' }],
    });
    expect(
      (await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, secrets.META_APP_SECRET))).status,
    ).toBe(200);
    await runtime.idle();
    const found = await call<{ items: Customer[] }>(`/api/customers?q=%2B${phone}`);
    return found.items[0]?.openConversationId as string;
  };
  const assignee = async (id: string) => (await call<Conversation>(`/api/conversations/${id}`)).assignee;
  const leaseOf = async (agentId: string) =>
    (await call<{ items: Array<{ id: string; connectedUntil?: string }> }>('/api/agents')).items.find(
      (a) => a.id === agentId,
    )?.connectedUntil;

  it('leaves an agent at the console what they hold through a 2-hour move; one who had left loses it', async () => {
    await call('/api/agents/me', { method: 'PUT', body: JSON.stringify(ONLINE) }, BOB);
    await call('/api/agents/me', { method: 'PUT', body: JSON.stringify(ONLINE) }, `${BOB}-cat`);
    // Bob's console pinged a moment ago (its lease runs 12 minutes); Cat's is at the grace's end.
    const now = await clockNow();
    await runtime.store.consoleLeases.seen('bob', 'console-bob', now + 12 * MINUTE);
    const bobs = await write('447700900901');
    expect(await assignee(bobs)).toBe('bob');
    await runtime.store.consoleLeases.seen('cat', 'console-cat', now + 12 * MINUTE);
    await runtime.store.consoleLeases.seen('bob', 'console-bob', now + 12 * MINUTE + 1);
    const cats = await write('447700900902');
    expect(await assignee(cats)).toBe('cat');
    await runtime.store.consoleLeases.left('cat', 'console-cat', now + 2 * MINUTE);

    const moved = await call<{ settled: boolean }>('/local/clock/advance', {
      method: 'POST',
      body: JSON.stringify({ by: 'PT2H' }),
    });
    expect(moved.settled).toBe(true);
    await runtime.idle();
    // Bob's lease runs on by the move: his 12 minutes are still ahead of him.
    expect(Date.parse(String(await leaseOf('bob')))).toBe(now + 2 * 60 * MINUTE + 12 * MINUTE + 1);
    expect(await assignee(bobs)).toBe('bob');
    // Cat's console had closed (within its grace, not pinging): gone by the move, hers goes to Bob.
    // The sweep's next minute (a move fires a periodic task once: its next run is a minute after it).
    await call('/local/clock/advance', { method: 'POST', body: JSON.stringify({ by: 'PT1M' }) });
    await runtime.idle();
    expect(await assignee(cats)).toBe('bob');
    expect(await assignee(bobs)).toBe('bob');
  }, 120_000);
});
