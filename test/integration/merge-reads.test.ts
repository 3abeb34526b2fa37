import { describe, expect, it } from 'vitest';
import { mergeCustomers } from '#shared/app/merge-customers.js';
import { adminPorts, dynamoRepositories, storePorts } from '#shared/store/dynamo-repositories.js';
import { Keys } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { recordCalls } from '../support/call-recorder.js';
import { SECRETS } from '../support/runtime.js';
import { inspectionClient } from '../support/table-snapshot.js';
import { useThrottledRuntime } from '../support/throttled-runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const TABLE = 'threadline';
const AGENT = 'agent-merge-reads';

/**
 * What a merge with the quiet resolve reads of the kept customer's profile beside the merge's own read:
 * once when the kept customer is the target (the profile the resolve checks is the one the call
 * answers), and the target too when it was merged into another customer first (the kept one is that
 * root, and the call answers the target).
 */
describe('local runtime: the profiles a merge reads', () => {
  const env = useThrottledRuntime();
  const at = (minute: number) => new Date(Date.UTC(2026, 11, 4, 10, minute)).toISOString();
  const customerWriting = async (phone: string) => {
    const body = whatsappText({ from: phone, messages: [{ id: `wamid.MR${phone}`, at: at(1), text: 'hi' }] });
    expect(
      (await deliver(signedMeta(env.runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status,
    ).toBe(200);
    await env.runtime.idle();
    const id = await env.runtime.store.customers.findCustomerId(
      { kind: 'phone', value: `+${phone}` },
      { consistent: true },
    );
    return id as string;
  };
  /** A merge's ports over a client beside the runtime's, whose every call is recorded; time at `minute`. */
  const recordingDeps = (minute: number) => {
    const client = inspectionClient(env.runtime.dynamoEndpoint);
    const calls = recordCalls(client);
    const repos = dynamoRepositories(documentClient(client), TABLE);
    const deps = {
      store: storePorts(repos),
      admin: adminPorts(repos),
      audit: repos.audit,
      clock: { now: () => new Date(at(minute)) },
    };
    return { calls, deps };
  };
  it('reads the kept profile once after the merge when it is the target, and answers it with the source merged in', async () => {
    const [source, target] = [await customerWriting('14155553101'), await customerWriting('14155553102')];
    const { calls, deps } = recordingDeps(2);
    const kept = await mergeCustomers(deps, { targetId: target, sourceId: source, agentId: AGENT });
    expect(kept?.id).toBe(target);
    expect(kept?.identities.map((i) => i.value)).toEqual(
      expect.arrayContaining(['+14155553101', '+14155553102']),
    );
    const profile = (id: string) =>
      calls.filter(
        (c) => c.command === 'GetItem' && c.pk === Keys.customer(id).pk && c.sk === Keys.customer(id).sk,
      );
    // The merge's own read of the target, and the quiet resolve's, which is the answer (three before).
    expect(profile(target)).toHaveLength(2);
    // The quiet resolve happened: the source's conversation is resolved by the merge.
    const sourceProfile = await env.runtime.store.customers.getCustomer(source);
    expect(sourceProfile?.openConversationId).toBeUndefined();
  });

  it('answers the target, not the root it was merged into, when the kept customer is that root', async () => {
    const [root, target, source] = [
      await customerWriting('14155553201'),
      await customerWriting('14155553202'),
      await customerWriting('14155553203'),
    ];
    await env.runtime.store.merges.merge(root, target, AGENT, at(2));
    const { calls, deps } = recordingDeps(3);
    const answer = await mergeCustomers(deps, { targetId: target, sourceId: source, agentId: AGENT });
    expect(answer?.id).toBe(target);
    expect((await env.runtime.store.customers.getCustomer(source))?.mergedInto).toBe(root);
    expect(calls.length).toBeGreaterThan(0);
  });
});
