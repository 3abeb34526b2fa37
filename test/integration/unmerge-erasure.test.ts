import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { mergeRepository } from '#shared/store/merge-repository.js';
import { privacyRepository } from '#shared/store/privacy-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentToken } from '../support/agent-token.js';
import { DynamoFaults, SimulatedCrash } from '../support/dynamo-faults.js';
import { customerIdOf } from '../support/open-conversation.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const TABLE = 'threadline';
const ADMIN = agentToken('unmerge-erasure-admin');
const AGENT = 'admin-ivy';

/**
 * An erasure and an unmerge of the same customers exclude each other: whichever writes its first mark
 * on the merged group's root first goes on, the other is refused with 409 and changes nothing, and a
 * crash of either after any of its writes leaves the other refused until it is called again and done.
 */
describe('local runtime: an unmerge and an erasure of the same customers', () => {
  let runtime: LocalRuntime;
  const at = (minute: number) => new Date(Date.UTC(2026, 11, 4, 9, minute)).toISOString();
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as { error?: { code: string }; complete?: boolean };
    return { status: res.status, code: json.error?.code, complete: json.complete };
  };
  const whatsapp = async (phone: string, id: string, time: string) => {
    const body = whatsappText({ from: phone, messages: [{ id, at: time, text: `hello ${id}` }] });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status).toBe(
      200,
    );
    await runtime.idle();
  };
  const customerOf = (phone: string) => customerIdOf(runtime, phone);
  /** Two customers, the first merged into the second, and two messages of the first while merged. */
  const mergedPair = async (tag: string) => {
    const [source, target] = [`1415555${tag}1`, `1415555${tag}2`];
    await whatsapp(source, `wamid.S${tag}`, at(1));
    await whatsapp(target, `wamid.T${tag}`, at(1));
    const ids = { source: await customerOf(source), target: await customerOf(target) };
    await runtime.store.merges.merge(ids.target, ids.source, AGENT, at(2));
    await whatsapp(source, `wamid.M${tag}`, at(3));
    await whatsapp(source, `wamid.N${tag}`, at(4));
    return ids;
  };
  const db = () => ({ doc: documentClient(inspectionClient(runtime.dynamoEndpoint)), table: TABLE });
  /** Profiles of the pair that an erasure and an unmerge both marked: never any. */
  const profiles = async (ids: { source: string; target: string }) =>
    (await scanTable(inspectionClient(runtime.dynamoEndpoint), TABLE)).filter(
      (item) => item.sk === 'PROFILE' && [ids.source, ids.target].includes(String(item.id)),
    );
  const marked = async (ids: { source: string; target: string }, mark: string) =>
    (await profiles(ids)).filter((item) => item[mark] !== undefined);
  const bothMarked = async (ids: { source: string; target: string }) =>
    (await profiles(ids)).filter(
      (item) =>
        item.erasingSince !== undefined &&
        (item.unmergingFrom !== undefined || item.unmergingSources !== undefined),
    );

  beforeAll(async () => {
    runtime = await startTestRuntime({ env: { AGENT_TOKENS: `${AGENT}:${ADMIN}:admin` } });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('refuses to erase either customer while their unmerge is under way (409 unmerge_in_progress)', async () => {
    const ids = await mergedPair('01');
    // Six units of work a call: the unmerge pauses with items still to move back.
    const merges = mergeRepository(db(), dynamoRepositories(db().doc, TABLE), { unmergeWorkPerCall: 6 });
    expect((await merges.unmerge(ids.target, ids.source, AGENT, at(6))).complete).toBe(false);
    for (const id of [ids.target, ids.source]) {
      expect(await call('DELETE', `/api/customers/${id}`)).toMatchObject({
        status: 409,
        code: 'unmerge_in_progress',
      });
      // Refused before anything was marked: the customer still reads.
      expect((await call('GET', `/api/customers/${id}`)).status).toBe(200);
    }
    let done = await call('POST', `/api/customers/${ids.target}/unmerge`, { customerId: ids.source });
    for (let i = 0; i < 10 && done.status === 202; i++) {
      done = await call('POST', `/api/customers/${ids.target}/unmerge`, { customerId: ids.source });
    }
    expect(done.status).toBe(200);
    // Done: each can be erased alone.
    expect((await call('DELETE', `/api/customers/${ids.source}`)).status).toBe(200);
    expect((await call('GET', `/api/customers/${ids.target}`)).status).toBe(200);
  });

  it('refuses to unmerge while either customer is being erased (409 erasure_in_progress)', async () => {
    const ids = await mergedPair('02');
    const privacy = privacyRepository(db(), dynamoRepositories(db().doc, TABLE), { deletesPerCall: 1 });
    expect((await privacy.erase(ids.target, AGENT, at(6))).complete).toBe(false);
    expect(
      await call('POST', `/api/customers/${ids.target}/unmerge`, { customerId: ids.source }),
    ).toMatchObject({
      status: 409,
      code: 'erasure_in_progress',
    });
    expect(await bothMarked(ids)).toEqual([]);
    let report = await privacy.erase(ids.target, AGENT, at(7));
    for (let i = 0; i < 50 && !report.complete; i++) report = await privacy.erase(ids.target, AGENT, at(7));
    expect(report).toMatchObject({ complete: true, customers: 2 });
    expect(
      await call('POST', `/api/customers/${ids.target}/unmerge`, { customerId: ids.source }),
    ).toMatchObject({
      status: 410,
    });
  });

  it('never leaves both half done when an unmerge crashes after any of its writes and an erasure comes', async () => {
    let crashes = 0;
    for (let k = 1; k < 30; k++) {
      const ids = await mergedPair(String(10 + k));
      const faults = new DynamoFaults({ crashAfterWrite: k });
      const crashing = dynamoRepositories(
        documentClient(faults.attach(inspectionClient(runtime.dynamoEndpoint))),
        TABLE,
      );
      const first = await crashing.merges.unmerge(ids.target, ids.source, AGENT, at(6)).catch((error) => {
        if (!(error.cause instanceof SimulatedCrash)) throw error;
        return undefined;
      });
      if (first) break;
      crashes += 1;
      // The erasure comes between the crash and the unmerge's next call: refused, nothing marked. Once
      // the source has everything back (a crash after its last write but the note's release) it stands
      // alone and may go, the target waiting for the unmerge's next call; after the release, neither waits.
      const source = await runtime.store.customers.getCustomer(ids.source);
      const finished = !source?.mergedInto && !(await marked(ids, 'unmergingFrom')).length;
      const noted = (await marked(ids, 'unmergingSources')).length > 0;
      const refused = finished ? (noted ? [ids.target] : []) : [ids.target, ids.source];
      for (const id of refused) {
        expect(await call('DELETE', `/api/customers/${id}`)).toMatchObject({
          status: 409,
          code: 'unmerge_in_progress',
        });
      }
      expect(await bothMarked(ids)).toEqual([]);
      expect((await runtime.store.merges.unmerge(ids.target, ids.source, AGENT, at(7))).complete).toBe(true);
      expect((await call('DELETE', `/api/customers/${ids.target}`)).status).toBe(200);
      expect((await call('GET', `/api/customers/${ids.source}`)).status).toBe(200);
    }
    expect(crashes).toBeGreaterThan(5);
  }, 120_000);

  it('never leaves both half done when an erasure crashes after its first write and an unmerge comes', async () => {
    const ids = await mergedPair('99');
    const faults = new DynamoFaults({ crashAfterWrite: 1 });
    const crashing = dynamoRepositories(
      documentClient(faults.attach(inspectionClient(runtime.dynamoEndpoint))),
      TABLE,
    );
    const privacy = privacyRepository(db(), crashing, { deletesPerCall: 1000 });
    const crashingPrivacy = privacyRepository(
      { doc: documentClient(faults.attach(inspectionClient(runtime.dynamoEndpoint))), table: TABLE },
      crashing,
    );
    await expect(crashingPrivacy.erase(ids.source, AGENT, at(6))).rejects.toMatchObject({
      cause: expect.any(SimulatedCrash),
    });
    expect(
      await call('POST', `/api/customers/${ids.target}/unmerge`, { customerId: ids.source }),
    ).toMatchObject({
      status: 409,
      code: 'erasure_in_progress',
    });
    expect(await bothMarked(ids)).toEqual([]);
    expect(await privacy.erase(ids.source, AGENT, at(7))).toMatchObject({ complete: true, customers: 2 });
  });
});
