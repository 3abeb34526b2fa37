import { describe, expect, it } from 'vitest';
import { Keys } from '#shared/store/keys.js';
import { putTombstoneInput } from '#shared/store/params/privacy.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { useLocalStore } from '../support/local-store.js';
import { scanTable } from '../support/table-snapshot.js';

const TABLE = 'erasure-sweep';
const AT = '2026-12-06T05:10:00.000Z';

/**
 * The erasure's second pass over what a message begun before the erasure wrote after its steps: the
 * timeline item with its reference, the conversation it opened (whose membership was not written yet),
 * the name's words and a list entry. What the message's retry moved to the new customer (the
 * reference, now theirs) stays; a customer not erased, or still being erased, is left as it is.
 */
describe("the erasure's second pass", () => {
  const local = useLocalStore(TABLE);
  const put = (item: Record<string, unknown>) =>
    documentClient(local.dynamo.client).put({ TableName: TABLE, Item: item });
  const naming = async (id: string) =>
    (await scanTable(local.dynamo.client, TABLE)).filter((item) => JSON.stringify(item).includes(id));

  const orphans = async (id: string, conversationId: string, reference: string, referenceOwner: string) => {
    await put({
      ...Keys.timelineItem(id, AT, `whatsapp:${reference}`),
      entity: 'timeline',
      id: `whatsapp:${reference}`,
      type: 'message',
      channel: 'whatsapp',
      providerMessageId: reference,
      customerId: id,
      conversationId,
      text: 'Sent as the erasure ran',
    });
    await put({
      ...Keys.messageRef('whatsapp', reference),
      entity: 'message_ref',
      customerId: referenceOwner,
    });
    await put({
      ...Keys.conversation(conversationId),
      entity: 'conversation',
      id: conversationId,
      customerId: id,
    });
    await put({ pk: `CUSTOMER#${id}`, sk: 'NAMEWORD#1', entity: 'name_word', gsi1sk: `rae#${id}` });
    await put({ pk: `CUSTOMER#${id}`, sk: 'LISTED', entity: 'customer_listed' });
  };

  it('deletes what landed under the erased id, and keeps the reference the new customer took', async () => {
    await put(putTombstoneInput(TABLE, 'cu_swept', { erasedAt: AT, erasedBy: 'ag_admin' }).Item ?? {});
    await orphans('cu_swept', 'cv_opened_late', 'wamid.SWEPT1', 'cu_swept');
    await orphans('cu_swept', 'cv_opened_late', 'wamid.SWEPT2', 'cu_new');
    expect(await local.repos.privacy.sweepErased('cu_swept', AT)).toBe('swept');
    expect((await naming('cu_swept')).map((item) => item.entity)).toEqual(['erased_customer']);
    expect(await naming('cv_opened_late')).toEqual([]);
    const refs = (await scanTable(local.dynamo.client, TABLE)).filter(
      (item) => item.entity === 'message_ref',
    );
    expect(refs.map((item) => item.customerId)).toEqual(['cu_new']);
    // Again: nothing more to do, nothing refused.
    expect(await local.repos.privacy.sweepErased('cu_swept', AT)).toBe('swept');
  });

  it('leaves a customer not erased, or still being erased, as it is', async () => {
    await put({ ...Keys.customer('cu_live'), entity: 'customer', id: 'cu_live' });
    await orphans('cu_live', 'cv_live', 'wamid.LIVE', 'cu_live');
    await put({ ...Keys.customer('cu_erasing'), entity: 'customer', id: 'cu_erasing', erasingSince: AT });
    const before = await scanTable(local.dynamo.client, TABLE);
    expect(await local.repos.privacy.sweepErased('cu_live', AT)).toBe('none');
    expect(await local.repos.privacy.sweepErased('cu_erasing', AT)).toBe('erasing');
    expect(await local.repos.privacy.sweepErased('cu_nobody', AT)).toBe('none');
    expect(await scanTable(local.dynamo.client, TABLE)).toEqual(before);
  });
});
