import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { lastInbound } from '#shared/store/last-inbound.js';
import { LAST_INBOUND_LOOKBACK } from '#shared/store/params/timeline.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'eu-west-1' })), table: 'threadline' };
const PK = 'CUSTOMER#cu_1';
const FORM = 'noreply@forms.example';

type Stored = Record<string, unknown>;

/** A timeline item of customer cu_1, the `n`th newest (0: the newest), in conversation cv_1. */
function item(n: number, fields: Stored): Stored {
  const at = new Date(Date.parse('2026-12-06T12:00:00.000Z') - n * 1000).toISOString();
  return { pk: PK, sk: `TIMELINE#${at}#item-${n}`, at, conversationId: 'cv_1', ...fields };
}
const mail = (n: number, data: Stored = {}, from = 'pat@example.org') =>
  item(n, {
    type: 'message',
    direction: 'inbound',
    channel: 'email',
    contentType: 'text',
    text: 'Hello',
    from: { kind: 'email', value: from },
    data: { subject: `Mail ${n}`, ...data },
  });
const reply = (n: number) =>
  item(n, { type: 'message', direction: 'outbound', channel: 'email', contentType: 'text', text: 'Hi' });

/**
 * Answers queries as DynamoDB does: newest first from after the start key, `Limit` items evaluated,
 * the filter (channel, direction, conversation) applied to those, `ScannedCount` what was evaluated.
 */
function serve(timeline: Stored[]) {
  ddb.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    const values = input.ExpressionAttributeValues ?? {};
    const after = input.ExclusiveStartKey?.sk;
    const from = after === undefined ? 0 : timeline.findIndex((i) => i.sk === after) + 1;
    const evaluated = timeline.slice(from, from + (input.Limit ?? timeline.length));
    const last = evaluated.at(-1);
    const more = from + evaluated.length < timeline.length;
    return {
      Items: evaluated.filter(
        (i) =>
          i.channel === values[':channel'] &&
          i.direction === values[':inbound'] &&
          (values[':conversation'] === undefined || i.conversationId === values[':conversation']),
      ),
      ScannedCount: evaluated.length,
      ...(more && last ? { LastEvaluatedKey: { pk: PK, sk: last.sk } } : {}),
    };
  });
}
const limits = () => ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.Limit);

beforeEach(() => ddb.reset());

