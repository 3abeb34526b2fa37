import { GetItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiveEnvelope } from '#shared/app/receive-envelope.js';
import type { Envelope } from '#shared/domain/envelope.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { type LocalDynamo, startLocalDynamo } from '#shared/local/dynamo.js';
import { dynamoRepositories, storePorts } from '#shared/store/dynamo-repositories.js';
import { randomIds } from '#shared/store/ids.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { envelope } from '../unit/fakes/envelopes.js';

/**
 * "Every read complete" and "no item grows with the messages", against the real DynamoDB API
 * (dynalite): a query stops at 1 MB, and an item may not pass 400 KB.
 */

const TABLE = 'threadline-growth';
const clock = { now: () => new Date('2025-06-11T00:00:00.000Z') };

let dynamo: LocalDynamo;
let repos: ReturnType<typeof dynamoRepositories>;
let store: ReturnType<typeof storePorts>;

beforeAll(async () => {
  dynamo = await startLocalDynamo({ tableName: TABLE });
  repos = dynamoRepositories(documentClient(dynamo.client), TABLE);
  store = storePorts(repos);
});
afterAll(async () => {
  await dynamo.close();
});

const receive = (e: Envelope) => receiveEnvelope({ store, clock, ids: randomIds }, e);
const at = (i: number) => new Date(Date.UTC(2025, 5, 10, 9, 0, i)).toISOString();

function mail(i: number, from: string, options: { text?: string; raw?: unknown } = {}): Envelope {
  return envelope({
    id: `ses:msg:${from}-${i}`,
    provider: 'ses',
    channel: 'email',
    kind: 'message',
    direction: 'inbound',
    providerMessageId: `${from}-${i}`,
    occurredAt: at(i),
    receivedAt: at(i),
    rawRef: `ses:${from}-${i}#/`,
    customer: { kind: 'email', value: from },
    contentType: 'text',
    text: options.text ?? `Mail number ${i}`,
    ...(options.raw === undefined ? {} : { raw: options.raw }),
  });
}

async function customerOf(address: string): Promise<string> {
  const id = await store.findCustomerId({ kind: 'email', value: address }, { consistent: true });
  if (!id) throw new Error(`no customer for ${address}`);
  return id;
}

async function wholeTimeline(customerId: string, limit: number) {
  const pages: Array<{ size: number; cursor: string | null }> = [];
  const items: TimelineItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await repos.timeline.timeline(customerId, { limit, cursor });
    pages.push({ size: page.items.length, cursor: page.cursor });
    items.push(...page.items);
    cursor = page.cursor ?? undefined;
  } while (cursor && pages.length < 100);
  return { pages, items };
}

describe('a heavy customer (dynalite)', () => {
  const mime = (i: number) => ({ mime: `${i}:${'x'.repeat(130_000)}` });
  // Each test here can run alone (vitest -t): the mails are received once for the describe.
  beforeAll(async () => {
    for (let i = 0; i < 30; i++) await receive(mail(i, 'heavy@example.com', { raw: mime(i) }));
  });

  it('reads all 30 emails of ~130 KB through the pages, none lost, a cursor while more remain', async () => {
    const customerId = await customerOf('heavy@example.com');

    const first = await repos.timeline.timeline(customerId, { limit: 200 });
    expect(first.items.filter((item) => item.type === 'message')).toHaveLength(30);
    expect(first.cursor).toBeNull();

    const paged = await wholeTimeline(customerId, 7);
    expect(paged.pages.map((p) => p.size)).toEqual([7, 7, 7, 7, 2]);
    expect(paged.pages.slice(0, -1).every((p) => p.cursor !== null)).toBe(true);
    expect(paged.items.map((item) => item.providerMessageId)).toEqual(
      Array.from({ length: 30 }, (_, i) => `heavy@example.com-${i}`),
    );

    // The raw payloads are kept, beside the timeline rather than on it.
    const raws = await repos.timeline.rawPayloads(customerId);
    expect(raws).toHaveLength(30);
    expect(JSON.parse(raws[0]?.raw ?? '{}')).toEqual(mime(0));
  });

  it('erases the raw payloads kept aside with the rest', async () => {
    const customerId = await customerOf('heavy@example.com');
    const report = await repos.privacy.erase(customerId, 'ag_admin', '2025-06-12T00:00:00.000Z');
    expect(report.timelineItems).toBe(30);
    const left = await dynamo.client.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `CUSTOMER#${customerId}` } },
      }),
    );
    expect(left.Items?.map((item) => item.sk?.S)).toEqual(['PROFILE']);
  });

  it('pages on past the 1 MB a query reads at once when the items themselves are large', async () => {
    const body = (i: number) => `${i} ${'long letter '.repeat(10_000)}`;
    for (let i = 0; i < 30; i++) await receive(mail(i, 'long@example.com', { text: body(i) }));
    const customerId = await customerOf('long@example.com');

    const first = await repos.timeline.timeline(customerId, { limit: 200 });
    expect(first.items.filter((item) => item.type === 'message')).toHaveLength(30);
    expect(first.cursor).toBeNull();
    const paged = await wholeTimeline(customerId, 12);
    expect(paged.pages.map((p) => [p.size, p.cursor !== null])).toEqual([
      [12, true],
      [12, true],
      [6, false],
    ]);
    expect(paged.items.map((item) => item.text)).toEqual(Array.from({ length: 30 }, (_, i) => body(i)));
  });
});

