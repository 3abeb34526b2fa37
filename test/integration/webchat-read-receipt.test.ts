import { describe, expect, it } from 'vitest';
import { markWebchatRead } from '#shared/app/mark-webchat-read.js';
import type { Envelope, StatusEnvelope } from '#shared/domain/envelope.js';
import { aiReplyId, placedReplyAt, replyItemId } from '#shared/domain/replies.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { newSessionToken, sessionTokenHash } from '#shared/domain/webchat/session.js';
import { webchatPorts } from '#shared/store/dynamo-repositories.js';
import { useLocalStore } from '../support/local-store.js';

/**
 * A read receipt names the reply by its key, whose time is where the reply is placed: for the AI's
 * reply, 1 ms after the message it answers, not its `at`. The store's recent read carries that time,
 * so the receipt holds even when the answered message is no longer among the visitor's latest items.
 */
const local = useLocalStore('threadline-read-receipt');
const T0 = Date.parse('2026-12-03T09:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const visitor = { kind: 'webchat_visitor' as const, value: 'v-1' };
const inbound = (id: string, seconds: number): TimelineItem => ({
  id,
  type: 'message',
  channel: 'webchat',
  direction: 'inbound',
  text: 'hello',
  at: at(seconds),
  customerId: 'cu_1',
  conversationId: 'cv_1',
  from: visitor,
});

describe("a web-chat read receipt for the AI's reply", () => {
  it('marks the reply read when it is exactly the 200th latest item, its question out of the window', async () => {
    const { repos } = local;
    const question = inbound('webchat:q1', 0);
    await repos.timeline.putTimelineItem(question, {});
    const reply = {
      id: aiReplyId(question.id),
      customerId: 'cu_1',
      conversationId: 'cv_1',
      at: at(3),
      placedAt: placedReplyAt(question.at),
      channel: 'webchat' as const,
      to: visitor,
      text: 'It ships today.',
      attachments: [],
      author: { kind: 'ai' as const, id: 'responder' },
    };
    await repos.replies.placeReply(reply, undefined);
    await repos.replies.recordSent(reply, { providerMessageId: reply.id, keyEchoed: true }, at(3));
    for (let i = 1; i <= 199; i++) await repos.timeline.putTimelineItem(inbound(`webchat:m${i}`, 10 + i), {});

    const store = { ...webchatPorts(repos), findCustomerId: async () => 'cu_1' };
    const recent = await store.recentPlacedTimeline(['cu_1'], 200);
    expect(recent).toHaveLength(200);
    expect(recent[0]).toMatchObject({ item: { id: replyItemId(reply.id) }, placedAt: reply.placedAt });
    expect(recent.some((row) => row.item.id === question.id)).toBe(false);

    const token = newSessionToken();
    const now = new Date(T0 + 3_600_000);
    await store.putSession({
      tokenHash: sessionTokenHash(token),
      visitor,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
    });
    const queued: Envelope[] = [];
    const deps = {
      store,
      queue: { enqueue: async (envelopes: readonly Envelope[]) => void queued.push(...envelopes) },
      clock: { now: () => now },
    };
    const answer = await markWebchatRead(deps, {
      authorization: `Bearer ${token}`,
      messageIds: [replyItemId(reply.id)],
    });
    expect(answer).toEqual({ read: [replyItemId(reply.id)] });
    expect(queued).toHaveLength(1);
    await repos.timeline.advanceStatus(queued[0] as StatusEnvelope);
    const stored = await repos.timeline.getTimelineItem('cu_1', reply.placedAt, replyItemId(reply.id));
    expect(stored?.status).toBe('read');
  });
});
