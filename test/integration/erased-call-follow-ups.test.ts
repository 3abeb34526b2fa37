import { describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordInto } from '../support/call-recorder.js';
import { stillTimers } from '../support/manual-timers.js';
import { SECRETS } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { deliver, signedTwilio } from '../support/webhooks.js';

const TOKEN = agentToken('erased-call-admin-token');
const PHONE = '+14155550600';
const BUSINESS = '+15005550006';
const ACCOUNT = 'AC00000000000000000000000000000600';
/** The answered call that left a voicemail, and one that rang out before the erasure. */
const CALL = 'CA000000000000000000000000000000600';
const MISSED = 'CA000000000000000000000000000000601';
const CARD = '4111 1111 1111 1111';

/**
 * Twilio tells about a call after it rang: its end (`/status`), the transcript of its voicemail
 * (`/transcription`), the recording itself (`/recording`). Those of a call whose customer was erased
 * in between are news of what the erasure took, not a new word from the person: QA found they started
 * a new customer holding the call's end and the whole transcript. Each is dropped on one read of the
 * marker the erasure left under the call's own id.
 */
describe('local runtime: what Twilio sends about an erased call brings nothing back', () => {
  const calls: RecordedCall[] = [];
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `admin-ava:${TOKEN}:admin` },
    timers: stillTimers(),
    dynamoClient: recordInto(calls),
  });
  const api = agentCaller(() => runtime.url, TOKEN);
  const search = async () =>
    (await api<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(PHONE)}`)).items;
  const twilio = async (path: string, params: Record<string, string>) => {
    const answer = await deliver(signedTwilio(`${runtime.url}${path}`, params, SECRETS.twilio));
    expect(answer.status, path).toBeLessThan(300);
    await runtime.idle();
    return answer.body;
  };
  const caller = { AccountSid: ACCOUNT, From: PHONE, To: BUSINESS, Direction: 'inbound' };
  const ring = (sid: string) =>
    twilio('/webhooks/twilio/voice', { ...caller, CallSid: sid, CallStatus: 'ringing' });
  const recording = (sid: string, recordingSid: string) =>
    twilio(`/webhooks/twilio/voice/recording?${new URLSearchParams({ From: PHONE, To: BUSINESS })}`, {
      AccountSid: ACCOUNT,
      CallSid: sid,
      RecordingSid: recordingSid,
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Recordings/${recordingSid}`,
      RecordingStatus: 'completed',
      RecordingDuration: '9',
    });
  const status = (sid: string, callStatus: string) =>
    twilio('/webhooks/twilio/voice/status', {
      ...caller,
      CallSid: sid,
      CallStatus: callStatus,
      CallDuration: '31',
    });
  const transcription = (sid: string) =>
    twilio('/webhooks/twilio/voice/transcription', {
      ...caller,
      CallSid: sid,
      TranscriptionSid: 'TR000000000000000000000000000000600',
      TranscriptionStatus: 'completed',
      TranscriptionText: `My card number is ${CARD}`,
      RecordingSid: 'RE000000000000000000000000000000600',
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Recordings/RE000000000000000000000000000000600`,
    });
  const table = async () => {
    const client = inspectionClient(runtime.dynamoEndpoint);
    const items = await scanTable(client, 'threadline');
    client.destroy();
    return JSON.stringify(items, (_key, value: unknown) => (value instanceof Set ? [...value] : value));
  };
  /** The writes a step made to an identity or a customer's partition (a customer started or touched). */
  const customerWrites = () =>
    calls.filter(
      (c) =>
        !/^(Get|Query|BatchGet)/.test(c.command) &&
        (c.pk.startsWith('IDENTITY#') || c.pk.startsWith('CUSTOMER#') || c.pk.startsWith('CONVERSATION#')),
    );

  it("drops the call's end, its missed status, its transcript and a late recording, one read each", async () => {
    await ring(CALL);
    await recording(CALL, 'RE000000000000000000000000000000600');
    await ring(MISSED);
    const [customer] = await search();
    expect(customer).toBeDefined();
    expect(await api('DELETE', `/api/customers/${customer?.id}`)).toMatchObject({ complete: true });

    calls.length = 0;
    await status(CALL, 'completed');
    await transcription(CALL);
    await recording(CALL, 'RE000000000000000000000000000000602');
    await status(MISSED, 'no-answer');

    expect(customerWrites()).toEqual([]);
    // Bounded: past the identity's look, one BatchGetItem of the call's marker (and of its reference,
    // where an erasure before the markers were hashed left it) per callback; nothing is queried.
    expect(calls.filter((c) => c.command === 'BatchGetItem')).toHaveLength(4);
    expect(calls.filter((c) => c.command === 'Scan' || c.command === 'Query')).toEqual([]);
    expect(await search()).toEqual([]);
    expect(await table()).not.toContain(CARD);
  });

  it('keeps a new call of the same person, and drops a late transcript of the erased one under their new customer', async () => {
    await ring('CA000000000000000000000000000000609');
    const [back] = await search();
    expect(back).toBeDefined();
    calls.length = 0;
    await transcription(CALL);
    await status(CALL, 'completed');
    expect(await table()).not.toContain(CARD);
    expect(customerWrites()).toEqual([]);
    const { items } = await api<{ items: TimelineItem[] }>('GET', `/api/customers/${back?.id}/timeline`);
    expect(items.map((item) => item.event)).toEqual(['call_ringing']);
  });
});
