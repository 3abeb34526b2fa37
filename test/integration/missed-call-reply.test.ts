import { describe, expect, it } from 'vitest';
import type { ChannelOption } from '#shared/domain/replies.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { agentCaller, agentRequest, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { SECRETS } from '../support/runtime.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { deliver, signedTwilio } from '../support/webhooks.js';

const TOKEN = agentToken('missed-call-reply-token');
const ACCOUNT = 'AC00000000000000000000000000000700';
const BUSINESS = '+15005550006';

/**
 * A caller whose call was missed (no answer, or a hang-up at the beep: a one-second recording) has
 * written nothing, so their profile has no last inbound channel; the channels route offers SMS on the
 * number they called from. QA: a reply through the API without a channel was 422 `no_channel`, "the
 * customer has never written to us", though the README says a caller is answered by SMS.
 */
describe('local runtime: a reply to a caller whose call was missed goes by SMS', () => {
  const runtime = useTestRuntime({ env: { AGENT_TOKENS: `agent-ana:${TOKEN}` } });
  const api = agentCaller(() => runtime.url, TOKEN);
  const request = agentRequest(() => runtime.url, TOKEN);
  const { find, timeline } = customerReads(api);
  const twilio = async (path: string, params: Record<string, string>) => {
    const answer = await deliver(signedTwilio(`${runtime.url}${path}`, params, SECRETS.twilio));
    expect(answer.status, path).toBeLessThan(300);
    await runtime.idle();
  };
  const ring = (from: string, sid: string) =>
    twilio('/webhooks/twilio/voice', {
      AccountSid: ACCOUNT,
      CallSid: sid,
      From: from,
      To: BUSINESS,
      Direction: 'inbound',
      CallStatus: 'ringing',
    });
  const status = (from: string, sid: string, callStatus: string) =>
    twilio('/webhooks/twilio/voice/status', {
      AccountSid: ACCOUNT,
      CallSid: sid,
      From: from,
      To: BUSINESS,
      Direction: 'inbound',
      CallStatus: callStatus,
      CallDuration: '0',
    });
  const hangUpAtTheBeep = (from: string, sid: string) =>
    twilio(`/webhooks/twilio/voice/recording?${new URLSearchParams({ From: from, To: BUSINESS })}`, {
      AccountSid: ACCOUNT,
      CallSid: sid,
      RecordingSid: `RE${sid.slice(2)}`,
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Recordings/RE${sid.slice(2)}`,
      RecordingStatus: 'completed',
      RecordingDuration: '1',
    });

  /** Replies without naming a channel, as QA did, once the channels route offered SMS alone. */
  const replyByDefault = async (customer: Customer) => {
    expect(customer.lastInboundChannel).toBeUndefined();
    const channels = await api<ChannelOption[]>('GET', `/api/customers/${customer.id}/channels`);
    expect(channels).toEqual([expect.objectContaining({ channel: 'sms', available: true })]);
    const reply = await request<{ reply?: TimelineItem; error?: { code: string } }>(
      'POST',
      `/api/conversations/${customer.openConversationId}/replies`,
      { text: 'Sorry we missed your call' },
    );
    expect(reply.json.error).toBeUndefined();
    expect(reply.status).toBe(202);
    expect(reply.json.reply?.channel).toBe('sms');
    await runtime.idle();
    const sent = (await timeline(customer.id)).filter(
      (item: TimelineItem) => item.type === 'message' && item.direction === 'outbound',
    );
    expect(sent).toMatchObject([{ channel: 'sms', text: 'Sorry we missed your call', status: 'sent' }]);
  };

  it('answers a call nobody picked up (no-answer) by SMS when no channel is named', async () => {
    const phone = '+14155550701';
    await ring(phone, 'CA000000000000000000000000000000701');
    await status(phone, 'CA000000000000000000000000000000701', 'no-answer');
    await replyByDefault(await find(phone));
  });

  it('answers a caller who hung up at the beep (a one-second recording) by SMS', async () => {
    const phone = '+14155550702';
    await ring(phone, 'CA000000000000000000000000000000702');
    await hangUpAtTheBeep(phone, 'CA000000000000000000000000000000702');
    await status(phone, 'CA000000000000000000000000000000702', 'completed');
    await replyByDefault(await find(phone));
  });
});
