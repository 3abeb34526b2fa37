import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normaliseMetaMessaging } from '#shared/channels/meta/normalise.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { ConversationSchema } from '#shared/domain/timeline.js';
import {
  aiAnswered,
  answeredAt,
  answersCustomer,
  isBusinessAnswer,
  isWaiting,
  lateFailureWait,
  mayStartWaiting,
  repliedAt,
  unansweredBy,
} from '#shared/domain/waiting.js';
import { inboundText } from '../../fakes/envelopes.js';

const META_FIXTURES = new URL('../../../fixtures/meta/', import.meta.url);

const conversation = ConversationSchema.parse({
  id: 'cv_1',
  customerId: 'cu_1',
  status: 'open',
  createdAt: '2026-03-02T09:00:00.000Z',
});

describe('waiting', () => {
  it("counts an agent's reply and the AI responder's as answers, not automations or surveys", () => {
    expect(answersCustomer({ kind: 'agent', id: 'ag_1' })).toBe(true);
    expect(answersCustomer({ kind: 'ai', id: 'responder' })).toBe(true);
    expect(answersCustomer({ kind: 'ai', id: 'automation' })).toBe(false);
    expect(answersCustomer({ kind: 'ai', id: 'csat' })).toBe(false);
  });

  it("answers from the reply's time, the AI's from its place after the message it answers", () => {
    expect(answeredAt({ at: '2026-03-02T09:01:00.000Z' })).toBe('2026-03-02T09:01:00.000Z');
    // Written after a later message came: it still answers only the one it is placed after.
    expect(answeredAt({ at: '2026-03-02T09:01:00.000Z', placedAt: '2026-03-02T09:00:00.001Z' })).toBe(
      '2026-03-02T09:00:00.001Z',
    );
    expect(answeredAt({ at: '2026-03-02T09:01:00.000Z', placedAt: '2026-03-02T09:02:00.001Z' })).toBe(
      '2026-03-02T09:02:00.001Z',
    );
  });

  it('counts a reply on the clock at its time, or its place after the message when that is later', () => {
    expect(repliedAt({ at: '2026-03-02T09:01:00.000Z' })).toBe('2026-03-02T09:01:00.000Z');
    expect(repliedAt({ at: '2026-03-02T09:01:00.000Z', placedAt: '2026-03-02T09:00:00.001Z' })).toBe(
      '2026-03-02T09:01:00.000Z',
    );
    expect(repliedAt({ at: '2026-03-02T09:01:00.000Z', placedAt: '2026-03-02T09:02:00.001Z' })).toBe(
      '2026-03-02T09:02:00.001Z',
    );
  });

  it('starts a wait on an open conversation nobody waits on, unless an answer is as new', () => {
    const at = '2026-03-02T09:05:00.000Z';
    expect(mayStartWaiting(undefined, at)).toBe(true);
    expect(mayStartWaiting(conversation, at)).toBe(true);
    expect(mayStartWaiting({ ...conversation, answeredAt: '2026-03-02T09:04:00.000Z' }, at)).toBe(true);
    expect(mayStartWaiting({ ...conversation, answeredAt: at }, at)).toBe(false);
    expect(mayStartWaiting({ ...conversation, waitingSince: '2026-03-02T09:01:00.000Z' }, at)).toBe(false);
    expect(mayStartWaiting({ ...conversation, status: 'resolved' }, at)).toBe(false);
  });

  it('reads whether the AI answered from routing, and which message an unsent AI answer leaves', () => {
    expect(aiAnswered({ routed: true, replied: true })).toBe(true);
    expect(aiAnswered({ routed: true })).toBe(false);
    expect(aiAnswered(undefined)).toBe(false);
    const ai = { kind: 'ai' as const, id: 'responder' };
    expect(unansweredBy({ author: ai, placedAt: '2026-03-02T09:00:00.001Z' })).toBe(
      '2026-03-02T09:00:00.000Z',
    );
    expect(unansweredBy({ author: ai })).toBeUndefined();
    expect(
      unansweredBy({ author: { kind: 'ai', id: 'automation' }, placedAt: '2026-03-02T09:00:00.001Z' }),
    ).toBe(undefined);
  });

  it('waits while open with a wait running', () => {
    expect(isWaiting(conversation)).toBe(false);
    expect(isWaiting({ ...conversation, waitingSince: '2026-03-02T09:01:00.000Z' })).toBe(true);
    expect(isWaiting({ ...conversation, status: 'resolved', waitingSince: '2026-03-02T09:01:00.000Z' })).toBe(
      false,
    );
  });

  it('starts the wait again from the message an AI answer failed later answered, from its own time for an agent', () => {
    const item = (author: { kind: 'agent' | 'ai'; id: string }, at: string) => ({
      id: 'reply:rp_1',
      type: 'message' as const,
      direction: 'outbound' as const,
      customerId: 'cu_1',
      conversationId: 'cv_1',
      channel: 'sms' as const,
      at,
      status: 'failed' as const,
      data: { author },
    });
    const ai = item({ kind: 'ai', id: 'responder' }, '2026-03-02T09:01:00.000Z');
    expect(lateFailureWait({ item: ai, placedAt: '2026-03-02T09:00:00.001Z' })).toEqual({
      conversationId: 'cv_1',
      at: '2026-03-02T09:00:00.000Z',
      // Its place after the message it answered: the answer's time for the wait.
      answered: '2026-03-02T09:00:00.001Z',
      // Its own time: its first-response mark's, if it was the first response.
      written: '2026-03-02T09:01:00.000Z',
      // The clock's.
      replied: '2026-03-02T09:01:00.000Z',
      // The AI's: a person is handed the conversation.
      byAi: { channel: 'sms' },
    });
    const agent = item({ kind: 'agent', id: 'ag_1' }, '2026-03-02T09:03:00.000Z');
    expect(lateFailureWait({ item: agent, placedAt: agent.at })).toEqual({
      conversationId: 'cv_1',
      at: '2026-03-02T09:03:00.000Z',
      answered: '2026-03-02T09:03:00.000Z',
      written: '2026-03-02T09:03:00.000Z',
      replied: '2026-03-02T09:03:00.000Z',
    });
    const automation = item({ kind: 'ai', id: 'automation' }, '2026-03-02T09:03:00.000Z');
    expect(lateFailureWait({ item: automation, placedAt: automation.at })).toBeUndefined();
    const { conversationId: _none, ...loose } = agent;
    expect(lateFailureWait({ item: loose, placedAt: agent.at })).toBeUndefined();
    expect(lateFailureWait({ item: { ...agent, data: {} }, placedAt: agent.at })).toBeUndefined();
  });

  it('starts the wait again from the time of a business app reply whose failed status came after its echo', () => {
    const echo = {
      id: 'whatsapp:wamid.OUT1',
      type: 'message' as const,
      direction: 'outbound' as const,
      contentType: 'text' as const,
      customerId: 'cu_1',
      conversationId: 'cv_1',
      at: '2026-03-02T09:04:00.000Z',
      status: 'failed' as const,
    };
    expect(lateFailureWait({ item: echo, placedAt: echo.at })).toEqual({
      conversationId: 'cv_1',
      at: '2026-03-02T09:04:00.000Z',
      answered: '2026-03-02T09:04:00.000Z',
      written: '2026-03-02T09:04:00.000Z',
      replied: '2026-03-02T09:04:00.000Z',
    });
    // An echoed reaction or an event kind we do not read answered nothing: nothing comes back.
    const reaction = { ...echo, contentType: 'unsupported' as const };
    expect(lateFailureWait({ item: reaction, placedAt: echo.at })).toBeUndefined();
    expect(
      lateFailureWait({ item: { ...echo, direction: 'inbound' as const }, placedAt: echo.at }),
    ).toBeUndefined();
  });
});

