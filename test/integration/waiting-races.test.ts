import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import type { ConversationTouch } from '#shared/domain/resolver-ports.js';
import { mayStartWaiting } from '#shared/domain/waiting.js';
import { inboxAnsweredSortKey, inboxShardPartition, inboxSortKey, Keys } from '#shared/store/keys.js';
import { useLocalStore } from '../support/local-store.js';

/**
 * `waitingSince` is the time of the customer's oldest message no answer followed, whatever order the
 * writes land in: a message and an answer racing, redeliveries, an answer processed twice, a wait
 * set by a pre-upgrade version. The resolver's and the sender's writes, driven in each order against
 * dynalite (the real DynamoDB API and its conditions).
 */

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });
const TABLE = 'threadline-waiting-races';
const local = useLocalStore(TABLE);
const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 9, minute)).toISOString();
let sequence = 0;

/** The resolver's touch of the customer's WhatsApp message at `when`. */
const touchOf = (id: string, when: string, more: Partial<ConversationTouch>): ConversationTouch => ({
  conversationId: id,
  customerId: `cu_${id}`,
  channel: 'whatsapp',
  at: when,
  now: when,
  inbound: true,
  reopen: false,
  ...more,
});

/** The customer's message as the resolver writes it: the touch, then (after routing) the wait's start. */
async function customerWrites(id: string, when: string, opens = false) {
  const touched = await local.repos.conversations.touchConversation(touchOf(id, when, { continues: !opens }));
  const seen = touched.current ? touched.snapshot?.conversation : undefined;
  if (mayStartWaiting(seen, when)) await local.repos.conversations.startWaiting(id, when);
}
const answer = (id: string, when: string) => local.repos.conversations.markAnswered(id, when);
const item = async (id: string): Promise<Record<string, unknown>> =>
  (
    await DynamoDBDocumentClient.from(local.dynamo.client).send(
      new GetCommand({ TableName: TABLE, Key: Keys.conversation(id), ConsistentRead: true }),
    )
  ).Item ?? {};
const fresh = async () => {
  const id = `cv_race_${++sequence}`;
  await customerWrites(id, at(0), true);
  return id;
};

describe('waiting since the oldest unanswered message', () => {
  it('answers a waiting conversation, and waits again from the next message, in the index too', async () => {
    const id = await fresh();
    expect(await item(id)).toMatchObject({ waitingSince: at(0), gsi1sk: inboxSortKey(at(0), id) });
    await customerWrites(id, at(1));
    expect((await item(id)).waitingSince).toBe(at(0));
    await answer(id, at(2));
    const answered = await item(id);
    expect(answered.waitingSince).toBeUndefined();
    expect(answered).toMatchObject({ answeredAt: at(2), gsi1sk: inboxAnsweredSortKey(at(2), id) });
    // A second answer ended no wait: it keeps the place (no index move) and the answer that ended it,
    // and is recorded as the latest answer sent.
    await answer(id, at(3));
    expect(await item(id)).toMatchObject({
      answeredAt: at(2),
      lastAnswerAt: at(3),
      gsi1sk: inboxAnsweredSortKey(at(2), id),
    });
    await customerWrites(id, at(4));
    expect(await item(id)).toMatchObject({ waitingSince: at(4), gsi1sk: inboxSortKey(at(4), id) });
    expect((await item(id)).answeredSk).toBeUndefined();
  });

  it('stays waiting when the message is newer than the answer, whichever lands first', async () => {
    // The message first, then an answer written before it (the agent had not seen it).
    const first = await fresh();
    await answer(first, at(1));
    await customerWrites(first, at(3));
    await answer(first, at(2));
    expect((await item(first)).waitingSince).toBe(at(3));
    // The answer first, then the message that came after it.
    const second = await fresh();
    await answer(second, at(2));
    await customerWrites(second, at(3));
    expect((await item(second)).waitingSince).toBe(at(3));
    // A waiting conversation whose customer wrote again after the answer was written: still waiting.
    const third = await fresh();
    await customerWrites(third, at(3));
    await answer(third, at(2));
    expect((await item(third)).waitingSince).toBe(at(0));
  });

  it('is answered when the answer is newer than the message, whichever lands first', async () => {
    const id = await fresh();
    await answer(id, at(1));
    // The message at 2 was delayed: the answer at 3 was written after it and lands first.
    await answer(id, at(3));
    await customerWrites(id, at(2));
    expect((await item(id)).waitingSince).toBeUndefined();
    // A late message older than the conversation's last one does not start a wait the answer covered.
    await customerWrites(id, at(1));
    expect((await item(id)).waitingSince).toBeUndefined();
  });

  it('never moves a wait later on a redelivery, and takes an answer processed twice once', async () => {
    const id = await fresh();
    await customerWrites(id, at(1));
    await customerWrites(id, at(1));
    expect(await item(id)).toMatchObject({ waitingSince: at(0), gsi1sk: inboxSortKey(at(0), id) });
    await answer(id, at(2));
    const once = await item(id);
    await answer(id, at(2));
    expect(await item(id)).toEqual(once);
    // The answered message delivered again: no new wait.
    await customerWrites(id, at(1));
    expect((await item(id)).waitingSince).toBeUndefined();
  });

  it('drops the wait a redelivered opening message sets after its answer', async () => {
    const id = await fresh();
    await answer(id, at(1));
    // The profile was not written before the crash: the redelivery opens the conversation again.
    await customerWrites(id, at(0), true);
    const after = await item(id);
    expect(after.waitingSince).toBeUndefined();
    expect(after.gsi1sk).toBe(inboxAnsweredSortKey(at(1), id));
  });

  it('answers a pre-upgrade waiting conversation and never moves its wait on a message', async () => {
    const id = `cv_race_legacy_${++sequence}`;
    // As the version before this one wrote it: waiting since it opened, no answer recorded.
    await local.repos.conversations.touchConversation({
      conversationId: id,
      customerId: 'cu_legacy',
      channel: 'sms',
      at: at(0),
      now: at(0),
      inbound: true,
      reopen: false,
    });
    await customerWrites(id, at(5));
    expect(await item(id)).toMatchObject({ waitingSince: at(0), gsi1sk: inboxSortKey(at(0), id) });
    await answer(id, at(6));
    expect(await item(id)).toMatchObject({ gsi1sk: inboxAnsweredSortKey(at(6), id) });
    expect((await item(id)).waitingSince).toBeUndefined();
  });

  it('answers nothing on a resolved conversation, and a reopening message waits from itself', async () => {
    const id = await fresh();
    await answer(id, at(1));
    await local.repos.conversations.resolveConversation(id, 'agent-1', at(2));
    await answer(id, at(3));
    expect((await item(id)).answeredAt).toBe(at(1));
    await local.repos.conversations.touchConversation({
      conversationId: id,
      customerId: `cu_${id}`,
      channel: 'whatsapp',
      at: at(4),
      now: at(4),
      inbound: true,
      reopen: true,
    });
    expect(await item(id)).toMatchObject({
      status: 'open',
      waitingSince: at(4),
      gsi1sk: inboxSortKey(at(4), id),
    });
    expect((await item(id)).answeredSk).toBeUndefined();
  });
});

