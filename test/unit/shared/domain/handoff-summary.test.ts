import { describe, expect, it } from 'vitest';
import { buildHandoffSummary, sentWithLine } from '#shared/domain/handoff-summary.js';
import { type ResponderContext, viewConversation } from '#shared/domain/responder.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';

const customer: Customer = {
  id: 'cu_1',
  identities: [{ kind: 'phone', value: '+14155559876' }],
  channels: ['voice'],
  createdAt: '2026-12-05T14:35:00.000Z',
  openConversationId: 'cv_1',
  lastInboundByChannel: {},
  tags: [],
  mergedFrom: [],
};
const RECORDING = 'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1';

const event = (id: string, at: string, name: string, extra: Partial<TimelineItem> = {}): TimelineItem => ({
  id,
  type: 'event',
  event: name,
  channel: 'voice',
  direction: 'inbound',
  at,
  customerId: 'cu_1',
  conversationId: 'cv_1',
  ...extra,
});

const ringing = event('call:ringing', '2026-12-05T14:35:00.000Z', 'call_ringing');
const voicemail = event('call:voicemail', '2026-12-05T14:35:30.000Z', 'call_voicemail', {
  data: { durationSeconds: 23, recordingUrl: RECORDING },
});

const summary = (timeline: TimelineItem[]) => {
  const context: ResponderContext = { customer, timeline, conversationId: 'cv_1' };
  return buildHandoffSummary(context, viewConversation(context));
};

describe('the hand-off summary of a voicemail', () => {
  it('says the caller left a voicemail and how long, not that nothing is unanswered', () => {
    const text = summary([ringing, voicemail]);
    expect(text).not.toContain('No unanswered message');
    expect(text).toContain('Left a voicemail (23 s), not transcribed yet.');
  });

  it('leaves out a voicemail hung up at the beep, and an SMS STOP, which ask nothing', () => {
    const empty = event('call:voicemail:0', '2026-12-05T14:30:00.000Z', 'call_voicemail', {
      data: { durationSeconds: 1, recordingUrl: `${RECORDING}0` },
    });
    const stop: TimelineItem = {
      id: 'sms:stop',
      type: 'message',
      direction: 'inbound',
      channel: 'sms',
      at: '2026-12-05T14:34:00.000Z',
      customerId: 'cu_1',
      conversationId: 'cv_1',
      text: 'STOP',
      data: { optOut: 'stop' },
    };
    const text = summary([empty, stop, ringing, voicemail]);
    expect(text).toContain('Left a voicemail (23 s), not transcribed yet.');
    expect(text).not.toContain('(1 s)');
    expect(text).not.toContain('STOP');
    expect(viewConversation({ customer, timeline: [stop], conversationId: 'cv_1' }).pending).toEqual([]);
  });

  it('quotes its transcription when it came before the hand-off', () => {
    const transcription = event('call:transcription', '2026-12-05T14:35:40.000Z', 'call_transcription', {
      text: 'Hi, this is Carla, order 4471 arrived broken.',
      data: { recordingUrl: RECORDING },
    });
    expect(summary([ringing, voicemail, transcription])).toContain(
      'Left a voicemail (23 s): "Hi, this is Carla, order 4471 arrived broken."',
    );
  });

  it('lists the channels the customer used, not one we wrote on', () => {
    // An after-hours acknowledgement by SMS to the caller: the caller never wrote by SMS.
    const acknowledgement: TimelineItem = {
      id: 'reply:ack',
      type: 'message',
      direction: 'outbound',
      channel: 'sms',
      at: '2026-12-05T14:35:01.000Z',
      customerId: 'cu_1',
      conversationId: 'cv_1',
      text: 'We are closed now.',
      data: { author: { kind: 'ai', id: 'automation' } },
    };
    expect(summary([ringing, acknowledgement, voicemail])).toContain('channels: phone.');
  });

  it('names no voicemail an agent has answered since', () => {
    const reply: TimelineItem = {
      id: 'reply:1',
      type: 'message',
      direction: 'outbound',
      channel: 'sms',
      at: '2026-12-05T14:40:00.000Z',
      customerId: 'cu_1',
      conversationId: 'cv_1',
      text: 'We will call you back.',
      data: { author: { kind: 'agent', id: 'dev' } },
    };
    const text = summary([ringing, voicemail, reply]);
    expect(text).toContain('No unanswered message.');
    expect(text).not.toContain('voicemail');
  });
});

