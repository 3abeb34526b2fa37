import { describe, expect, it } from 'vitest';
import { ConflictError } from '#shared/errors.js';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { mergeRepository } from '#shared/store/merge-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { DynamoFaults, SimulatedCrash } from '../support/dynamo-faults.js';
import { customerIdOf } from '../support/open-conversation.js';
import { SECRETS } from '../support/runtime.js';
import { type Item, inspectionClient, scanTable } from '../support/table-snapshot.js';
import { useThrottledRuntime } from '../support/throttled-runtime.js';
import { deliver, IG_ACCOUNT, instagramText, signedMeta, whatsappText } from '../support/webhooks.js';

const TABLE = 'threadline';
const AGENT = 'agent-unmerge';
/** Over RAW_INLINE_MAX once in its payload: this message's raw payload is kept aside (`RAW#...`). */
const LONG = `my card ends 4242 ${'and more '.repeat(300)}`;

/**
 * An unmerge gives the source back what came through its identities while it was merged: the items
 * the resolver wrote into the target's partition, their raw payloads and references. Through the local
 * runtime (routing off), then its export and erasure, a crash after every write of the unmerge, and an
 * unmerge paused by its work budget.
 */
describe('local runtime: an unmerge gives the source back what it sent while merged', () => {
  const env = useThrottledRuntime();

  const at = (minute: number) => new Date(Date.UTC(2026, 11, 4, 9, minute)).toISOString();
  const whatsapp = async (phone: string, id: string, time: string, text = `hello ${id}`) => {
    const body = whatsappText({ from: phone, messages: [{ id, at: time, text }] });
    expect(
      (await deliver(signedMeta(env.runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status,
    ).toBe(200);
    await env.runtime.idle();
  };
  const table = () => scanTable(env.inspect, TABLE);
  const customerOf = (phone: string) => customerIdOf(env.runtime, phone);
  /** Where each copy of an item (or its raw payload aside) is, by partition. */
  const partitionsOf = (items: Item[], id: string) =>
    items
      .filter((item) => String(item.sk).endsWith(`#${id}`))
      .map((item) => `${String(item.pk)} ${String(item.sk).startsWith('RAW#') ? 'raw' : 'item'}`)
      .sort();
  const reference = (items: Item[], id: string) => items.find((item) => item.pk === `MESSAGE#whatsapp#${id}`);

  /**
   * Two customers with a message each, the first merged into the second; then the source writes twice
   * (a long one, its raw payload aside) and the target once while merged.
   */
  const mergedWithMessages = async (source: string, target: string, tag: string) => {
    await whatsapp(source, `wamid.S${tag}`, at(1));
    await whatsapp(target, `wamid.T${tag}`, at(1));
    const ids = { source: await customerOf(source), target: await customerOf(target) };
    // The merge gives the target the source's tag; the unmerge takes it back.
    await env.runtime.store.customers.changeTags(ids.source, { add: ['vip'], remove: [] });
    await env.runtime.store.customers.changeTags(ids.target, { add: ['own'], remove: [] });
    await env.runtime.store.merges.merge(ids.target, ids.source, AGENT, at(2));
    await whatsapp(source, `wamid.M${tag}`, at(3), 'private: my card ends 4242');
    await whatsapp(source, `wamid.L${tag}`, at(4), LONG);
    await whatsapp(target, `wamid.U${tag}`, at(5));
    return ids;
  };

  /** Everything the source sent is in its own partition, once, with its references; the target kept its own. */
  const expectGivenBack = (items: Item[], ids: { source: string; target: string }, tag: string) => {
    const [source, target] = [`CUSTOMER#${ids.source}`, `CUSTOMER#${ids.target}`];
    expect(partitionsOf(items, `whatsapp:wamid.M${tag}`)).toEqual([`${source} item`]);
    expect(partitionsOf(items, `whatsapp:wamid.L${tag}`)).toEqual([`${source} item`, `${source} raw`]);
    expect(partitionsOf(items, `whatsapp:wamid.S${tag}`)).toEqual([`${source} item`]);
    expect(partitionsOf(items, `whatsapp:wamid.U${tag}`)).toEqual([`${target} item`]);
    expect(partitionsOf(items, `whatsapp:wamid.T${tag}`)).toEqual([`${target} item`]);
    expect(reference(items, `wamid.M${tag}`)).toMatchObject({ customerId: ids.source });
    expect(reference(items, `wamid.L${tag}`)).toMatchObject({ customerId: ids.source });
    const profile = items.find((item) => item.pk === source && item.sk === 'PROFILE');
    expect(profile).not.toHaveProperty('unmergingFrom');
    expect(profile).not.toHaveProperty('mergedInto');
    expect(profile?.tags).toEqual(new Set(['vip']));
    const kept = items.find((item) => item.pk === target && item.sk === 'PROFILE');
    expect(kept?.tags).toEqual(new Set(['own']));
    expect(kept).not.toHaveProperty('mergedTags');
  };

  it("moves the source's messages, raw payloads and references back; export and erasure follow", async () => {
    const ids = await mergedWithMessages('14155550401', '14155550402', 'a');
    const progress = await env.runtime.store.merges.unmerge(ids.target, ids.source, AGENT, at(6));
    expect(progress).toEqual({ complete: true, moved: 2 });
    expectGivenBack(await table(), ids, 'a');

    const { privacy, timeline } = env.runtime.store;
    const targetExport = JSON.stringify(await privacy.export(ids.target, at(7)));
    expect(targetExport).not.toContain('card ends 4242');
    expect(targetExport).not.toContain('4155550401');
    const sourceExport = await privacy.export(ids.source, at(7));
    expect(sourceExport.timeline.map((item) => item.id)).toEqual(
      expect.arrayContaining(['whatsapp:wamid.Ma', 'whatsapp:wamid.La']),
    );
    expect(sourceExport.rawPayloads.filter((raw) => raw.raw.includes('card ends 4242'))).toHaveLength(2);

    // A redelivery of a message sent while merged finds it where it now is: nothing written twice.
    await whatsapp('14155550401', 'wamid.Ma', at(3), 'private: my card ends 4242');
    expectGivenBack(await table(), ids, 'a');
    // Done: asked again (a retry whose answer was lost), it is answered as done and changes nothing.
    expect(await env.runtime.store.merges.unmerge(ids.target, ids.source, AGENT, at(8))).toEqual({
      complete: true,
      moved: 0,
    });
    // Unmerged from anyone else, it is not.
    await expect(
      env.runtime.store.merges.unmerge(ids.source, ids.target, AGENT, at(8)),
    ).rejects.toBeInstanceOf(ConflictError);
    expectGivenBack(await table(), ids, 'a');

    expect((await privacy.erase(ids.source, AGENT, at(9))).complete).toBe(true);
    const left = JSON.stringify(await timeline.timeline(ids.target, { limit: 100 }));
    expect(left).not.toContain('card ends 4242');
    expect(JSON.stringify(await table())).not.toContain('card ends 4242');
    expect(env.runtime.deadLetter.messages()).toEqual([]);
  });

  it("leaves the target a last inbound channel it holds, not the one learned from the source's messages", async () => {
    await whatsapp('15550177001', 'wamid.Tch', at(1));
    const target = await customerOf('15550177001');
    const dm = instagramText({ sender: '77001', mid: 'aWdfY2gx', at: at(2), text: 'from Instagram' });
    expect((await deliver(signedMeta(env.runtime.url, '/webhooks/meta', dm, SECRETS.meta))).status).toBe(200);
    await env.runtime.idle();
    const source = await env.runtime.store.customers.findCustomerId(
      { kind: 'instagram', value: `${IG_ACCOUNT}:77001` },
      { consistent: true },
    );
    if (!source) throw new Error('no Instagram customer');
    await env.runtime.store.merges.merge(target, source, AGENT, at(3));
    const later = instagramText({ sender: '77001', mid: 'aWdfY2gy', at: at(4), text: 'again' });
    await deliver(signedMeta(env.runtime.url, '/webhooks/meta', later, SECRETS.meta));
    await env.runtime.idle();
    const profile = async () =>
      (await table()).find((item) => item.pk === `CUSTOMER#${target}` && item.sk === 'PROFILE');
    expect(await profile()).toMatchObject({ lastInboundChannel: 'instagram' });
    await env.runtime.store.merges.unmerge(target, source, AGENT, at(5));
    // Its own WhatsApp, which it last wrote on; before, `instagram`, and a reply naming no channel was refused.
    expect(await profile()).toMatchObject({ lastInboundChannel: 'whatsapp' });
  });

  it('converges when the unmerge crashes after any of its writes and is called again', async () => {
    const endpoint = env.runtime.dynamoEndpoint;
    let crashes = 0;
    for (let k = 1; k < 40; k++) {
      const tag = `c${k}`;
      const phone = (n: number) => `14155551${String(k).padStart(2, '0')}${n}`;
      const ids = await mergedWithMessages(phone(1), phone(2), tag);
      const faults = new DynamoFaults({ crashAfterWrite: k });
      const crashing = dynamoRepositories(documentClient(faults.attach(inspectionClient(endpoint))), TABLE);
      const first = await crashing.merges.unmerge(ids.target, ids.source, AGENT, at(6)).catch((error) => {
        // The store answers a lost write as unavailable (the caller retries), the crash its cause.
        if (!(error.cause instanceof SimulatedCrash)) throw error;
        return undefined;
      });
      if (first) {
        // k is past the unmerge's last write: every crash point was tried.
        expect(faults.crashed).toBe(false);
        expectGivenBack(await table(), ids, tag);
        break;
      }
      crashes += 1;
      expect(await env.runtime.store.merges.unmerge(ids.target, ids.source, AGENT, at(7))).toMatchObject({
        complete: true,
      });
      expectGivenBack(await table(), ids, tag);
      // The unmerge is recorded once on each timeline, at the first call's time.
      const events = (await table()).filter((item) => item.event === 'unmerge');
      expect(events.filter((item) => item.pk === `CUSTOMER#${ids.source}`)).toHaveLength(1);
      expect(events.filter((item) => item.pk === `CUSTOMER#${ids.target}`)).toHaveLength(1);
    }
    expect(crashes).toBeGreaterThan(10);
  }, 120_000);

  it('costs a read of the target a page at a time and a few writes per item moved back', async () => {
    const ids = await mergedWithMessages('14155550421', '14155550422', 'k');
    const faults = new DynamoFaults();
    const counted = dynamoRepositories(
      documentClient(faults.attach(inspectionClient(env.runtime.dynamoEndpoint))),
      TABLE,
    );
    expect(await counted.merges.unmerge(ids.target, ids.source, AGENT, at(6))).toEqual({
      complete: true,
      moved: 2,
    });
    const count: Record<string, number> = {};
    for (const call of faults.calls) count[call.operation] = (count[call.operation] ?? 0) + 1;
    // Reads: the source's profile, the target's (its group's root), the raw payload aside of the message
    // that has none inline, what routing wrote for each moved message (2 × 2: none here), one page of
    // the target (its 6 items), the source's conversation (one the merge gave the target goes back:
    // not this one); once the move is done, the target's profile again, its own latest
    // WhatsApp message (both customers hold a phone: the channel's time may be the source's) and the
    // source's live-log windows.
    // Updates: the note on the root, the identity, the target's profile, its WhatsApp and SMS reply
    // addresses while they are the source's number (2, conditional), the carried survey's removal
    // (conditional on a source's conversation: none here), the source's, each moved message's reference
    // (2), each moved message's channel time and last inbound on the source's profile (2 × 2), the
    // window's close, the suggestion between them opened again (2, conditional: none here), the end,
    // the note's release. The target's last-inbound time needs no correction: its own last message came
    // from another number than the source's before it, so its profile took that number and its time.
    // Puts: the source's live-log window, the two `unmerge` events, each message's copy (2), the raw
    // payload aside's. Deletes: each message (2), the raw payload aside.
    expect(count).toEqual({ GetItem: 5 + 4, Query: 3, UpdateItem: 18, PutItem: 3 + 3, DeleteItem: 3 });
    expectGivenBack(await table(), ids, 'k');
  });

  it('moves a bounded amount per call and carries on where the last call stopped', async () => {
    const ids = await mergedWithMessages('14155550411', '14155550412', 'p');
    const db = { doc: documentClient(inspectionClient(env.runtime.dynamoEndpoint)), table: TABLE };
    const repos = dynamoRepositories(db.doc, TABLE);
    // Fourteen units: thirteen to move one message (its profile's times and what routing wrote for it
    // included), one to read another: at most one item a call.
    const merges = mergeRepository(db, repos, { unmergeWorkPerCall: 14 });
    const calls = [];
    for (let i = 0; i < 10; i++) {
      const progress = await merges.unmerge(ids.target, ids.source, AGENT, at(6 + i));
      calls.push(progress);
      if (progress.complete) break;
    }
    expect(calls.length).toBeGreaterThan(2);
    expect(calls.map((call) => call.complete)).toEqual([...calls.slice(1).map(() => false), true]);
    expect(calls.every((call) => call.moved <= 1)).toBe(true);
    expect(calls.reduce((sum, call) => sum + call.moved, 0)).toBe(2);
    expectGivenBack(await table(), ids, 'p');
    // Each call after the first carried on from the first's record: the unmerge is on each timeline once.
    const events = (await table()).filter((item) => item.event === 'unmerge');
    expect(events.filter((item) => item.pk === `CUSTOMER#${ids.source}`).map((item) => item.at)).toEqual([
      at(6),
    ]);
  });
});