describe('a customer whose signature names a number they do not own (dynalite)', () => {
  const phone = { kind: 'phone', value: '+14155550199' } as const;
  const evidence = (i: number) => ({
    id: `ses:msg:sig-${i}#phone#+14155550199`,
    identity: phone,
    reason: 'mentioned' as const,
    at: at(i % 3600),
    envelopeId: `ses:msg:sig-${i}`,
  });
  const size = async (key: { pk: string; sk: string }) => {
    const out = await dynamo.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: key.pk }, sk: { S: key.sk } } }),
    );
    return JSON.stringify(out.Item ?? {}).length;
  };
  const mentionKey = { pk: 'MENTION#phone#+14155550199', sk: 'CUSTOMER#cu_sig' };
  const suggestionKey = { pk: 'CUSTOMER#cu_sig', sk: 'SUGGESTION#cu_owner' };

  // 20 pieces of evidence are kept: 100 messages are well past that, and 400 four times as many again;
  // evidence kept without a bound would add ~150 bytes a message, against the 8 allowed for the count.
  it('records 400 messages naming the same number, and no item grows with them', async () => {
    const sizes: number[] = [];
    for (let i = 0; i < 400; i++) {
      await store.putMention(phone, 'cu_sig', evidence(i));
      await store.putSuggestion('cu_sig', 'cu_owner', evidence(i), '2025-06-10T09:00:00.000Z');
      if (i === 99 || i === 399) sizes.push(await size(mentionKey), await size(suggestionKey));
    }
    // Items as large after 400 messages as after 100 (but for the count's digits): bounded.
    const [mention100 = 0, suggestion100 = 0, mention400 = 0, suggestion400 = 0] = sizes;
    expect(mention400).toBeLessThanOrEqual(mention100 + 8);
    expect(suggestion400).toBeLessThanOrEqual(suggestion100 + 8);
    expect(Math.max(...sizes)).toBeLessThan(10_000);
    const [suggestion] = await repos.suggestions.suggestionsOn('cu_sig');
    expect(suggestion?.evidence).toHaveLength(20);
    expect(suggestion?.moreEvidence).toBe(380);
    const mentions = await store.mentionsOf(phone);
    expect(mentions).toHaveLength(20);
    // A redelivery of evidence that is kept adds nothing.
    await store.putMention(phone, 'cu_sig', evidence(0));
    expect(await store.mentionsOf(phone)).toEqual(mentions);
  }, 120_000);
});