/** A customer's message in `cv_1` (or `conversationId`). */
const message = (
  id: string,
  at: string,
  channel: 'sms' | 'whatsapp',
  text: string,
  conversationId = 'cv_1',
) =>
  ({
    id,
    type: 'message',
    direction: 'inbound',
    channel,
    at,
    customerId: 'cu_1',
    conversationId,
    text,
  }) as TimelineItem;

describe("the hand-off summary of a customer's history and channels", () => {
  it('names each message its own channel when they came on several', () => {
    const text = summary([
      message('sms:1', '2026-12-05T14:36:00.000Z', 'sms', 'Did you get my voicemail?'),
      message('wa:1', '2026-12-05T14:37:00.000Z', 'whatsapp', 'Also on WhatsApp'),
    ]);
    // Before: 'Asked on WhatsApp: "Did you get my voicemail?" / "Also on WhatsApp"'.
    expect(text).toContain('Asked: by SMS "Did you get my voicemail?" / on WhatsApp "Also on WhatsApp"');
    expect(summary([message('sms:2', '2026-12-05T14:36:00.000Z', 'sms', 'Hello')])).toContain(
      'Asked by SMS: "Hello"',
    );
  });

  it('says an Instagram message answers a story of the business, which its words lean on', () => {
    const reply = {
      ...message('ig:1', '2026-12-05T14:36:00.000Z', 'whatsapp', 'Is this available in red?'),
      channel: 'instagram' as const,
      data: {
        story: { id: '17900000000000001', url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1' },
      },
    };
    const text = summary([reply]);
    expect(text).toContain('Asked on Instagram: "Is this available in red?"');
    expect(text).toContain('replying to your Instagram story (open it from the message).');
    expect(summary([message('sms:3', '2026-12-05T14:36:00.000Z', 'sms', 'Red?')])).not.toContain('story');
  });

  it('quotes a long message of emoji without cutting one in half', () => {
    const text = summary([message('wa:2', '2026-12-05T14:36:00.000Z', 'whatsapp', '😀'.repeat(150))]);
    expect(text).not.toMatch(/\p{Cs}/u);
    expect(text).toContain(`"${'😀'.repeat(99)}…"`);
  });

  it('calls a caller back after a resolve, or with an earlier conversation, a returning customer', () => {
    const resolved = event('resolved:1', '2026-12-05T14:50:00.000Z', 'resolved', { channel: undefined });
    const again = event('call:voicemail:2', '2026-12-08T09:00:00.000Z', 'call_voicemail', {
      data: { durationSeconds: 12, recordingUrl: `${RECORDING}2` },
    });
    expect(summary([ringing, voicemail])).toContain('(first contact)');
    // Before, both read "(first contact)": a voicemail is no message, so nothing counted as earlier.
    expect(summary([ringing, voicemail, resolved, again])).toContain('(returning customer)');
    const before = event('call:voicemail:0', '2026-12-01T09:00:00.000Z', 'call_voicemail', {
      conversationId: 'cv_0',
      data: { durationSeconds: 30, recordingUrl: `${RECORDING}0` },
    });
    expect(summary([before, ringing, voicemail])).toContain('(returning customer)');
  });
});

describe('the hand-off note of a message sent with others', () => {
  const question = message('wa:1', '2026-12-05T14:36:00.000Z', 'whatsapp', 'What is your returns policy?');
  const photo: TimelineItem = {
    ...message('wa:2', '2026-12-05T14:36:01.000Z', 'whatsapp', ''),
    contentType: 'image',
  };
  const later = message('wa:3', '2026-12-05T14:36:07.000Z', 'whatsapp', 'Hello?');
  const other = message('wa:4', '2026-12-05T14:36:00.500Z', 'whatsapp', 'Elsewhere', 'cv_2');
  const viewOf = (timeline: TimelineItem[]) =>
    viewConversation({ customer, timeline, conversationId: 'cv_1' });

  it('quotes the question sent with a photo the note does not show as asked', () => {
    // Routed before the photo, or not yet: the responder's view of the photo shows only the photo.
    const line = sentWithLine([question, photo, later, other], viewOf([photo]), photo, 'cv_1');
    expect(line).toBe('Sent with it: "What is your returns policy?"');
  });

  it('adds nothing the note quotes already, or when nothing was sent with it', () => {
    expect(sentWithLine([question, photo], viewOf([question, photo]), photo, 'cv_1')).toBeUndefined();
    expect(sentWithLine([question, later], viewOf([later]), later, 'cv_1')).toBeUndefined();
  });
});
