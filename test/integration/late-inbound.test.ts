import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type ResolverDeps, receiveEnvelope } from '#shared/app/receive-envelope.js';
import { normaliseTwilioMessage } from '#shared/channels/twilio/normalise.js';
import { normaliseWhatsApp } from '#shared/channels/whatsapp/normalise.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { PROFILE_TIME_GRANULARITY_MS } from '#shared/domain/profile-touch.js';
import { type LocalDynamo, startLocalDynamo } from '#shared/local/dynamo.js';
import { dynamoRepositories, storePorts } from '#shared/store/dynamo-repositories.js';
import { randomIds } from '#shared/store/ids.js';
import { Keys } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { DynamoFaults, SimulatedCrash } from '../support/dynamo-faults.js';
import { twilioSms, whatsappEcho, whatsappText } from '../support/webhooks.js';

/**
 * The customer's last inbound message (`lastInboundAt`, and the profile's `lastInboundChannel`) moves
 * forward only, whatever order the resolver applies messages in: a crashed message that SQS brings back
 * after later events never moves them back, and one that is the customer's latest still moves them,
 * though an answer (the WhatsApp Business app's echo) or a resolve came after it. Its first delivery
 * may have written anything before it crashed: every k is tried.
 */

const TABLE = 'threadline-late-inbound';
const PHONE = '14155550177';
const at = (time: string) => `2026-03-02T${time}.000Z`;
const sha = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

function whatsapp(payload: unknown, receivedAt: string): Envelope[] {
  const out = normaliseWhatsApp(payload, { receivedAt, bodySha256: sha(payload) });
  expect(out.rejected).toEqual([]);
  return out.envelopes;
}
const whatsappAt = (id: string, time: string) =>
  whatsapp(whatsappText({ from: PHONE, messages: [{ id, at: at(time), text: `text ${id}` }] }), at(time));
/** An SMS, timed by our receipt of its webhook. */
const smsAt = (sid: string, time: string) =>
  normaliseTwilioMessage(twilioSms({ sid, from: `+${PHONE}`, text: `sms ${sid}` }), {
    receivedAt: at(time),
    bodySha256: sha(sid),
  });
const echoAt = (id: string, time: string) =>
  whatsapp(whatsappEcho({ to: PHONE, id, at: at(time), text: 'We are on it' }), at(time));

const SMS = 'SM00000000000000000000000000000077';
/**
 * The SMS's writes applied after the echo (stale touches), its first delivery having written nothing:
 * one more than before (10), the conversation's forward-only `lastInboundAt`; the profile's takes the
 * place of its channel's time.
 */
const LATE_SMS_WRITES = 11;
type Step = { name: string; envelopes: Envelope[] } | { name: string; resolveAt: string };

interface Harness {
  dynamo: LocalDynamo;
  faults: DynamoFaults;
  store: ReturnType<typeof storePorts>;
  deps: ResolverDeps & { now: string };
  /** Writes each step made, by name (the crashed attempt's and its redelivery's under their own). */
  writes: Record<string, number>;
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.dynamo.close();
  harness = undefined;
});

async function start(): Promise<Harness> {
  const dynamo = await startLocalDynamo({ tableName: TABLE });
  const faults = new DynamoFaults();
  faults.attach(dynamo.client);
  const store = storePorts(dynamoRepositories(documentClient(dynamo.client), TABLE));
  const deps: Harness['deps'] = {
    now: at('09:00:00'),
    store,
    clock: { now: () => new Date(deps.now) },
    ids: randomIds,
    phone: { defaultRegion: 'US' },
  };
  const started = { dynamo, faults, store, deps, writes: {} };
  harness = started;
  return started;
}

/** Applies a step at `now`; a crash after write `crashAfter` (counted from the step's start) is swallowed. */
async function apply(h: Harness, step: Step, now: string, crashAfter?: number): Promise<void> {
  h.deps.now = now;
  const before = h.faults.writes;
  h.faults.crashAfterWrite = crashAfter === undefined ? undefined : before + crashAfter;
  try {
    if ('resolveAt' in step) {
      const profile = await h.store.getCustomer(await customerId(h));
      const conversation = profile?.openConversationId ?? '';
      await h.store.resolveConversation(conversation, 'agent-ana', step.resolveAt);
    } else {
      for (const envelope of step.envelopes) await receiveEnvelope(h.deps, envelope);
    }
  } catch (error) {
    // The store wraps what the client threw (a crash reads as DynamoDB unavailable: SQS retries it).
    if (!(error instanceof SimulatedCrash || (error as Error).cause instanceof SimulatedCrash)) throw error;
  }
  h.faults.crashAfterWrite = undefined;
  h.writes[step.name] = (h.writes[step.name] ?? 0) + h.faults.writes - before;
}

