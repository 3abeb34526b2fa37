import { describe, expect, it } from 'vitest';
import { deliverReply, type SenderDeps } from '#shared/app/deliver-reply.js';
import { OutboundMessageSchema } from '#shared/domain/outbound.js';
import { PermanentSendError } from '#shared/domain/send-errors.js';
import type { SenderStore } from '#shared/domain/sender-ports.js';
import type { Customer } from '#shared/domain/timeline.js';

const NOW = '2025-06-10T12:00:00.000Z';
const ASKED = '2025-06-10T11:59:30.000Z';
const PLACED = '2025-06-10T11:59:30.001Z';

const aiAnswer = OutboundMessageSchema.parse({
  id: 'ai:SM1',
  customerId: 'cu_1',
  conversationId: 'cv_1',
  at: NOW,
  placedAt: PLACED,
  channel: 'sms',
  to: { kind: 'phone', value: '+14155550100' },
  text: 'Standard shipping takes 2 to 4 days.',
  author: { kind: 'ai', id: 'responder' },
});

/** The customer's profile, with the channels they wrote on. */
const profile = (channels: string[]) =>
  ({
    id: 'cu_1',
    lastInboundChannel: 'sms',
    channels,
    mergedFrom: [],
    identities: [],
  }) as unknown as Customer;

/** A sender store that records what it is told; the customer wrote on `channels`. */
function recording(channels: string[]) {
  const calls: unknown[][] = [];
  const fake: SenderStore = {
    claimSend: async () => 'claimed',
    releaseSend: async () => {},
    recordSent: async () => false,
    recordSendFailure: async (_m, reason) => void calls.push(['failed', reason.code]),
    setContactState: async (identity, state) => void calls.push(['opted out', identity.value, state.at]),
    mergedCustomers: async (id) => {
      calls.push(['profiles', id]);
      return { partitions: [id], customers: [profile(channels)] };
    },
    startWaiting: async (id, at, failed, _received, owes) => {
      calls.push(['waiting', id, at, failed, owes?.answer]);
      return true;
    },
    owedHandOff: async () => undefined,
    handOffMade: async (id, answer) => void calls.push(['hand-off made', id, answer]),
    takeBackFirstResponse: async (id, at) => {
      calls.push(['first response taken back', id, at]);
      return true;
    },
    dropUnreachableWait: async (id, since) => void calls.push(['wait dropped', id, since]),
  };
  const deps: SenderDeps = {
    store: fake,
    senders: {
      sms: { send: () => Promise.reject(new PermanentSendError('the customer replied STOP', '21610')) },
    },
    clock: { now: () => new Date(NOW) },
    leaseMs: 60_000,
    maxAttempts: 3,
    track: async (event) => void calls.push(['clock', event.type, event.at]),
    undelivered: async (wait, reason, at, unreachable) =>
      void calls.push([unreachable ? 'unreachable note' : 'handed off', wait.written, reason, at]),
  };
  return { deps, calls };
}

describe("deliverReply: the AI's SMS Twilio refuses for a STOP (21610)", () => {
  it('ends the wait as a STOP does when SMS was the only channel: a note, the wait gone, no hand-off', async () => {
    const { deps, calls } = recording(['sms']);
    await deliverReply(deps, aiAnswer, 1);
    expect(calls).toEqual([
      ['opted out', '+14155550100', NOW],
      ['failed', '21610'],
      ['profiles', 'cu_1'],
      // The wait back, so the first response it was is taken back; gone again last.
      ['waiting', 'cv_1', ASKED, PLACED, undefined],
      ['first response taken back', 'cv_1', NOW],
      ['unreachable note', NOW, '21610', NOW],
      // At the answer's time (its own, later than its place): the target it met comes back, then
      // stops with no breach; the silence counts from it.
      ['clock', 'unanswered', NOW],
      ['clock', 'unreachable', NOW],
      ['wait dropped', 'cv_1', ASKED],
    ]);
  });

  it('hands it off, the note saying SMS was refused, when the customer also wrote on WhatsApp', async () => {
    const { deps, calls } = recording(['sms', 'whatsapp']);
    await deliverReply(deps, aiAnswer, 1);
    expect(calls).toEqual([
      ['opted out', '+14155550100', NOW],
      ['failed', '21610'],
      ['profiles', 'cu_1'],
      ['waiting', 'cv_1', ASKED, PLACED, NOW],
      ['first response taken back', 'cv_1', NOW],
      ['handed off', NOW, expect.stringContaining('SMS refused, the customer opted out (STOP)'), NOW],
      ['hand-off made', 'cv_1', NOW],
      ['clock', 'unanswered', NOW],
    ]);
  });

  it('reads no profile for another refusal, nor for an agent', async () => {
    const { deps, calls } = recording(['sms']);
    deps.senders = { sms: { send: () => Promise.reject(new PermanentSendError('unreachable', '30003')) } };
    await deliverReply(deps, aiAnswer, 1);
    const agent = recording(['sms']);
    const byAgent = {
      ...aiAnswer,
      id: 'rp_1',
      placedAt: undefined,
      author: { kind: 'agent', id: 'ag_1' },
    } as const;
    await deliverReply(agent.deps, byAgent, 1);
    expect([...calls, ...agent.calls].filter((c) => c[0] === 'profiles')).toEqual([]);
  });
});
