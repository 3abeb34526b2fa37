import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConversationTouch } from '#shared/domain/resolver-ports.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { NotFoundError } from '#shared/errors.js';
import { conversationRepository, conversationSnapshotOf } from '#shared/store/conversation-repository.js';
import { conversationStateRepository } from '#shared/store/conversation-state-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };
const conversation = {
  pk: 'CONVERSATION#cv_1',
  sk: 'CONVERSATION',
  entity: 'conversation',
  id: 'cv_1',
  customerId: 'cu_1',
  status: 'open',
  channel: 'sms',
  channels: new Set(['sms']),
  createdAt: '2025-06-10T08:00:00.000Z',
  assignee: 'ag_0',
  queue: 'billing',
};

/** A customer's message in their open conversation. */
const touch: ConversationTouch = {
  conversationId: 'cv_1',
  customerId: 'cu_1',
  channel: 'sms',
  at: '2025-06-10T09:00:00.000Z',
  now: '2025-06-10T09:00:01.000Z',
  inbound: true,
  reopen: false,
  continues: true,
};

function repository() {
  const timeline = { putTimelineItem: vi.fn(async (_item: TimelineItem, _raw: unknown) => true) };
  return { conversations: conversationRepository(db, timeline), timeline };
}

describe('conversationRepository', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).resolves({ Item: conversation });
    ddb.on(UpdateCommand).resolves({});
  });

  it('records an assignment with who had the conversation and who has it now', async () => {
    const { conversations, timeline } = repository();
    await conversations.assign('cv_1', { agentId: 'ag_1' }, 'ag_9', '2025-06-10T09:00:00.000Z');
    expect(timeline.putTimelineItem.mock.calls[0]?.[0]).toEqual({
      id: 'assigned:cv_1:2025-06-10T09:00:00.000Z',
      type: 'event',
      event: 'assigned',
      at: '2025-06-10T09:00:00.000Z',
      customerId: 'cu_1',
      data: {
        conversationId: 'cv_1',
        from: { agentId: 'ag_0', queue: 'billing' },
        to: { agentId: 'ag_1', queue: 'billing' },
        by: 'ag_9',
      },
    });
  });

  it('resolves the conversation before letting the profile go of it, then records the event', async () => {
    const { conversations, timeline } = repository();
    // The write answers the conversation as it left it, its customer with it.
    const resolved = { status: 'resolved', resolvedAt: '2025-06-10T09:00:00.000Z', resolvedBy: 'ag_1' };
    ddb
      .on(UpdateCommand, { Key: { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' } })
      .resolves({ Attributes: { ...conversation, ...resolved, assignee: undefined } });
    expect(await conversations.resolveConversation('cv_1', 'ag_1', '2025-06-10T09:00:00.000Z')).toBe(
      '2025-06-10T09:00:00.000Z',
    );
    expect(ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input.Key)).toEqual([
      { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' },
      { pk: 'CUSTOMER#cu_1', sk: 'PROFILE' },
    ]);
    expect(timeline.putTimelineItem.mock.calls[0]?.[0]).toMatchObject({
      id: 'resolved:cv_1:2025-06-10T09:00:00.000Z',
      event: 'resolved',
      data: { conversationId: 'cv_1', by: 'ag_1' },
    });
  });

  it('resolved already (a second click, a race, a retry): completes the first resolve, at its time, by its author', async () => {
    const { conversations, timeline } = repository();
    const first = {
      ...conversation,
      status: 'resolved',
      resolvedAt: '2025-06-10T08:30:00.000Z',
      resolvedBy: 'ag_0',
    };
    ddb.on(GetCommand).resolves({ Item: first });
    ddb
      .on(UpdateCommand, { Key: { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' } })
      .rejects(new ConditionalCheckFailedException({ message: 'resolved', $metadata: {} }));
    expect(await conversations.resolveConversation('cv_1', 'ag_1', '2025-06-10T09:00:00.000Z')).toBe(
      '2025-06-10T08:30:00.000Z',
    );
    const updates = ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    // The failed resolve; the profile let go of it (a no-op when the first resolve did).
    expect(updates.map((input) => input.Key?.pk)).toEqual(['CONVERSATION#cv_1', 'CUSTOMER#cu_1']);
    expect(updates[1]?.ExpressionAttributeValues).toMatchObject({ ':now': '2025-06-10T08:30:00.000Z' });
    expect(ddb.commandCalls(GetCommand).at(-1)?.args[0].input.ConsistentRead).toBe(true);
    expect(timeline.putTimelineItem.mock.calls.map((call) => call[0])).toEqual([
      expect.objectContaining({
        id: 'resolved:cv_1:2025-06-10T08:30:00.000Z',
        at: '2025-06-10T08:30:00.000Z',
        data: { conversationId: 'cv_1', by: 'ag_0' },
      }),
    ]);
  });

  it('open already when asked to reopen it: no event, but its assignee and profile hold it', async () => {
    const { conversations, timeline } = repository();
    ddb
      .on(UpdateCommand, { Key: { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' } })
      .rejects(new ConditionalCheckFailedException({ message: 'open', $metadata: {} }));
    await conversations.reopenConversation('cv_1', 'ag_1', '2025-06-10T09:00:00.000Z');
    const updates = ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    // The failed reopen, its assignee's count made sure of, the profile pointed at it unless another is.
    expect(updates.map((input) => [input.Key?.pk, input.UpdateExpression?.slice(0, 17)])).toEqual([
      ['CONVERSATION#cv_1', 'SET #status = :op'],
      ['CONVERSATION#cv_1', 'ADD #set :members'],
      ['AGENT#ag_0', 'ADD #set :members'],
      ['CUSTOMER#cu_1', 'SET openConversat'],
    ]);
    expect(timeline.putTimelineItem).not.toHaveBeenCalled();
  });

  it('open by an earlier reopen by hand whose run died after its write: its event, at its time', async () => {
    const { conversations, timeline } = repository();
    const reopened = { ...conversation, reopenedAt: '2025-06-10T08:45:00.000Z', reopenedBy: 'ag_0' };
    ddb.on(GetCommand).resolves({ Item: reopened });
    ddb
      .on(UpdateCommand, { Key: { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' } })
      .rejects(new ConditionalCheckFailedException({ message: 'open', $metadata: {} }));
    await conversations.reopenConversation('cv_1', 'ag_1', '2025-06-10T09:00:00.000Z');
    expect(timeline.putTimelineItem.mock.calls.map((call) => call[0])).toEqual([
      expect.objectContaining({
        id: 'reopened:cv_1:2025-06-10T08:45:00.000Z',
        event: 'reopened',
        data: { conversationId: 'cv_1', by: 'ag_0' },
      }),
    ]);
  });

  describe("the customer's turns (routing's AI answer limit)", () => {
    /** The DynamoDB calls a touch makes, by command, and the update expressions it sends. */
    const callsOf = async (t: ConversationTouch) => {
      ddb.resetHistory();
      const out = await repository().conversations.touchConversation(t);
      return {
        out,
        calls: ddb.calls().map((call) => call.args[0].constructor.name),
        updates: ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input.UpdateExpression),
      };
    };

    it('counts a turn in the touch the message makes anyway: the same one UpdateItem, no read', async () => {
      ddb.on(UpdateCommand).resolves({ Attributes: { ...conversation, customerTurns: 3 } });
      const counted = await callsOf({ ...touch, countsTurn: true });
      const uncounted = await callsOf(touch);
      expect(counted.calls).toEqual(['UpdateCommand']);
      expect(counted.calls).toEqual(uncounted.calls);
      expect(counted.updates[0]).toMatch(/ ADD channels :channels, customerTurns :one$/);
      expect(uncounted.updates[0]).not.toContain('customerTurns');
      // Routing reads the count from the touch's answer: no read of its own.
      expect(counted.out.snapshot?.state.customerTurns).toBe(3);
    });

    it('counts a late message in the stale touch, with no call more than before', async () => {
      ddb
        .on(UpdateCommand)
        .rejectsOnce(new ConditionalCheckFailedException({ message: 'newer', $metadata: {} }))
        .resolves({});
      const counted = await callsOf({ ...touch, countsTurn: true });
      ddb
        .on(UpdateCommand)
        .rejectsOnce(new ConditionalCheckFailedException({ message: 'newer', $metadata: {} }))
        .resolves({});
      const uncounted = await callsOf(touch);
      expect(counted.calls).toEqual(uncounted.calls);
      expect(counted.updates[1]).toContain('customerTurns :one');
      expect(uncounted.updates[1]).not.toContain('customerTurns');
    });

    it("gives a late message's words to the preview only when the preview is a later message's", async () => {
      const late = { ...touch, preview: 'My parcel is late' };
      const stale = (previewAt: string) =>
        ddb
          .on(UpdateCommand)
          .rejectsOnce(new ConditionalCheckFailedException({ message: 'newer', $metadata: {} }))
          .resolvesOnce({
            // A later message came before it: its conversation's last inbound time stays (no write).
            Attributes: {
              ...conversation,
              preview: 'Any news?',
              previewAt,
              lastInboundAt: '2025-06-10T09:05:00.000Z',
            },
          })
          .resolves({});
      stale('2025-06-10T09:05:00.000Z');
      const replaced = await callsOf(late);
      // The stale touch, the wait's and the channel's follow-ups, then the preview's, conditional.
      expect(replaced.updates).toHaveLength(5);
      expect(replaced.updates[4]).toBe('SET preview = :preview, previewAt = :at');
      const input = ddb.commandCalls(UpdateCommand)[4]?.args[0].input;
      expect(input?.ConditionExpression).toBe('attribute_exists(pk) AND previewAt > :at');
      expect(input?.ExpressionAttributeValues).toEqual({ ':preview': 'My parcel is late', ':at': touch.at });
      // An earlier message's preview stays: no write for it.
      stale('2025-06-10T08:55:00.000Z');
      expect((await callsOf(late)).updates).toHaveLength(4);
    });

    it("moves a late message's conversation forward to it only when it is the latest inbound message", async () => {
      const stale = (lastInboundAt: string | undefined) =>
        ddb
          .on(UpdateCommand)
          .rejectsOnce(new ConditionalCheckFailedException({ message: 'newer', $metadata: {} }))
          .resolvesOnce({ Attributes: { ...conversation, lastInboundAt } })
          .resolves({});
      // An answer came after it, no later message: the wait's and channel's follow-ups, then its time.
      stale('2025-06-10T08:55:00.000Z');
      const later = await callsOf(touch);
      expect(later.updates).toHaveLength(5);
      expect(later.updates[4]).toBe('SET lastInboundAt = :at');
      expect(later.out.latestInbound).toBe(true);
      const input = ddb.commandCalls(UpdateCommand)[4]?.args[0].input;
      expect(input?.ConditionExpression).toBe(
        'attribute_exists(pk) AND (attribute_not_exists(lastInboundAt) OR lastInboundAt < :at)',
      );
      // A later message came before it (or it came already): nothing more.
      stale('2025-06-10T09:05:00.000Z');
      const older = await callsOf(touch);
      expect(older.updates).toHaveLength(4);
      expect(older.out.latestInbound).toBe(false);
      stale(touch.at);
      const again = await callsOf(touch);
      expect(again.updates).toHaveLength(4);
      expect(again.out.latestInbound).toBe(true);
    });

    it("clears the count in the agent reply's one write", async () => {
      ddb.resetHistory();
      await conversationStateRepository(db, conversationSnapshotOf).markHumanReplied('cv_1', touch.at);
      expect(ddb.calls()).toHaveLength(1);
      expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input.UpdateExpression).toBe(
        'SET humanRepliedAt = if_not_exists(humanRepliedAt, :at) REMOVE customerTurns',
      );
    });

    it("reads the conversation strongly only when asked (the AI's answer checked for a takeover): one read unit", async () => {
      ddb.on(GetCommand).resolves({ Item: { ...conversation, assignee: 'ana' } });
      ddb.resetHistory();
      const repo = conversationStateRepository(db, conversationSnapshotOf);
      await repo.getConversationState('cv_1');
      const snapshot = await repo.getConversationState('cv_1', { consistent: true });
      // Two GetItems, no write: routing's eventually consistent read, then the strong one (1 unit, not 0.5).
      expect(ddb.calls()).toHaveLength(2);
      const reads = ddb.commandCalls(GetCommand).map((c) => c.args[0].input.ConsistentRead);
      expect(reads).toEqual([undefined, true]);
      expect(snapshot?.conversation.assignee).toBe('ana');
    });

    it('reads a conversation whose count is damaged, and routes it as if it had none', async () => {
      ddb.on(GetCommand).resolves({ Item: { ...conversation, customerTurns: 'many' } });
      const snapshot = await conversationStateRepository(db, conversationSnapshotOf).getConversationState(
        'cv_1',
      );
      expect(snapshot?.conversation.id).toBe('cv_1');
      expect(snapshot?.state.customerTurns).toBeUndefined();
    });
  });

  describe('a note under an Idempotency-Key', () => {
    const note = {
      conversationId: 'cv_1',
      text: 'Promised a call back',
      agentId: 'ag_1',
      now: '2025-06-10T09:00:00.000Z',
      noteId: 'nk_1',
      requestHash: 'h1',
    };
    const guardKey = { pk: 'NOTE#nk_1', sk: 'NOTE' };
    const firstAt = '2025-06-10T08:59:00.000Z';

    it('writes its NOTE# item (no text) conditionally, then the note: one GetItem, one PutItem', async () => {
      ddb.on(PutCommand).resolves({});
      const { conversations, timeline } = repository();
      const made = await conversations.addKeyedNote(note);
      expect(made).toMatchObject({
        created: true,
        requestHash: 'h1',
        item: { id: 'note:nk_1', at: note.now },
      });
      const put = ddb.commandCalls(PutCommand)[0]?.args[0].input;
      expect(put).toMatchObject({ ConditionExpression: 'attribute_not_exists(pk)', Item: guardKey });
      expect(put?.Item).toEqual(expect.not.objectContaining({ text: expect.anything() }));
      expect(ddb.calls()).toHaveLength(2);
      expect(timeline.putTimelineItem).toHaveBeenCalledTimes(1);
    });

    it('a retry answers the first note from the timeline, writing nothing', async () => {
      const first = { id: 'note:nk_1', type: 'note', at: firstAt, customerId: 'cu_1', text: note.text };
      ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'x', $metadata: {} }));
      ddb.on(GetCommand, { Key: guardKey }).resolves({
        Item: { ...guardKey, customerId: 'cu_1', at: firstAt, requestHash: 'h1' },
      });
      ddb.on(GetCommand, { Key: { pk: 'CUSTOMER#cu_1', sk: `TIMELINE#${firstAt}#note:nk_1` } }).resolves({
        Item: { pk: 'CUSTOMER#cu_1', sk: `TIMELINE#${firstAt}#note:nk_1`, ...first },
      });
      const { conversations, timeline } = repository();
      const again = await conversations.addKeyedNote(note);
      expect(again).toMatchObject({ created: false, requestHash: 'h1', item: { at: firstAt } });
      expect(timeline.putTimelineItem).not.toHaveBeenCalled();
    });

    it('completes a first request that stopped before its note, at the first time; another hash writes nothing', async () => {
      ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'x', $metadata: {} }));
      const guard = { ...guardKey, customerId: 'cu_1', at: firstAt, requestHash: 'h1' };
      ddb.on(GetCommand, { Key: guardKey }).resolves({ Item: guard });
      const noteKey = { pk: 'CUSTOMER#cu_1', sk: `TIMELINE#${firstAt}#note:nk_1` };
      ddb.on(GetCommand, { Key: noteKey }).resolves({});
      const { conversations, timeline } = repository();
      const completed = await conversations.addKeyedNote(note);
      expect(completed).toMatchObject({ created: false, item: { at: firstAt, text: note.text } });
      expect(timeline.putTimelineItem).toHaveBeenCalledTimes(1);
      const other = await conversations.addKeyedNote({ ...note, text: 'Other words', requestHash: 'h2' });
      expect(other).toMatchObject({ created: false, requestHash: 'h1' });
      expect(timeline.putTimelineItem).toHaveBeenCalledTimes(1);
    });
  });

  it('answers NotFoundError for a note on a conversation that does not exist', async () => {
    ddb.on(GetCommand).resolves({});
    const { conversations } = repository();
    await expect(conversations.addNote('cv_9', 'hi', 'ag_1', 'n', 'no_1')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe("a conversation's language on a reopen", () => {
  beforeEach(() => ddb.reset());
  /** A customer's German message reopening their resolved conversation. */
  const reopen: ConversationTouch = { ...touch, reopen: true, continues: false, language: 'de' };
  /** The touch's writes of the conversation's language, and the conversation it answers (`had` its write's). */
  async function touched(t: ConversationTouch, had: Record<string, unknown>) {
    ddb.on(UpdateCommand).resolves({ Attributes: { ...conversation, ...had } });
    const out = await repository().conversations.touchConversation(t);
    const inputs = ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    return { updates: inputs.filter((input) => input.UpdateExpression?.includes('#language')), out };
  }

  it('keeps the language the conversation had in the touch, and changes it by one write when it differs', async () => {
    const { updates, out } = await touched(reopen, { language: 'es' });
    expect(updates[0]?.UpdateExpression).toContain('#language = if_not_exists(#language, :language)');
    expect(updates[0]?.UpdateExpression).not.toContain('languageBefore');
    expect(updates.slice(1)).toEqual([
      expect.objectContaining({
        UpdateExpression: 'SET languageBefore = :before, #language = :language',
        ConditionExpression: '#language = :before',
        ExpressionAttributeValues: { ':before': 'es', ':language': 'de' },
      }),
    ]);
    // Routing reads the conversation from the touch: the new language and the one it replaced.
    expect(out.snapshot?.conversation).toMatchObject({ language: 'de', languageBefore: 'es' });
  });

  // A redelivered reopen finds its language written; an email taken for the reopen of its thread's open
  // conversation (a crashed run had not written the profile) finds the one it tells: neither writes
  // `languageBefore`, so the crashed run ends as the uncrashed one (crash-after-k-writes).
  it('writes nothing more in the language the conversation has, for one that had none, or no reopen', async () => {
    for (const [t, had] of [
      [reopen, { language: 'de' }],
      [reopen, {}],
      [{ ...reopen, reopen: false }, { language: 'es' }],
    ] as const) {
      ddb.reset();
      const { updates, out } = await touched(t, had);
      expect(updates).toHaveLength(1);
      expect(out.snapshot?.conversation.languageBefore).toBeUndefined();
    }
  });
});
