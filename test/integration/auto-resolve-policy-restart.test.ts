import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const SECRET = 'auto-resolve-restart-meta';
const ADMIN = agentToken('auto-resolve-restart-ana');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The shipped policy with `autoResolve` after `after` (none when undefined). */
const policyFile = (after: string | undefined) =>
  shippedPolicyFileWith((policy) => {
    if (after) policy.autoResolve = { after };
  });

/**
 * The QA's story on the runtime, over a restart on the same data: a WhatsApp customer writes, the
 * agent answers under `autoResolve: P5D`, the admin restarts with `autoResolve` taken out, and time
 * moves five days. Before, the timer set under P5D resolved the conversation (and its survey followed).
 */
describe('local runtime: auto-resolve taken out of the policy over a restart', () => {
  let dataDir: string;
  let runtime: LocalRuntime | undefined;
  const time = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);

  const start = async (after: string | undefined) => {
    runtime = await startTestRuntime({
      env: {
        META_APP_SECRET: SECRET,
        AGENT_TOKENS: `agent-ana:${ADMIN}:admin`,
        DATA_DIR: dataDir,
        ROUTING_POLICY_FILE: policyFile(after),
      },
      persist: true,
      manualTime: time,
    });
  };
  const call = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${runtime?.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${ADMIN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-auto-resolve-restart-'));
  });
  afterAll(async () => {
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves the conversation open five days on', async () => {
    await start('P5D');
    const at = new Date(time.now()).toISOString();
    const payload = whatsappText({
      from: '447700900591',
      messages: [{ id: 'wamid.restart-ar-1', at, text: 'Hi?' }],
    });
    expect(
      (await deliver(signedMeta(runtime?.url ?? '', '/webhooks/whatsapp', payload, SECRET))).status,
    ).toBe(200);
    await runtime?.idle();
    const found = await call<{ items: Customer[] }>('GET', '/api/customers?q=%2B447700900591');
    const customer = found.body.items[0] as Customer;
    const id = customer.openConversationId as string;
    expect((await call('POST', `/api/conversations/${id}/replies`, { text: 'On it' })).status).toBe(202);
    await runtime?.idle();

    await runtime?.close();
    await start(undefined);
    time.advance(5 * DAY + HOUR);
    await runtime?.idle();

    const after = await call<Conversation>('GET', `/api/conversations/${id}`);
    expect(after.body.status).toBe('open');
  });
});