/** The envelopes of a Meta fixture, as the webhook normalises them. */
function metaFixture(name: string, change?: (message: Record<string, unknown>) => void) {
  const body = JSON.parse(readFileSync(new URL(`${name}.json`, META_FIXTURES), 'utf8'));
  change?.(body.entry[0].messaging[0].message);
  return normaliseMetaMessaging(body, { receivedAt: '2026-03-02T09:00:00.000Z', bodySha256: 'sha' })
    .envelopes[0] as Envelope;
}

describe('an answer from outside Threadline', () => {
  const echo = (contentType: 'text' | 'image' | 'unsupported') =>
    inboundText({ direction: 'outbound', contentType, providerMessageId: 'wamid.OUT1' });
  const colleague = (change: (message: Record<string, unknown>) => void) =>
    metaFixture('instagram_echo', change);

  it.each([
    ['a text echo', echo('text'), true],
    ['an image echo', echo('image'), true],
    ['an echo of a reaction, an edit or a deletion (unsupported)', echo('unsupported'), false],
    ["the customer's own message", inboundText(), false],
    ['a colleague’s Instagram text (echo)', metaFixture('instagram_echo'), true],
    // Instagram's own item for the brand's story that mentions the customer: nobody wrote in the thread.
    [
      'the brand’s story mentioning the customer (echo)',
      metaFixture('peer-instagram_story_mention_echo'),
      false,
    ],
    [
      'a colleague’s like (Instagram heart echo)',
      colleague((m) => {
        delete m.text;
        m.attachments = [{ type: 'like_heart' }];
      }),
      false,
    ],
    [
      'a colleague’s photo (echo)',
      colleague((m) => {
        delete m.text;
        m.attachments = [
          { type: 'image', payload: { url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1' } },
        ];
      }),
      true,
    ],
  ])('%s', (_name, envelope, answers) => {
    expect(isBusinessAnswer(envelope)).toBe(answers);
  });
});
