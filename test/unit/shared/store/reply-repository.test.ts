import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { type OutboundMessage, OutboundMessageSchema } from '#shared/domain/outbound.js';
import { putReplyInput } from '#shared/store/params/replies.js';
import { replyRepository } from '#shared/store/reply-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const links = { linkOutbound: async () => false, linkThread: async () => {} };
const first: OutboundMessage = OutboundMessageSchema.parse({
  id: 'rp_1',
  customerId: 'cu_1',
  conversationId: 'cv_1',
  at: '2025-06-08T21:00:00.000Z',
  channel: 'whatsapp',
  to: { kind: 'phone', value: '+447700900123' },
  text: 'the first answer',
  author: { kind: 'ai', id: 'responder' },
});
const retry = { ...first, at: '2025-06-08T21:00:09.000Z', text: 'a second answer' };
const itemSk = 'TIMELINE#2025-06-08T21:00:00.000Z#reply:rp_1';

/** Every put finds the reply stored already, as `stored` was. */
function storedAlready(stored: OutboundMessage): void {
  ddb.reset();
  ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
  ddb
    .on(GetCommand, { Key: { pk: 'REPLY#rp_1', sk: 'REPLY' } })
    .resolves({ Item: putReplyInput('t', stored).Item });
}

describe('replyRepository.putReply', () => {
  beforeEach(() => storedAlready(first));

  it("answers a retried request with the first reply, its text read from the first reply's timeline item", async () => {
    ddb.on(GetCommand, { Key: { pk: 'CUSTOMER#cu_1', sk: itemSk } }).resolves({ Item: { text: first.text } });
    const out = await replyRepository(db, links).putReply(retry);
    expect(out).toEqual({ message: first, created: false });
  });

  it('keeps the request hash with the reply and answers the first one to a retry', async () => {
    expect(putReplyInput('t', first, 'h1').Item).toMatchObject({ requestHash: 'h1' });
    expect(putReplyInput('t', first).Item).not.toHaveProperty('requestHash');
    ddb
      .on(GetCommand, { Key: { pk: 'REPLY#rp_1', sk: 'REPLY' } })
      .resolves({ Item: putReplyInput('t', first, 'h1').Item });
    ddb.on(GetCommand, { Key: { pk: 'CUSTOMER#cu_1', sk: itemSk } }).resolves({ Item: { text: first.text } });
    const out = await replyRepository(db, links).putReply(retry, 'h2');
    expect(out).toEqual({ message: first, created: false, requestHash: 'h1' });
  });

  it("sends this request's text when the first never reached the timeline", async () => {
    ddb.on(GetCommand, { Key: { pk: 'CUSTOMER#cu_1', sk: itemSk } }).resolves({});
    const out = await replyRepository(db, links).putReply(retry);
    expect(out).toEqual({ message: { ...first, text: retry.text }, created: false });
  });
});

describe('replyRepository: a template reply found again', () => {
  const template = { name: 'order_update', language: 'en_US', parameters: ['Bob'] };
  const { text: _text, ...withoutText } = first;
  const templated: OutboundMessage = { ...withoutText, author: { kind: 'agent', id: 'ana' }, template };
  const line = 'Template order_update (en_US): Bob';
  beforeEach(() => {
    storedAlready(templated);
    ddb
      .on(GetCommand, { Key: { pk: 'CUSTOMER#cu_1', sk: itemSk } })
      .resolves({ Item: { at: first.at, text: line } });
  });

  it('never takes the line its timeline item shows for text to send beside the template', async () => {
    const put = await replyRepository(db, links).putReply(templated);
    expect(put.message).toEqual(templated);
    const placed = await replyRepository(db, links).placeReply(templated, undefined);
    expect(placed.message).toEqual(templated);
    expect(placed.message).not.toHaveProperty('text');
  });
});