async function customerId(h: Harness): Promise<string> {
  const id = await h.store.findCustomerId({ kind: 'phone', value: `+${PHONE}` }, { consistent: true });
  if (!id) throw new Error('no customer');
  return id;
}

/** The customer's profile and their open (else last) conversation, as stored. */
async function storedItems(h: Harness) {
  const doc = documentClient(h.dynamo.client);
  const id = await customerId(h);
  const profile =
    (await doc.get({ TableName: TABLE, Key: Keys.customer(id), ConsistentRead: true })).Item ?? {};
  const conversationId = String(profile.openConversationId ?? profile.lastConversationId);
  const conversation =
    (await doc.get({ TableName: TABLE, Key: Keys.conversation(conversationId), ConsistentRead: true }))
      .Item ?? {};
  return { profile, conversation };
}

/** What the test watches: the last inbound fields of the profile and of the customer's conversations. */
async function lastInbound(h: Harness) {
  const { profile, conversation } = await storedItems(h);
  return {
    profile: {
      lastInboundAt: profile.lastInboundAt,
      lastInboundChannel: profile.lastInboundChannel,
      lastInbound_sms: profile.lastInbound_sms,
      lastInbound_whatsapp: profile.lastInbound_whatsapp,
    },
    conversation: { lastInboundAt: conversation.lastInboundAt, status: conversation.status },
  };
}

/**
 * Runs `before`, then the SMS crashed after its k-th write (k = 0: it never ran), then `after`, then the
 * SMS's redelivery at `redeliveredAt`; answers what the run left, and the writes of each step.
 */
async function lateSms(
  steps: { before: Step[]; sms: Step; after: Step[]; redeliveredAt: string },
  k: number | 'clean',
) {
  const h = await start();
  for (const step of steps.before) await apply(h, step, nowOf(step));
  if (k === 'clean') {
    await apply(h, steps.sms, nowOf(steps.sms));
  } else if (k > 0) {
    await apply(h, { ...steps.sms, name: 'crashed sms' }, nowOf(steps.sms), k);
  }
  for (const step of steps.after) await apply(h, step, nowOf(step));
  if (k !== 'clean') await apply(h, steps.sms, steps.redeliveredAt);
  const { conversation } = await storedItems(h);
  const result = { state: await lastInbound(h), writes: h.writes, conversation };
  await h.dynamo.close();
  harness = undefined;
  return result;
}

/** A step runs a second after its event's time (a resolve, at its own). */
function nowOf(step: Step): string {
  if ('resolveAt' in step) return step.resolveAt;
  const time = Date.parse(step.envelopes[0]?.occurredAt ?? '') + 1_000;
  return new Date(time).toISOString();
}

/** Whether `time` is `latest` or less than the profile's granularity before it (the profile may lag so much). */
function lagging(time: unknown, latest: string): boolean {
  const lag = Date.parse(latest) - Date.parse(String(time));
  return lag >= 0 && lag < PROFILE_TIME_GRANULARITY_MS;
}