describe('a customer who names a new number in every message (dynalite)', () => {
  it('remembers at most 100 mentioned identities on the profile, each with its mention item', async () => {
    const number = (i: number) => `+1415555${String(1000 + i).padStart(4, '0')}`;
    for (let i = 0; i < 130; i++) {
      await receive(mail(i, 'namer@example.com', { text: `Call my colleague on ${number(i)}` }));
    }
    const customerId = await customerOf('namer@example.com');
    const out = await dynamo.client.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: { pk: { S: `CUSTOMER#${customerId}` }, sk: { S: 'PROFILE' } },
      }),
    );
    const mentioned = out.Item?.mentioned?.SS ?? [];
    expect(mentioned).toHaveLength(100);
    // Every identity on the profile has its mention item, and no other does: an erasure finds them all.
    const withItem = await Promise.all(
      Array.from({ length: 130 }, async (_, i) => {
        const found = await store.mentionsOf({ kind: 'phone', value: number(i) });
        return found.some((m) => m.customerId === customerId) ? `phone#${number(i)}` : undefined;
      }),
    );
    expect(withItem.filter(Boolean).sort()).toEqual([...mentioned].sort());
  }, 60_000);
});

describe('a customer with a hundred conversations (dynalite)', () => {
  const profileSize = async (customerId: string) => {
    const out = await dynamo.client.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: { pk: { S: `CUSTOMER#${customerId}` }, sk: { S: 'PROFILE' } },
      }),
    );
    return JSON.stringify(out.Item ?? {}).length;
  };
  const conversation = (i: number) => `cv_many_${String(i).padStart(4, '0')}`;
  const touch = async (customerId: string, i: number) => {
    const common = { customerId, channel: 'sms' as const, at: at(i), now: at(i), inbound: true };
    await store.touchConversation({ ...common, conversationId: conversation(i), reopen: false });
    await store.touchProfile({
      ...common,
      conversationId: conversation(i),
      identities: [],
      newConversation: true,
    });
  };

  // A profile listing its conversations would grow by an id (~20 bytes) with each: 90 more show it as
  // plainly as 290 did.
  it('keeps the profile the same size from the 10th conversation to the 100th, and export and erase find all', async () => {
    const sizes: number[] = [];
    for (let i = 0; i < 100; i++) {
      await touch('cu_many', i);
      if (i === 9 || i === 99) sizes.push(await profileSize('cu_many'));
    }
    // Only the open conversation's id and the times change; same lengths, same size.
    expect(sizes[1]).toBe(sizes[0]);
    const exported = await repos.privacy.export('cu_many', '2025-06-12T00:00:00.000Z');
    expect(exported.conversations.map((c) => c.id).sort()).toEqual(
      Array.from({ length: 100 }, (_, i) => conversation(i)),
    );
    const report = await repos.privacy.erase('cu_many', 'ag_admin', '2025-06-12T00:00:00.000Z');
    expect(report.conversations).toBe(100);
    const left = await dynamo.client.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'CUSTOMER#cu_many' } },
      }),
    );
    expect(left.Items?.map((item) => item.sk?.S)).toEqual(['PROFILE']);
    const conversationsLeft = await Promise.all(
      [0, 50, 99].map((i) => store.getConversation(conversation(i))),
    );
    expect(conversationsLeft).toEqual([undefined, undefined, undefined]);
  }, 120_000);

  it('still reads the conversations a profile written before membership items lists in its set', async () => {
    await touch('cu_legacy', 1);
    await store.touchConversation({
      customerId: 'cu_legacy',
      conversationId: 'cv_legacy_old',
      channel: 'sms',
      at: at(0),
      now: at(0),
      inbound: true,
      reopen: false,
    });
    await dynamo.client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { pk: { S: 'CUSTOMER#cu_legacy' }, sk: { S: 'PROFILE' } },
        UpdateExpression: 'ADD conversationIds :ids',
        ExpressionAttributeValues: { ':ids': { SS: ['cv_legacy_old', conversation(1)] } },
      }),
    );
    const exported = await repos.privacy.export('cu_legacy', '2025-06-12T00:00:00.000Z');
    expect(exported.conversations.map((c) => c.id).sort()).toEqual(['cv_legacy_old', conversation(1)]);
    const report = await repos.privacy.erase('cu_legacy', 'ag_admin', '2025-06-12T00:00:00.000Z');
    expect(report.conversations).toBe(2);
    expect(await store.getConversation('cv_legacy_old')).toBeUndefined();
  });
});
