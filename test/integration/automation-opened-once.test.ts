import { describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { deliver, signedMeta, signedTwilio, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'opened-once-meta-secret';
const TWILIO_TOKEN = 'opened-once-twilio-token';
const ACKNOWLEDGEMENT = 'Thanks: we are closed now and will answer when we open.';

/** The shipped policy with an acknowledgement sent when a conversation opens, as "we are closed" is. */
function policyFile(): string {
  return shippedPolicyFileWith((policy) => {
    policy.automations = [
      {
        name: 'opened-acknowledgement',
        trigger: 'conversation_opened',
        actions: [{ type: 'reply', channel: 'last', text: ACKNOWLEDGEMENT }],
      },
    ];
  });
}

/**
 * A conversation opens once, however many of the customer's messages were timed before the resolver
 * wrote it: before, each of them read as its first message and the customer got one acknowledgement per
 * message (three SMS for one voicemail: its ringing, recording and hang-up).
 */
describe('local runtime: a conversation_opened rule fires once per opening', () => {
  const clock = useClockRuntime({
    metaSecret: META_SECRET,
    agent: { token: agentToken('opened-once-token') },
    policyFile: policyFile(),
    env: { TWILIO_AUTH_TOKEN: TWILIO_TOKEN },
  });
  const { manual, idle, api } = clock;

  const acknowledgements = async (q: string) => {
    const found = await api<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(q)}`);
    const id = found.items[0]?.id;
    expect(id, q).toBeDefined();
    const timeline = await api<{ items: TimelineItem[] }>('GET', `/api/customers/${id}/timeline`);
    return timeline.items.filter((item) => item.type === 'message' && item.text === ACKNOWLEDGEMENT);
  };

  it('answers a phone’s queued WhatsApp messages, delivered together, once', async () => {
    const at = (secondsAgo: number) => new Date(manual.now() - secondsAgo * 1000).toISOString();
    const payload = whatsappText({
      from: '14155550161',
      messages: [
        { id: 'wamid.OPENED1', at: at(3), text: 'Hello' },
        { id: 'wamid.OPENED2', at: at(2), text: 'My vase arrived broken' },
        { id: 'wamid.OPENED3', at: at(1), text: 'Order 4471' },
      ],
    });
    const answer = await deliver(signedMeta(clock.runtime.url, '/webhooks/whatsapp', payload, META_SECRET));
    expect(answer.status).toBe(200);
    await idle();
    expect(await acknowledgements('+14155550161')).toHaveLength(1);
  });

  it('texts a caller who leaves a voicemail once, whenever the call’s callbacks are taken', async () => {
    const call = {
      CallSid: 'CAopened00000000000000000000000001',
      AccountSid: 'ACopened00000000000000000000000000',
      From: '+14155550162',
      To: '+15005550006',
      Direction: 'inbound',
    };
    const post = async (path: string, params: Record<string, string>) => {
      const answer = await deliver(signedTwilio(`${clock.runtime.url}${path}`, params, TWILIO_TOKEN));
      expect(answer.status, path).toBeLessThan(300);
      // Twilio stamps nothing: each callback is timed on arrival, a second after the one before.
      manual.advance(1000);
    };
    await post('/webhooks/twilio/voice', { ...call, CallStatus: 'ringing' });
    await post(`/webhooks/twilio/voice/recording?${new URLSearchParams({ From: call.From, To: call.To })}`, {
      AccountSid: call.AccountSid,
      CallSid: call.CallSid,
      RecordingSid: 'REopened00000000000000000000000001',
      RecordingUrl:
        'https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/REopened00000000000000000000000001',
      RecordingStatus: 'completed',
      RecordingDuration: '14',
    });
    await post('/webhooks/twilio/voice/status', { ...call, CallStatus: 'completed', CallDuration: '20' });
    await idle();
    const sent = await acknowledgements('+14155550162');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.channel).toBe('sms');
  });
});