describe('resolver: the last inbound message moves forward only, whatever order messages come in', () => {
  const first: Step = { name: 'first whatsapp', envelopes: whatsappAt('wamid.LATE1', '09:00:00') };
  const sms: Step = { name: 'sms', envelopes: smsAt(SMS, '09:05:00') };

  it('a crashed SMS back after the Business app answered it is still the last inbound message', async () => {
    const echo: Step = { name: 'echo', envelopes: echoAt('wamid.LATEECHO', '09:20:00') };
    const steps = { before: [first], sms, after: [echo], redeliveredAt: at('09:30:00') };
    const clean = await lateSms(steps, 'clean');
    expect(clean.state.profile).toEqual({
      lastInboundAt: at('09:05:00'),
      lastInboundChannel: 'sms',
      lastInbound_sms: at('09:05:00'),
      lastInbound_whatsapp: at('09:00:00'),
    });
    expect(clean.state.conversation.lastInboundAt).toBe(at('09:05:00'));
    // In order: a first message (listed in the customer list by its profile's first write, no write
    // more), a returning customer's on another channel, an echo.
    expect(clean.writes).toEqual({ 'first whatsapp': 4, sms: 5, echo: 11 });
    for (let k = 0; k < (clean.writes.sms ?? 0); k++) {
      const late = await lateSms(steps, k);
      expect(late.state, `SMS crashed after write ${k}, back after the echo`).toEqual(clean.state);
      if (k === 0) expect(late.writes.sms, "the late SMS's writes").toBe(LATE_SMS_WRITES);
    }
  }, 60_000);

  it.each([
    ['within the profile granularity', '09:10:00', '09:20:00'],
    ['past the profile granularity', '09:30:00', '09:40:00'],
  ])(
    'a crashed SMS back after a later WhatsApp message (%s) moves nothing back',
    async (_, later, answered) => {
      const whatsappLater: Step = { name: 'later whatsapp', envelopes: whatsappAt('wamid.LATE2', later) };
      const echo: Step = { name: 'echo', envelopes: echoAt('wamid.LATEECHO', answered) };
      const steps = { before: [first], sms, after: [whatsappLater, echo], redeliveredAt: at('10:00:00') };
      const clean = await lateSms(steps, 'clean');
      expect(clean.state.profile).toEqual({
        lastInboundAt: at(later),
        lastInboundChannel: 'whatsapp',
        lastInbound_sms: at('09:05:00'),
        lastInbound_whatsapp: at(later),
      });
      for (let k = 0; k < (clean.writes.sms ?? 0); k++) {
        const { state } = await lateSms(steps, k);
        const where = `SMS crashed after write ${k}, back after a later message`;
        expect(state.conversation, where).toEqual(clean.state.conversation);
        // The profile keeps the later message's channel; its time may lag it by the granularity, no more.
        expect(state.profile, where).toMatchObject({
          lastInboundChannel: 'whatsapp',
          lastInbound_sms: at('09:05:00'),
        });
        expect(
          lagging(state.profile.lastInboundAt, at(later)),
          `${where}: ${state.profile.lastInboundAt}`,
        ).toBe(true);
        expect(state.profile.lastInbound_whatsapp, where).toBe(state.profile.lastInboundAt);
      }
    },
    60_000,
  );

  it('a crashed SMS back after the resolve reopens and is the last inbound message', async () => {
    const resolve: Step = { name: 'resolve', resolveAt: at('09:10:00') };
    const steps = { before: [first], sms, after: [resolve], redeliveredAt: at('09:30:00') };
    for (let k = 0; k < 5; k++) {
      const { state } = await lateSms(steps, k);
      const where = `SMS crashed after write ${k}, back after the resolve`;
      // Touched before the resolve (k ≥ 2), the agent saw it: no reopen.
      expect(state.conversation, where).toEqual({
        lastInboundAt: at('09:05:00'),
        status: k < 2 ? 'open' : 'resolved',
      });
      expect(state.profile, where).toMatchObject({
        lastInboundAt: at('09:05:00'),
        lastInboundChannel: 'sms',
      });
    }
  }, 60_000);

  it('a crashed SMS back after a later message and the resolve reopens, moving no last inbound time back', async () => {
    const whatsappLater: Step = { name: 'later whatsapp', envelopes: whatsappAt('wamid.LATE3', '09:30:00') };
    const resolve: Step = { name: 'resolve', resolveAt: at('09:40:00') };
    const steps = { before: [first], sms, after: [whatsappLater, resolve], redeliveredAt: at('10:00:00') };
    const { state, conversation } = await lateSms(steps, 0);
    expect(state.conversation).toEqual({ lastInboundAt: at('09:30:00'), status: 'open' });
    expect(state.profile).toMatchObject({ lastInboundAt: at('09:30:00'), lastInboundChannel: 'whatsapp' });
    // Its last message stays the later one, with its channel (before, both moved back to the SMS); the
    // wait runs from our webhook's receipt of the SMS, not from its redelivery's (which came at 10:00).
    expect(conversation).toMatchObject({
      lastMessageAt: at('09:30:00'),
      channel: 'whatsapp',
      waitingSince: at('09:05:00'),
    });
  }, 60_000);
});
