import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { isRead, type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { twilioPoster } from '../support/webhooks.js';

const TWILIO_TOKEN = 'voicemail-action-twilio-token';
const ACCOUNT = 'ACvoicemailaction00000000000000000';

/**
 * The `<Record>` action (`/after-record`) names the recording as its callback does, and queues the
 * voicemail under the same id: a recording callback Twilio gave up on is made good, and when both come
 * the voicemail is filed, routed and told once. Through the local runtime with signed Twilio requests
 * to the URLs of the call's own TwiML, routing on, on manual time.
 */
describe('local runtime: a voicemail reaches the timeline once, by the action or the recording callback', () => {
  const clock = useClockRuntime({
    metaSecret: 'voicemail-action-meta-secret',
    agent: { token: agentToken('voicemail-action-ana-token') },
    policyFile: alwaysOpenPolicyFile(),
    routing: true,
    env: { TWILIO_AUTH_TOKEN: TWILIO_TOKEN },
    dynamoClient: (client) => {
      recordCalls(client, calls);
      return client;
    },
  });
  const calls: RecordedCall[] = [];
  const { idle, api } = clock;
  const { find, timeline } = customerReads(api);
  const post = twilioPoster(TWILIO_TOKEN, idle);

  /** Rings, then gives the callbacks of the answer's `<Record>` (absolute, with their overrides). */
  const call = async (from: string, sid: string) => {
    const params = {
      CallSid: sid,
      AccountSid: ACCOUNT,
      From: from,
      To: '+15005550006',
      Direction: 'inbound',
    };
    const answer = await post(`${clock.runtime.url}/webhooks/twilio/voice`, {
      ...params,
      CallStatus: 'ringing',
    });
    const attribute = (name: string) =>
      new RegExp(`${name}="([^"]+)"`).exec(answer)?.[1]?.replaceAll('&amp;', '&') ?? 'missing';
    const recording = `RE${sid.slice(2)}`;
    const recordingUrl = `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Recordings/${recording}`;
    return {
      afterRecord: () =>
        post(attribute('action'), {
          ...params,
          CallStatus: 'in-progress',
          RecordingUrl: recordingUrl,
          RecordingDuration: '12',
          Digits: 'hangup',
        }),
      recordingCallback: () =>
        post(attribute('recordingStatusCallback'), {
          AccountSid: ACCOUNT,
          CallSid: sid,
          RecordingSid: recording,
          RecordingUrl: recordingUrl,
          RecordingStatus: 'completed',
          RecordingDuration: '12',
        }),
    };
  };
  const voicemails = async (customerId: string) =>
    (await timeline(customerId)).filter((item: TimelineItem) => item.event === 'call_voicemail');
  const routed = async (customerId: string) =>
    (await timeline(customerId)).filter((item: TimelineItem) => item.event === 'routed');

  it('files the voicemail from the action when the recording callback never comes', async () => {
    const c = await call('+14155550191', 'CAvoicemailaction00000000000000001');
    const farewell = await c.afterRecord();
    expect(farewell).toContain('<Hangup/>');
    const customer = await find('+14155550191');
    expect(await voicemails(customer.id)).toMatchObject([{ data: { durationSeconds: 12 } }]);
    expect(await routed(customer.id)).toHaveLength(1);
  });

  it('files it once when both come, in either order', async () => {
    const first = await call('+14155550192', 'CAvoicemailaction00000000000000002');
    await first.afterRecord();
    await first.recordingCallback();
    const second = await call('+14155550193', 'CAvoicemailaction00000000000000003');
    await second.recordingCallback();
    calls.length = 0;
    await second.afterRecord();
    // The second is a redelivery to the resolver, at a redelivery's bounded cost whatever the history:
    // its timeline item's write-once put fails (1 unit), the rest is reads and idempotent updates.
    const duplicate = calls.filter((c) => !c.pk.startsWith('LIVE#'));
    const kind = (c: RecordedCall) =>
      `${c.command} ${c.pk.replace(/#.*/, '')} ${c.sk.replace(/#.*/, '')}${c.failed ? ' (failed)' : ''}`;
    expect(duplicate.filter((c) => !isRead(c)).map(kind)).toEqual([
      'UpdateItem MESSAGE MESSAGE',
      'PutItem CUSTOMER TIMELINE (failed)',
      'UpdateItem CONVERSATION CONVERSATION',
    ]);
    expect(duplicate.filter(isRead)).toHaveLength(5);
    for (const phone of ['+14155550192', '+14155550193']) {
      const customer = await find(phone);
      expect(await voicemails(customer.id), phone).toHaveLength(1);
      expect(await routed(customer.id), phone).toHaveLength(1);
    }
  });
});
