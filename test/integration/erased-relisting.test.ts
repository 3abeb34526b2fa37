import type { ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { receiveEnvelope } from '#shared/app/receive-envelope.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { unauthenticatedCustomerId } from '#shared/domain/resolution.js';
import { indexCustomers } from '#shared/store/customer-list-backfill.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { DynamoGate, type GatedCall } from '../support/dynamo-gate.js';
import { useLocalStore } from '../support/local-store.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { inboundText } from '../unit/fakes/envelopes.js';

const TABLE = 'erased-relisting';
const AGENT = 'ag_admin';
const at = (minute: number) => new Date(Date.UTC(2026, 11, 6, 5, minute)).toISOString();

/**
 * An erased customer is not listed again (the list's keys, gsi3pk/gsi3sk, on their profile item): not by
 * a redelivery of their unauthenticated mail (its customer is its own, so the resolver finds no profile,
 * only the tombstone), nor by `index-customers` running as the erasure ran (it read the profile before
 * the erasure began and writes after the erasure replaced it: its update is conditional on a customer's
 * profile not being erased), nor for a customer whose erasure is under way.
 */
describe('no list entry for an erased customer', () => {
  const local = useLocalStore(TABLE);
  const listed = async (customerId: string) =>
    (await scanTable(local.dynamo.client, TABLE)).some(
      (item) => item.pk === `CUSTOMER#${customerId}` && item.gsi3pk !== undefined,
    );

  it('is not written by a redelivery of unauthenticated mail whose customer was erased', async () => {
    const mail: Envelope = inboundText({
      id: 'ses:msg:ses-spoof-erased',
      provider: 'ses',
      channel: 'email',
      providerMessageId: 'ses-spoof-erased',
      customer: { kind: 'email', value: 'rae@example.com' },
      occurredAt: at(1),
      text: 'Please send the refund to my new account',
      data: { authenticated: false },
    });
    const deps = {
      store: local.store,
      clock: { now: () => new Date(at(2)) },
      ids: { customerId: () => 'cu_x' },
    };
    const first = await receiveEnvelope(deps, mail);
    const customerId = unauthenticatedCustomerId(mail);
    expect(first.customerId).toBe(customerId);
    expect(await listed(customerId)).toBe(true);
    expect((await local.repos.privacy.erase(customerId, AGENT, at(3))).complete).toBe(true);
    expect(await listed(customerId)).toBe(false);

    const again = await receiveEnvelope(deps, mail);
    expect(again.written).toBe(false);
    expect(await listed(customerId)).toBe(false);
    const left = (await scanTable(local.dynamo.client, TABLE)).filter(
      (i) => i.pk === `CUSTOMER#${customerId}`,
    );
    expect(left.map((item) => item.entity)).toEqual(['erased_customer']);
  });

  /** A customer first seen before the list: a profile and no entry. */
  const firstSeenBefore = (customerId: string, phone: string) =>
    local.repos.customers.touchProfile({
      customerId,
      identities: [{ kind: 'phone', value: phone }],
      channel: 'sms',
      at: at(5),
      now: at(5),
      conversationId: `cv_${customerId}`,
      inbound: true,
    });
  const backfill = (gate: DynamoGate) => {
    const db = { doc: documentClient(gate.attach(inspectionClient(local.dynamo.endpoint))), table: TABLE };
    return (from?: string) =>
      indexCustomers(db, (input: ScanCommandInput) => db.doc.scan(input), { limit: 100, from });
  };
  const entryPut = (customerId: string) => (call: GatedCall) =>
    call.operation === 'UpdateItem' &&
    call.body.includes(`CUSTOMER#${customerId}`) &&
    call.body.includes('gsi3pk');

  it('is not left by index-customers putting it after the erasure deleted it', async () => {
    await firstSeenBefore('cu_backfill_race', '+16505550871');
    const gate = new DynamoGate();
    gate.hold(entryPut('cu_backfill_race'), 1);
    const run = backfill(gate)();
    await gate.arrived(1);
    expect((await local.repos.privacy.erase('cu_backfill_race', AGENT, at(6))).complete).toBe(true);
    gate.release(0);
    expect((await run).listed).toBe(0);
    expect(await listed('cu_backfill_race')).toBe(false);
  });

  it('does not list a customer whose erasure is under way', async () => {
    await firstSeenBefore('cu_backfill_erasing', '+16505550872');
    await documentClient(local.dynamo.client).update({
      TableName: TABLE,
      Key: { pk: 'CUSTOMER#cu_backfill_erasing', sk: 'PROFILE' },
      UpdateExpression: 'SET erasingSince = :at',
      ExpressionAttributeValues: { ':at': at(7) },
    });
    expect((await backfill(new DynamoGate())()).listed).toBe(0);
    expect(await listed('cu_backfill_erasing')).toBe(false);
  });
});