describe("the new conversation's inbox entry, written once after routing", () => {
  /** The opening message's touch when routing follows: the place (`gsi1sk`) and the wait, no entry. */
  const opens = async (id: string, when: string, continues = false) => {
    const touch = touchOf(id, when, { continues, listLater: true });
    const touched = await local.repos.conversations.touchConversation(touch);
    expect(touched.unlisted).toBe(true);
  };
  const firstAnswer = (id: string, answered: string) =>
    local.repos.metrics.recordFirstResponse(id, answered, answered);
  const fresh = async () => {
    const id = `cv_list_${++sequence}`;
    await opens(id, at(0));
    expect(await item(id)).toMatchObject({ waitingSince: at(0), gsi1sk: inboxSortKey(at(0), id) });
    expect((await item(id)).gsi1pk).toBeUndefined();
    return id;
  };

  /** The conversation as listed in the open inbox at `sk`, its first response marked at minute 1. */
  const listedAs = async (id: string, sk: string, state: Record<string, unknown>) => {
    const found = await item(id);
    const open = inboxShardPartition('open', id);
    expect(found).toMatchObject({ gsi1pk: open, gsi1sk: sk, firstResponseAt: at(1), ...state });
    return found;
  };

  it("lists it answered in the AI's first-response write, and a second first response changes nothing", async () => {
    const id = await fresh();
    expect(await firstAnswer(id, at(1))).toBe(true);
    const answered = await listedAs(id, inboxAnsweredSortKey(at(1), id), { answeredAt: at(1) });
    expect(answered.waitingSince).toBeUndefined();
    // The other answer of two racing ones: neither a second mark nor a second answer.
    expect(await firstAnswer(id, at(2))).toBe(false);
    expect(await item(id)).toEqual(answered);
  });

  it('lists it waiting from its oldest message when the customer wrote after the answer', async () => {
    const id = await fresh();
    // Its second message, touched before the first one's routing is done: still unlisted.
    await opens(id, at(2), true);
    expect(await firstAnswer(id, at(1))).toBe(false);
    const waiting = await listedAs(id, inboxSortKey(at(0), id), { waitingSince: at(0) });
    expect(waiting.answeredAt).toBeUndefined();
  });

  it('lists it once after a hand-off, at its place, and never lists a listed or resolved one again', async () => {
    const id = await fresh();
    await local.repos.conversations.listInInbox(id);
    const listed = await item(id);
    expect(listed).toMatchObject({
      gsi1pk: inboxShardPartition('open', id),
      gsi1sk: inboxSortKey(at(0), id),
    });
    await local.repos.conversations.listInInbox(id);
    expect(await item(id)).toEqual(listed);
    const resolved = await fresh();
    await local.repos.conversations.resolveConversation(resolved, 'agent-1', at(1));
    const before = await item(resolved);
    await local.repos.conversations.listInInbox(resolved);
    expect(await item(resolved)).toEqual(before);
  });

  it('waits again from the message whose first answer failed, unless a later answer came', async () => {
    const id = await fresh();
    await firstAnswer(id, at(1));
    // The customer wrote again and waits from then; the first answer then fails for good.
    await customerWrites(id, at(2));
    expect((await item(id)).waitingSince).toBe(at(2));
    await local.repos.conversations.startWaiting(id, at(0), at(1));
    const again = await item(id);
    expect(again).toMatchObject({ waitingSince: at(0), gsi1sk: inboxSortKey(at(0), id) });
    expect(again.answeredAt).toBeUndefined();
    // An agent answered after the failed answer: its failure changes nothing.
    const later = await fresh();
    await firstAnswer(later, at(1));
    await answer(later, at(3));
    const byAgent = await item(later);
    await local.repos.conversations.startWaiting(later, at(0), at(1));
    expect(await item(later)).toEqual(byAgent);
  });
});
