import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { addressToken } from '#shared/domain/identity.js';
import { type OutboundMessage, OutboundMessageSchema } from '#shared/domain/outbound.js';
import { Keys, replyTimelineKey } from '#shared/store/keys.js';
import { replyRepository } from '#shared/store/reply-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const links = { linkOutbound: async () => false, linkThread: async () => {} };
/** Written to Bo's number while Bo was merged into Ana (`cu_ana`), then given up on. */
const message: OutboundMessage = OutboundMessageSchema.parse({
  id: 'rp_1',
  customerId: 'cu_ana',
  conversationId: 'cv_ana',
  at: '2026-12-06T21:00:00.000Z',
  channel: 'whatsapp',
  to: { kind: 'phone', value: '+447700900622' },
  text: 'Bo, your parcel left the depot.',
  author: { kind: 'agent', id: 'ada' },
});
const now = new Date('2026-12-06T22:00:00.000Z');
const identityKey = Keys.identityByToken(addressToken(message.to));
const at = (customerId: string) => replyTimelineKey({ ...message, customerId });

/** The claim's write finds no reply where its message says (an unmerge moved it, or it is not there yet). */
function claimMisses(): void {
  ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no item', $metadata: {} }));
  ddb.on(GetCommand).resolves({});
}

describe('replyRepository.claimSend: a reply an unmerge moved', () => {
  beforeEach(() => {
    ddb.reset();
    claimMisses();
  });

  it('answers the customer its address is of now and their open conversation: three strong reads more', async () => {
    ddb
      .on(GetCommand, { Key: identityKey })
      .resolves({ Item: { customerId: 'cu_bo', unmergedFrom: 'cu_ana' } });
    ddb.on(GetCommand, { Key: at('cu_bo') }).resolves({ Item: { ...at('cu_bo'), movedFrom: 'cu_ana' } });
    ddb.on(GetCommand, { Key: Keys.customer('cu_bo') }).resolves({ Item: { openConversationId: 'cv_bo' } });
    const claimed = await replyRepository(db, links).claimSend(message, now, 60_000);
    expect(claimed).toEqual({ movedTo: 'cu_bo', conversationId: 'cv_bo' });
    const reads = ddb.commandCalls(GetCommand).map((call) => call.args[0].input);
    expect(reads.map((input) => input.Key)).toEqual([
      at('cu_ana'),
      identityKey,
      at('cu_bo'),
      Keys.customer('cu_bo'),
    ]);
    expect(reads.every((input) => input.ConsistentRead)).toBe(true);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
  });

  it('names no conversation when the customer given back has none open', async () => {
    ddb.on(GetCommand, { Key: identityKey }).resolves({ Item: { customerId: 'cu_bo' } });
    ddb.on(GetCommand, { Key: at('cu_bo') }).resolves({ Item: { ...at('cu_bo'), movedFrom: 'cu_ana' } });
    ddb.on(GetCommand, { Key: Keys.customer('cu_bo') }).resolves({ Item: { id: 'cu_bo' } });
    expect(await replyRepository(db, links).claimSend(message, now, 60_000)).toEqual({ movedTo: 'cu_bo' });
  });

  it('is not there yet (retried) when its address is still its customer’s, or nothing moved from them', async () => {
    ddb.on(GetCommand, { Key: identityKey }).resolves({ Item: { customerId: 'cu_ana' } });
    await expect(replyRepository(db, links).claimSend(message, now, 60_000)).rejects.toThrow(
      /not on the timeline yet/,
    );
    expect(ddb.commandCalls(GetCommand)).toHaveLength(2);

    ddb.reset();
    claimMisses();
    ddb.on(GetCommand, { Key: identityKey }).resolves({ Item: { customerId: 'cu_bo' } });
    ddb.on(GetCommand, { Key: at('cu_bo') }).resolves({ Item: { ...at('cu_bo'), movedFrom: 'cu_cy' } });
    await expect(replyRepository(db, links).claimSend(message, now, 60_000)).rejects.toThrow(
      /not on the timeline yet/,
    );
    expect(ddb.commandCalls(GetCommand)).toHaveLength(3);
  });
});
