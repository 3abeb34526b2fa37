import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { callOf, recentItemsRead } from '../support/dynamo-gate.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { timelineOfPhone } from '../support/twin-runtime.js';
import { deliver, signedMeta, waitUntil, whatsappText } from '../support/webhooks.js';

vi.setConfig({ testTimeout: 60_000 });

const TOKEN = agentToken('restart-mid-routing');
const PHONES = ['447700905301', '447700905302', '447700905303'];

/**
 * `npm start` killed while a message's item is written and its routing not done: the queue file stays,
 * and the restart (same DATA_DIR) delivers it again. Before, the reloaded message came back with a
 * receive count of one, was taken for a twin of the delivery that wrote the item (which was dead) and
 * deleted unrouted: never queued, never in the inbox. The crash is the process dying right after
 * routing's first read (the item written, nothing routed); the runtime is then stopped and started again.
 */
describe('local runtime: messages saved but not routed when the process died are routed after the restart', () => {
  let dataDir: string;
  let runtime: LocalRuntime | undefined;
  let crashesLeft = 0;
  let crashed = 0;

  /** Routing's read of the recent items applied, then the process "dies" (its batch fails, its files stay). */
  const dieMidRouting = (client: DynamoDBClient): DynamoDBClient => {
    client.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        const call = callOf(args);
        if (crashesLeft > 0 && recentItemsRead(call)) {
          crashesLeft -= 1;
          crashed += 1;
          throw new Error('the process died before routing');
        }
        return out;
      },
      { step: 'build', name: 'dieMidRouting' },
    );
    return client;
  };
  const start = () =>
    startTestRuntime({
      env: { AGENT_TOKENS: `agent-ana:${TOKEN}`, DATA_DIR: dataDir },
      persist: true,
      routing: true,
      dynamoClient: dieMidRouting,
      queue: { visibilityTimeoutMs: 60_000 },
    });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-restart-routing-'));
    runtime = await start();
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('routes each message once after the restart, none left to the dead process', async () => {
    const first = runtime as LocalRuntime;
    crashesLeft = PHONES.length;
    for (const [i, phone] of PHONES.entries()) {
      const body = whatsappText({
        from: phone,
        name: `Kill ${i}`,
        messages: [
          {
            id: `wamid.RESTART${i}`,
            at: new Date().toISOString(),
            text: 'I want to speak to a person, please.',
          },
        ],
      });
      expect((await deliver(signedMeta(first.url, '/webhooks/whatsapp', body, SECRETS.meta))).status).toBe(
        200,
      );
    }
    await waitUntil(() => crashed === PHONES.length, 'every message written, none routed');
    await first.close();

    runtime = await start();
    const restarted = runtime;
    await restarted.idle();
    expect(restarted.deadLetter.messages()).toEqual([]);
    for (const phone of PHONES) {
      const items = await timelineOfPhone(restarted, phone, TOKEN);
      expect(items.filter((x) => x.type === 'message' && x.direction === 'inbound')).toHaveLength(1);
      expect(items.filter((x) => x.event === 'routed')).toHaveLength(1);
    }
  });
});
