import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, type GetCommandInput } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { encodeReplyKey } from '#shared/domain/reply-key.js';
import { Keys } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { timelineRepository } from '#shared/store/timeline-repository.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const repo = timelineRepository(db, { mergedPartitions: async (id) => [id] });

const SES_ID = '0100018c-aaaa-bbbb-cccc-000000000000-000000';
const AT = '2026-12-05T10:00:00.000Z';
const REPLY_SK = `TIMELINE#${AT}#reply:rp_1`;
const REF_PK = `MESSAGE#email#${SES_ID}`;
/** Where an erasure's marker of that reference is kept: under a hash of its key, never the id. */
const MARKER = Keys.erasedMessage('email', SES_ID);
const MARKER_READ = `${MARKER.pk}|${MARKER.sk}`;
/** Our reply as its timeline item is stored: no `customerId` (its partition says it), its SES id. */
const REPLY = {
  pk: 'CUSTOMER#cu_ida',
  sk: REPLY_SK,
  entity: 'timeline',
  type: 'message',
  direction: 'outbound',
  channel: 'email',
  conversationId: 'cv_ida_1',
  providerMessageId: SES_ID,
  status: 'sent',
};
const KEY = encodeReplyKey({ customerId: 'cu_ida', at: AT, replyId: 'rp_1' });

/** The table as GetItem answers it: items by `pk|sk`. */
function table(items: Array<Record<string, unknown>>): void {
  const byKey = new Map(items.map((item) => [`${item.pk}|${item.sk}`, item]));
  ddb.on(GetCommand).callsFake((input: GetCommandInput) => {
    const item = byKey.get(`${input.Key?.pk}|${input.Key?.sk}`);
    return item ? { Item: item } : {};
  });
}

/** The keys the lookup read, in order; every call it made was a GetItem (no query, no scan). */
function reads(): string[] {
  expect(ddb.calls().length).toBe(ddb.commandCalls(GetCommand).length);
  return ddb
    .commandCalls(GetCommand)
    .map((call) => `${call.args[0].input.Key?.pk}|${call.args[0].input.Key?.sk}`);
}

describe('sentMessage: the mail an SES bounce or complaint names', () => {
  beforeEach(() => {
    ddb.reset();
  });

  it("finds a configuration-set event's reply by its key: one read", async () => {
    table([REPLY]);
    const found = await repo.sentMessage({ channel: 'email', providerMessageId: SES_ID, replyKey: KEY });
    expect(found).toEqual({ customerId: 'cu_ida', conversationId: 'cv_ida_1' });
    expect(reads()).toEqual([`CUSTOMER#cu_ida|${REPLY_SK}`]);
  });

  it('takes a reply still held by its send (its SES id not recorded yet) by the key', async () => {
    const { providerMessageId: _id, ...leased } = REPLY;
    table([{ ...leased, status: 'queued', sendLeaseUntil: '2026-12-05T10:01:00.000Z' }]);
    const found = await repo.sentMessage({ channel: 'email', providerMessageId: SES_ID, replyKey: KEY });
    expect(found).toEqual({ customerId: 'cu_ida', conversationId: 'cv_ida_1' });
  });

  it("finds an identity notification's mail through the reference the sender linked: two reads", async () => {
    table([{ pk: REF_PK, sk: 'MESSAGE', customerId: 'cu_ida', timelineSk: REPLY_SK }, REPLY]);
    const found = await repo.sentMessage({ channel: 'email', providerMessageId: SES_ID });
    expect(found).toEqual({ customerId: 'cu_ida', conversationId: 'cv_ida_1' });
    expect(reads()).toEqual([`${REF_PK}|MESSAGE`, `CUSTOMER#cu_ida|${REPLY_SK}`]);
  });

  it('does not take a key whose item is another mail, and looks at the reference instead', async () => {
    table([{ ...REPLY, providerMessageId: 'another-ses-id' }]);
    expect(
      await repo.sentMessage({ channel: 'email', providerMessageId: SES_ID, replyKey: KEY }),
    ).toBeUndefined();
    expect(reads()).toEqual([`CUSTOMER#cu_ida|${REPLY_SK}`, `${REF_PK}|MESSAGE`, MARKER_READ]);
  });

  it("answers `erased` for an erasure's marker, kept under the reference's hash: two reads", async () => {
    expect(MARKER.pk).toMatch(/^ERASED#[0-9a-f]{64}$/);
    table([{ ...MARKER, entity: 'erased_message', erasedAt: AT, ttl: 1 }]);
    expect(await repo.sentMessage({ channel: 'email', providerMessageId: SES_ID })).toBe('erased');
    expect(reads()).toEqual([`${REF_PK}|MESSAGE`, MARKER_READ]);
  });

  it('answers `erased` for a marker an erasure before hashed markers left on the reference, in one read', async () => {
    table([{ pk: REF_PK, sk: 'MESSAGE', entity: 'erased_message', erasedAt: AT, ttl: 1 }]);
    expect(await repo.sentMessage({ channel: 'email', providerMessageId: SES_ID })).toBe('erased');
    expect(reads()).toEqual([`${REF_PK}|MESSAGE`]);
  });

  it("answers `erased` when a key's reply is gone and the marker holds its reference", async () => {
    table([{ pk: REF_PK, sk: 'MESSAGE', entity: 'erased_message', erasedAt: AT, ttl: 1 }]);
    expect(await repo.sentMessage({ channel: 'email', providerMessageId: SES_ID, replyKey: KEY })).toBe(
      'erased',
    );
    expect(reads()).toHaveLength(2);
  });

  it('finds nothing for a mail we did not send, or a reference to mail we received', async () => {
    table([]);
    expect(await repo.sentMessage({ channel: 'email', providerMessageId: SES_ID })).toBeUndefined();
    expect(reads()).toEqual([`${REF_PK}|MESSAGE`, MARKER_READ]);
    ddb.reset();
    const inbound = { ...REPLY, sk: `TIMELINE#${AT}#email:${SES_ID}`, direction: 'inbound' };
    table([{ pk: REF_PK, sk: 'MESSAGE', customerId: 'cu_ida', timelineSk: inbound.sk }, inbound]);
    expect(await repo.sentMessage({ channel: 'email', providerMessageId: SES_ID })).toBeUndefined();
  });
});
