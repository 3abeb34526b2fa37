import { describe, expect, it, vi } from 'vitest';
import { Keys } from '#shared/store/keys.js';
import { putTombstoneInput } from '#shared/store/params/privacy.js';
import { privacyRepository } from '#shared/store/privacy-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { useLocalStore } from '../support/local-store.js';
import { scanTable } from '../support/table-snapshot.js';

const TABLE = 'erasure-sweep';
const AT = '2026-12-06T05:10:00.000Z';

const local = useLocalStore(TABLE);
const put = (item: Record<string, unknown>) =>
  documentClient(local.dynamo.client).put({ TableName: TABLE, Item: item });
const naming = async (id: string) =>
  (await scanTable(local.dynamo.client, TABLE)).filter((item) => JSON.stringify(item).includes(id));

/**
 * The erasure's second pass over what a message begun before the erasure wrote after its steps: the
 * timeline item with its reference, the conversation it opened (whose membership was not written yet),
 * the name's words and a list entry. What the message's retry moved to the new customer (the
 * reference, now theirs) stays; a customer not erased, or still being erased, is left as it is.
 */
describe("the erasure's second pass", () => {
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

/**
 * The erasure's two passes run one list of steps: what one finds under a customer's partition, the
 * other finds too. Before, the second pass had its own list, which had none of the first's thread-link
 * notes, deletion marks, followers' connections or exports; and the first pass left a conversation
 * only a timeline item named (opened by a message under way, before its membership was written).
 */
describe("the erasure's two passes", () => {
  const privacy = (removeAllOf: (customerId: string) => Promise<number>) =>
    privacyRepository(
      { doc: documentClient(local.dynamo.client), table: TABLE },
      { ...local.repos, exports: { removeAllOf } },
    );

  it('the second pass finds under the erased id what the first pass would: every step of it', async () => {
    await put(putTombstoneInput(TABLE, 'cu_late', { erasedAt: AT, erasedBy: 'ag_admin' }).Item ?? {});
    // A deletion that read the profile before the erasure marked a reference of a message not come yet.
    await put({ ...Keys.messageRef('whatsapp', 'wamid.LATE'), entity: 'message_ref', deletedBy: 'cu_late' });
    await put({
      ...Keys.deletionNote('cu_late', 'whatsapp', 'wamid.LATE'),
      entity: 'deletion_note',
      channel: 'whatsapp',
      providerMessageId: 'wamid.LATE',
    });
    // The upgrade's note of an old reply's thread link, noted as the erasure passed it.
    await put({
      ...Keys.messageRef('email', '<old@support.example>'),
      customerId: 'cu_late',
      conversationId: 'cv_old',
    });
    await put({
      ...Keys.threadNote('cu_late', 'email', '<old@support.example>'),
      entity: 'thread_note',
      channel: 'email',
      threadId: '<old@support.example>',
    });
    // A visitor's socket that began to follow them as the erasure ran.
    const follower = Keys.webchatFollower('cu_late', 'conn-late');
    await put({ ...follower, connectionId: 'conn-late' });
    await put({ ...Keys.webchatConnection('conn-late'), followed: new Set([JSON.stringify(follower)]) });
    const removeAllOf = vi.fn(async () => 0);

    expect(await privacy(removeAllOf).sweepErased('cu_late', AT)).toBe('swept');
    expect((await naming('cu_late')).map((item) => item.entity)).toEqual(['erased_customer']);
    expect(await naming('wamid.LATE')).toEqual([]);
    expect(await naming('<old@support.example>')).toEqual([]);
    expect(await naming('conn-late')).toEqual([]);
    // An export written aside as the erasure ran (it read the profile before): deleted too.
    expect(removeAllOf.mock.calls).toEqual([['cu_late']]);
  });

  it('the first pass deletes a conversation only a timeline item names, as the second does, if it is theirs', async () => {
    await put({
      ...Keys.customer('cu_open'),
      entity: 'customer',
      id: 'cu_open',
      createdAt: AT,
      updatedAt: AT,
    });
    const note = (id: string, conversationId: string) =>
      put({
        ...Keys.timelineItem('cu_open', AT, id),
        entity: 'timeline',
        id,
        type: 'note',
        customerId: 'cu_open',
        conversationId,
        text: 'Written as the erasure began',
      });
    const conversation = (id: string, customerId: string) =>
      put({ ...Keys.conversation(id), entity: 'conversation', id, customerId });
    await note('note:n1', 'cv_unlisted');
    await conversation('cv_unlisted', 'cu_open');
    // An item an unmerge gave back names the conversation of the customer it was merged into: theirs.
    await note('note:n2', 'cv_target');
    await conversation('cv_target', 'cu_target');
    const report = await privacy(async () => 0).erase('cu_open', 'ag_admin', AT);
    expect(report).toMatchObject({ complete: true, timelineItems: 2, conversations: 1 });
    expect((await naming('cu_open')).map((item) => item.entity)).toEqual(['erased_customer']);
    expect(await naming('cv_unlisted')).toEqual([]);
    expect((await naming('cv_target')).map((item) => item.customerId)).toEqual(['cu_target']);
  });
});
