import { describe, expect, it } from 'vitest';
import { EnvelopeSchema, type StatusEnvelope } from '#shared/domain/envelope.js';
import { OutboundMessageSchema } from '#shared/domain/outbound.js';
import { replyItem } from '#shared/domain/replies.js';
import { Keys, replyTimelineKey } from '#shared/store/keys.js';
import { getInput } from '#shared/store/params/common.js';
import { PARKED_STATUS_TTL_SECONDS } from '#shared/store/params/parked-status.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { useLocalStore } from '../support/local-store.js';

const TABLE = 'parked-status';
const SES_ID = '0102018e-parked-000000';
const RECEIVED = '2026-12-05T10:00:03.000Z';
const DIAGNOSTIC = 'smtp; 550 5.1.1 <ada@example.com>... User unknown';

/** SES's `failed` status of our mail `SES_ID` (a permanent bounce), with its diagnostic. */
const bounced = (): StatusEnvelope =>
  EnvelopeSchema.parse({
    id: `ses:status:${SES_ID}:failed:ada@example.com`,
    provider: 'ses',
    channel: 'email',
    occurredAt: '2026-12-05T10:00:02.000Z',
    receivedAt: RECEIVED,
    rawRef: 'local:ses/1',
    kind: 'status',
    providerMessageId: SES_ID,
    status: 'failed',
    customer: { kind: 'email', value: 'ada@example.com' },
    errors: [{ code: 'bounce:Permanent:General', title: 'Permanent bounce (General)', message: DIAGNOSTIC }],
  }) as StatusEnvelope;

/**
 * A status that overtakes the record of its send waits on the mail's reference. Parked, it keeps SES's
 * code without the diagnostic (which quotes the address) and expires after 14 days; the send's record
 * then brings it to the reply and takes the expiry off, so the reference stays for later statuses.
 * Only the parked path pays: one write more to park, one more to unpark.
 */
describe('a status parked before its message', () => {
  const local = useLocalStore(TABLE);
  const get = async (key: { pk: string; sk: string }) =>
    (await documentClient(local.dynamo.client).get(getInput(TABLE, key, true))).Item;

  it('expires unless its message comes, and reaches the message when it does', async () => {
    const calls: RecordedCall[] = recordCalls(local.dynamo.client);
    await local.repos.timeline.advanceStatus(bounced());
    // The status, the read of an erasure's marker (kept apart, under a hash of the reference: none
    // here), and the parking: on this path only, once.
    expect(calls.map((c) => c.command)).toEqual(['UpdateItem', 'GetItem', 'UpdateItem']);
    expect(calls[1]?.pk).toBe(Keys.erasedMessage('email', SES_ID).pk);
    const ref = Keys.messageRef('email', SES_ID);
    expect(await get(ref)).toMatchObject({
      status: 'failed',
      errors: [{ code: 'bounce:Permanent:General', title: 'Permanent bounce (General)' }],
      ttl: Date.parse(RECEIVED) / 1000 + PARKED_STATUS_TTL_SECONDS,
    });
    expect(JSON.stringify(await get(ref))).not.toContain('ada@example.com');

    // SES delivers the notification again: the reference is parked already, nothing more is written.
    calls.length = 0;
    await local.repos.timeline.advanceStatus(bounced());
    expect(calls.map((c) => `${c.command}${c.failed ? ' (condition failed)' : ''}`)).toEqual([
      'UpdateItem (condition failed)',
      'GetItem',
    ]);

    const message = OutboundMessageSchema.parse({
      id: 'rp_parked',
      customerId: 'cu_parked',
      conversationId: 'cv_parked',
      at: '2026-12-05T10:00:00.000Z',
      channel: 'email',
      to: { kind: 'email', value: 'ada@example.com' },
      text: 'Your parcel left today.',
      author: { kind: 'agent', id: 'agent-1' },
    });
    await local.repos.timeline.putTimelineItem(replyItem(message), undefined);
    expect(await local.repos.replies.claimSend(message, new Date(message.at), 30_000)).toBe('claimed');
    expect(await local.repos.replies.recordSent(message, { providerMessageId: SES_ID }, message.at)).toBe(
      true,
    );
    expect(await get(replyTimelineKey(message))).toMatchObject({
      status: 'failed',
      errors: [{ code: 'bounce:Permanent:General' }],
    });
    const linked = await get(ref);
    expect(linked).toMatchObject({ customerId: 'cu_parked', status: 'failed' });
    expect(linked).not.toHaveProperty('ttl');
  });
});
