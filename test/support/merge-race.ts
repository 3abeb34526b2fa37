import { afterAll, beforeAll, expect } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { SECRETS, startTestRuntime } from './runtime.js';
import { type Item, inspectionClient, scanTable } from './table-snapshot.js';
import { deliver, signedMeta, whatsappText } from './webhooks.js';

/**
 * The local runtime of a describe block of merges raced against each other, with an admin agent whose
 * token is `admin`, and new customers made for each test (numbers from `firstPhone` on, each from a
 * WhatsApp message of their own). The runtime is there once `beforeAll` ran.
 */
export function useMergeRaceRuntime(admin: string, firstPhone: number) {
  let started: LocalRuntime | undefined;
  let phone = firstPhone;
  beforeAll(async () => {
    started = await startTestRuntime({ env: { AGENT_TOKENS: `race-admin:${admin}:admin` } });
  }, 60_000);
  afterAll(async () => {
    await started?.close();
  }, 60_000);
  const runtime = (): LocalRuntime => {
    if (!started) throw new Error('the runtime starts in beforeAll: use it inside a test');
    return started;
  };
  /** `count` new customers' ids, and the number each wrote from (without `+`). */
  const customers = async (count: number): Promise<{ ids: string[]; phones: string[] }> => {
    const ids: string[] = [];
    const phones: string[] = [];
    for (let i = 0; i < count; i++) {
      const from = String(++phone);
      const at = new Date().toISOString();
      const body = whatsappText({ from, messages: [{ id: `wamid.race${from}`, at, text: 'hi' }] });
      const res = await deliver(signedMeta(runtime().url, '/webhooks/whatsapp', body, SECRETS.meta));
      expect(res.status).toBe(200);
      await runtime().idle();
      const id = await runtime().store.customers.findCustomerId(
        { kind: 'phone', value: `+${from}` },
        { consistent: true },
      );
      ids.push(id as string);
      phones.push(from);
    }
    return { ids, phones };
  };
  /** The customers' profile items as the table holds them, by id. */
  const profiles = async (ids: readonly string[]): Promise<Record<string, Item | undefined>> => {
    const client = inspectionClient(runtime().dynamoEndpoint);
    try {
      const items = await scanTable(client, 'threadline');
      const of = (id: string) => items.find((item) => item.pk === `CUSTOMER#${id}` && item.sk === 'PROFILE');
      return Object.fromEntries(ids.map((id) => [id, of(id)]));
    } finally {
      client.destroy();
    }
  };
  return { runtime, customers, profiles };
}
