import { describe, expect, it } from 'vitest';
import { replyAddress } from '#shared/domain/replies.js';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { DynamoFaults, SimulatedCrash } from '../support/dynamo-faults.js';
import { DynamoGate } from '../support/dynamo-gate.js';
import { SECRETS } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { useThrottledRuntime } from '../support/throttled-runtime.js';
import { deliver, IG_ACCOUNT, instagramText, signedMeta, whatsappText } from '../support/webhooks.js';

const TABLE = 'threadline';
const AGENT = 'agent-merge-crash';

/**
 * A merge that crashes after any of its writes and is asked again ends as one merge would: the
 * source's identities resolve to the target, the target shows them and the source's tags (noted as the
 * merge's, so an unmerge takes them back), and its timeline holds one `merge` event. Before, a call after a crash past the source's pointer answered as done and left the rest.
 */
describe('local runtime: a merge asked again after a crash completes it', () => {
  const env = useThrottledRuntime();
  const at = (minute: number) => new Date(Date.UTC(2026, 11, 4, 9, minute)).toISOString();
  const whatsapp = async (phone: string, id: string) => {
    const body = whatsappText({ from: phone, messages: [{ id, at: at(1), text: `hello ${id}` }] });
    expect(
      (await deliver(signedMeta(env.runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status,
    ).toBe(200);
    await env.runtime.idle();
  };
  const customerOf = async (phone: string) =>
    env.runtime.store.customers.findCustomerId({ kind: 'phone', value: `+${phone}` }, { consistent: true });
  /** Asks for the merge through a client that crashes after its `k`th write: whether it got through. */
  const mergeCrashingAfter = async (k: number, target: string, source: string) => {
    const faults = new DynamoFaults({ crashAfterWrite: k });
    const crashing = dynamoRepositories(
      documentClient(faults.attach(inspectionClient(env.runtime.dynamoEndpoint))),
      TABLE,
    );
    const first = await crashing.merges.merge(target, source, AGENT, at(2)).then(
      () => true,
      (error) => {
        if (!(error.cause instanceof SimulatedCrash)) throw error;
        return false;
      },
    );
    return { faults, first };
  };

  /**
   * A double click or a retried request: both calls read the two customers before either points the
   * source, then both point it (held at that write by a gate until both are there). One `merge` event,
   * at the time the source keeps as its `mergedAt`, whoever won; both calls succeed.
   */
  it('writes one merge event when the same merge is asked twice at once', async () => {
    await whatsapp('14155552991', 'wamid.MTWICEs');
    await whatsapp('14155552992', 'wamid.MTWICEt');
    const source = (await customerOf('14155552991')) as string;
    const target = (await customerOf('14155552992')) as string;
    const gate = new DynamoGate();
    gate.hold((call) => call.operation === 'UpdateItem' && call.body.includes('mergedAt = :now'), 2);
    const gated = dynamoRepositories(
      documentClient(gate.attach(inspectionClient(env.runtime.dynamoEndpoint))),
      TABLE,
    );
    const both = Promise.all([
      gated.merges.merge(target, source, AGENT, at(2)),
      gated.merges.merge(target, source, AGENT, at(3)),
    ]);
    await gate.arrived(2);
    gate.release(0);
    gate.release(1);
    await both;
    const items = await scanTable(env.inspect, TABLE);
    const events = items.filter((item) => item.pk === `CUSTOMER#${target}` && item.event === 'merge');
    const merged = items.find((item) => item.pk === `CUSTOMER#${source}` && item.sk === 'PROFILE');
    expect(events.map((e) => e.at)).toEqual([merged?.mergedAt]);
    expect(await customerOf('14155552991')).toBe(target);
  }, 60_000);

  it('converges after a crash at each write', async () => {
    let crashes = 0;
    for (let k = 1; k < 20; k++) {
      const phone = (n: number) => `14155552${String(k).padStart(2, '0')}${n}`;
      await whatsapp(phone(1), `wamid.MC${k}s`);
      await whatsapp(phone(2), `wamid.MC${k}t`);
      const source = (await customerOf(phone(1))) as string;
      const target = (await customerOf(phone(2))) as string;
      await env.runtime.store.customers.changeTags(source, { add: ['vip'], remove: [] });
      const { faults, first } = await mergeCrashingAfter(k, target, source);
      if (first) {
        expect(faults.crashed).toBe(false);
        break;
      }
      crashes += 1;
      await env.runtime.store.merges.merge(target, source, AGENT, at(3));
      expect(await customerOf(phone(1)), `crash after write ${k}`).toBe(target);
      const kept = await env.runtime.store.customers.getCustomer(target);
      expect(kept?.identities.map((i) => i.value)).toEqual(
        expect.arrayContaining([`+${phone(1)}`, `+${phone(2)}`]),
      );
      // The source's tag, noted as the merge's however often it was asked (the unmerge takes it back).
      expect(kept?.tags, `crash after write ${k}`).toEqual(['vip']);
      const items = await scanTable(env.inspect, TABLE);
      const events = items.filter((item) => item.pk === `CUSTOMER#${target}` && item.event === 'merge');
      expect(events, `crash after write ${k}`).toHaveLength(1);
      const profile = items.find((item) => item.pk === `CUSTOMER#${target}` && item.sk === 'PROFILE');
      expect([...((profile?.mergedTags as Set<string> | undefined) ?? [])], `crash after write ${k}`).toEqual(
        [`${source}#vip`],
      );
      expect((await env.runtime.store.merges.unmerge(target, source, AGENT, at(4))).complete).toBe(true);
      expect((await env.runtime.store.customers.getCustomer(target))?.tags).toEqual([]);
      expect((await env.runtime.store.customers.getCustomer(source))?.tags).toEqual(['vip']);
    }
    expect(crashes).toBeGreaterThan(2);
  }, 120_000);

  /**
   * The merged-in customer's WhatsApp id (a Brazilian mobile without its ninth digit) is not the number
   * its identity is keyed under; kept on its profile only, WhatsApp replies to the kept customer went to
   * the keyed number. It reaches the kept profile however often the merge crashed and was asked again.
   */
  it('carries the WhatsApp id that is not the number to the kept customer, after a crash at each write', async () => {
    let crashes = 0;
    for (let k = 1; k < 20; k++) {
      const waId = `5541888877${String(k).padStart(2, '0')}`;
      await whatsapp(waId, `wamid.MW${k}`);
      const source = (await env.runtime.store.customers.findCustomerId(
        { kind: 'phone', value: `+55419888877${String(k).padStart(2, '0')}` },
        { consistent: true },
      )) as string;
      const sender = `9100${k}`;
      const body = instagramText({ sender, mid: `m_MW${k}`, at: at(1), text: 'hi' });
      expect((await deliver(signedMeta(env.runtime.url, '/webhooks/meta', body, SECRETS.meta))).status).toBe(
        200,
      );
      await env.runtime.idle();
      const target = (await env.runtime.store.customers.findCustomerId(
        { kind: 'instagram', value: `${IG_ACCOUNT}:${sender}` },
        { consistent: true },
      )) as string;
      expect(source).toBeDefined();
      expect(target).toBeDefined();
      const { first } = await mergeCrashingAfter(k, target, source);
      if (!first) {
        crashes += 1;
        await env.runtime.store.merges.merge(target, source, AGENT, at(3));
      }
      const kept = await env.runtime.store.customers.getCustomer(target);
      expect(kept?.whatsappAddress, `crash after write ${k}`).toBe(`+${waId}`);
      expect(replyAddress(kept as NonNullable<typeof kept>, 'whatsapp').value).toBe(`+${waId}`);
      if (first) break;
    }
    expect(crashes).toBeGreaterThan(2);
  }, 120_000);
});