describe('lastInbound: the newest end of the timeline, read until the answer is known', () => {
  it('reads one page of 10 when the latest email is in it, however long the history', async () => {
    serve([
      reply(0),
      mail(1),
      ...Array.from({ length: 400 }, (_, n) => (n % 2 ? mail(n + 2) : reply(n + 2))),
    ]);
    const found = await lastInbound(db, 'cu_1', 'email', 'cv_1');
    expect(found?.id).toBe('item-1');
    expect(limits()).toEqual([10]);
  });

  it('passes automatic, list and quarantined mail over to the customer’s own, a page further back', async () => {
    const automatic = [{ autoReply: true }, { listMail: true }, { quarantined: true }];
    serve([
      ...Array.from({ length: 12 }, (_, n) => mail(n, automatic[n % 3], 'assistant@example.org')),
      mail(12),
      reply(13),
    ]);
    const found = await lastInbound(db, 'cu_1', 'email');
    expect(found?.id).toBe('item-12');
    expect(found?.from).toEqual({ kind: 'email', value: 'pat@example.org' });
    expect(limits()).toEqual([10, 30]);
  });

  it('reads on for a thread subject when the latest email has none, and stops at the first', async () => {
    serve([
      mail(0, { subject: undefined }),
      ...Array.from({ length: 40 }, (_, n) => reply(n + 1)),
      mail(41, { subject: 'Refund for order 1' }),
      mail(42, { subject: 'Older' }),
      ...Array.from({ length: 100 }, (_, n) => reply(n + 43)),
    ]);
    const found = await lastInbound(db, 'cu_1', 'email', 'cv_1');
    expect(found?.data?.threadSubject).toBe('Refund for order 1');
    expect(limits()).toEqual([10, 30, 60]);
  });

  it('reads on for another Reply-To of a form as far as the lookback, never beyond it', async () => {
    const form = (n: number, replyTo: string) => mail(n, { replyToAddresses: [replyTo] }, FORM);
    serve([
      form(0, 'alice@visitor.example'),
      ...Array.from({ length: 50 }, (_, n) => reply(n + 1)),
      form(51, 'bob@visitor.example'),
      ...Array.from({ length: 48 }, (_, n) => reply(n + 52)),
      form(100, 'carol@visitor.example'),
    ]);
    const found = await lastInbound(db, 'cu_1', 'email', 'cv_1');
    expect(found?.data?.otherReplyTo).toEqual(['bob@visitor.example']);
    expect(limits()).toEqual([10, 30, 60]);
    expect(limits().reduce((a, b) => (a ?? 0) + (b ?? 0), 0)).toBe(LAST_INBOUND_LOOKBACK);
  });

  it('stops the Reply-To look at the page that holds another address of the sender', async () => {
    const form = (n: number, replyTo: string) => mail(n, { replyToAddresses: [replyTo] }, FORM);
    serve([
      form(0, 'alice@visitor.example'),
      ...Array.from({ length: 15 }, (_, n) => reply(n + 1)),
      form(16, 'bob@visitor.example'),
      ...Array.from({ length: 60 }, (_, n) => reply(n + 17)),
      form(77, 'carol@visitor.example'),
    ]);
    const found = await lastInbound(db, 'cu_1', 'email', 'cv_1');
    expect(found?.data?.otherReplyTo).toEqual(['bob@visitor.example']);
    expect(limits()).toEqual([10, 30]);
  });

  it('reads the whole lookback for a sender who named no other Reply-To (the one way to know)', async () => {
    serve([
      mail(0, { replyToAddresses: ['pat@home.example'] }),
      ...Array.from({ length: 200 }, (_, n) =>
        n % 2 ? reply(n + 1) : mail(n + 1, { replyToAddresses: ['pat@home.example'] }),
      ),
    ]);
    const found = await lastInbound(db, 'cu_1', 'email', 'cv_1');
    expect(found?.id).toBe('item-0');
    expect(found?.data?.otherReplyTo).toBeUndefined();
    expect(limits()).toEqual([10, 30, 60]);
  });

  it('names up to three other addresses of the page that settles it', async () => {
    const form = (n: number, replyTo: string) => mail(n, { replyToAddresses: [replyTo] }, FORM);
    serve([
      form(0, 'alice@visitor.example'),
      form(1, 'bob@visitor.example'),
      form(2, 'carol@visitor.example'),
      form(3, 'dan@visitor.example'),
      ...Array.from({ length: 200 }, (_, n) => reply(n + 4)),
    ]);
    const found = await lastInbound(db, 'cu_1', 'email', 'cv_1');
    expect(found?.data?.otherReplyTo).toEqual([
      'bob@visitor.example',
      'carol@visitor.example',
      'dan@visitor.example',
    ]);
    expect(limits()).toEqual([10]);
  });

  it('finds nothing in a history of replies after 100 items read', async () => {
    serve(Array.from({ length: 300 }, (_, n) => reply(n)));
    expect(await lastInbound(db, 'cu_1', 'email')).toBeUndefined();
    expect(limits()).toEqual([10, 30, 60]);
  });

  it('answers a web-chat message from the first page it is in', async () => {
    const chat = (n: number) =>
      item(n, {
        type: 'message',
        direction: 'inbound',
        channel: 'webchat',
        contentType: 'text',
        text: 'Hi',
        from: { kind: 'webchat_visitor', value: 'v_1' },
      });
    serve([chat(0), chat(1), ...Array.from({ length: 50 }, (_, n) => reply(n + 2))]);
    expect((await lastInbound(db, 'cu_1', 'webchat'))?.id).toBe('item-0');
    expect(limits()).toEqual([10]);
  });
});
