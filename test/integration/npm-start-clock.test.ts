import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Customer, TimelineItem } from '#shared/domain/timeline.js';
import { clockCommand } from '#shared/local/clock-command.js';
import { startNpmRuntime } from '#shared/local/npm-start.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const ADMIN = agentToken('npm-clock-admin-token');
const AGENT = agentToken('npm-clock-agent-token');

/** A first response within 10 minutes, an hour of silence resolves: both fall inside a 2-hour move. */
const policy = slaPolicyFile({ onBreach: [{ type: 'note', text: 'Missed: answer now.' }] }, (p) => {
  p.autoResolve = { after: 'PT1H' };
});

/**
 * `npm start` as `shared/local/main.ts` starts it (development secrets, routing, events, live updates
 * and the clock kept under DATA_DIR), moved by `npm run clock` as an operator runs it: the SLA breach
 * and the auto-resolve fire once in a 2-hour move, and not again in the next one; the move outlives
 * a restart; only admins move the clock, and only forward.
 */
describe('npm start: npm run clock -- advance', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-npm-clock-'));
  const env = {
    DATA_DIR: dataDir,
    PORT: '0',
    ROUTING_POLICY_FILE: policy,
    AGENT_TOKENS: `dev-lead:${ADMIN}:admin,dev-bo:${AGENT}`,
  };
  let runtime: LocalRuntime;
  let banner: string;

  const start = async () => {
    ({ runtime, banner } = await startNpmRuntime(env));
  };
  beforeAll(start);
  afterAll(async () => {
    await runtime?.close();
  });

  /** `npm run clock -- <argv>` on the test's DATA_DIR and the runtime's port: its exit code and lines. */
  const npmRunClock = async (...argv: string[]) => {
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
    const code = await clockCommand(argv, { ...env, PORT: String(runtime.port) }, io);
    return { code, text: lines.join('\n') };
  };
  const call = async <T>(path: string, init: RequestInit = {}, token = ADMIN) => {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const res = await fetch(`${runtime.url}${path}`, { ...init, headers });
    return { status: res.status, body: (await res.json()) as T };
  };
  const clockNow = async () => Date.parse((await call<{ now: string }>('/local/clock')).body.now);
  const customer = async () =>
    (await call<{ items: Customer[] }>('/api/customers?q=%2B447700900612')).body.items[0] as Customer;
  const timeline = async (id: string) =>
    (await call<{ items: TimelineItem[] }>(`/api/customers/${id}/timeline?limit=200`)).body.items;

  it('fires the breach and the auto-resolve once in 2 hours, and nothing more in the next 2', async () => {
    expect(banner).toContain('npm run clock -- advance 2h');
    const secrets = JSON.parse(readFileSync(join(dataDir, 'dev-secrets.json'), 'utf8'));
    const at = new Date(Math.floor((await clockNow()) / 1000) * 1000).toISOString();
    const payload = whatsappText({
      from: '447700900612',
      messages: [{ id: 'wamid.npm-clock-1', at, text: 'Hi' }],
    });
    const taken = await deliver(
      signedMeta(runtime.url, '/webhooks/whatsapp', payload, secrets.META_APP_SECRET),
    );
    expect(taken.status).toBe(200);
    await runtime.idle();
    const { id, openConversationId } = await customer();
    const conversationId = openConversationId as string;
    expect(await runtime.store.conversations.getConversation(conversationId)).toMatchObject({
      status: 'open',
    });

    const moved = await npmRunClock('advance', '2h');
    expect(moved).toMatchObject({ code: 0, text: expect.stringContaining('(2h ahead of') });
    const once = await timeline(id);
    expect(once.filter((item) => item.event === 'sla_breached')).toHaveLength(1);
    expect(once.filter((item) => item.type === 'note').map((n) => n.text)).toEqual(['Missed: answer now.']);
    const resolved = (await runtime.store.conversations.getConversation(conversationId)) as Conversation;
    // The breach at its due time; the silence counted from the responder's answer as the customer got
    // it (its write time), not from its place right after the message (the conversation's answeredAt).
    expect(resolved.sla).toMatchObject({
      status: 'missed',
      breaches: [{ metric: 'firstResponse', at: new Date(Date.parse(at) + 10 * MINUTE).toISOString() }],
    });
    const answer = once.find((item) => item.id === 'reply:ai:whatsapp:wamid.npm-clock-1') as TimelineItem;
    expect(resolved).toMatchObject({
      status: 'resolved',
      awaitingCustomerSince: answer.at,
      resolvedAt: new Date(Date.parse(answer.at) + HOUR).toISOString(),
    });
    const resolves = once.filter((item) => item.event === 'resolved');
    expect(resolves).toHaveLength(1);

    expect((await npmRunClock('advance', 'PT2H')).code).toBe(0);
    const again = await timeline(id);
    expect(again.filter((item) => item.event === 'sla_breached')).toHaveLength(1);
    expect(again.filter((item) => item.event === 'resolved')).toHaveLength(1);
    expect(again).toHaveLength(once.length);
    expect(await runtime.store.conversations.getConversation(conversationId)).toEqual(resolved);
  });

  it('stamps what providers and agents see with the moved time', async () => {
    const before = await clockNow();
    expect(before - Date.now()).toBeGreaterThanOrEqual(4 * HOUR - 1000);
    const secrets = JSON.parse(readFileSync(join(dataDir, 'dev-secrets.json'), 'utf8'));
    // A payload stamped by the machine's clock (a provider's fixture): the receipt time is the moved one.
    const payload = whatsappText({
      from: '447700900613',
      messages: [{ id: 'wamid.npm-clock-2', at: new Date().toISOString(), text: 'Hello again' }],
    });
    await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, secrets.META_APP_SECRET));
    await runtime.idle();
    const found = await call<{ items: Customer[] }>('/api/customers?q=%2B447700900613');
    const conversationId = found.body.items[0]?.openConversationId as string;
    const conversation = (await runtime.store.conversations.getConversation(conversationId)) as Conversation;
    expect(Date.parse(conversation.createdAt)).toBeGreaterThanOrEqual(before);
  });

  it('keeps the moves over a restart, and says so in the banner', async () => {
    const ahead = (await call<{ aheadMs: number }>('/local/clock')).body.aheadMs;
    expect(ahead).toBe(4 * HOUR);
    await runtime.close();
    await start();
    expect((await call<{ aheadMs: number }>('/local/clock')).body.aheadMs).toBe(4 * HOUR);
    expect(banner).toContain('The clock runs 4h ahead');
    expect((await npmRunClock()).text).toContain('(4h ahead of');
  });

  it('moves only for an admin, only forward, at most a month a call', async () => {
    const advance = (by: unknown, token = ADMIN) =>
      call<{ error: { code: string } }>(
        '/local/clock/advance',
        { method: 'POST', body: JSON.stringify({ by }) },
        token,
      );
    expect((await advance('PT1H', 'not-a-token')).status).toBe(401);
    expect((await advance('PT1H', AGENT)).body.error.code).toBe('forbidden');
    expect((await call('/local/clock', {}, AGENT)).status).toBe(403);
    for (const by of ['-PT1H', 'PT0S', 'P32D', 'soon', 3_600_000]) {
      expect((await advance(by)).status, String(by)).toBe(400);
    }
    expect((await npmRunClock('advance', 'yesterday')).code).toBe(2);
    expect((await call<{ aheadMs: number }>('/local/clock')).body.aheadMs).toBe(4 * HOUR);
  });
});
