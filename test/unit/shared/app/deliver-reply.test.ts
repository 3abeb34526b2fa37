import { describe, expect, it, vi } from 'vitest';
import { deliverReply, type SenderDeps } from '#shared/app/deliver-reply.js';
import { WebchatSender } from '#shared/channels/webchat/send.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { type OutboundMessage, OutboundMessageSchema } from '#shared/domain/outbound.js';
import {
  CredentialsRefusedError,
  PermanentSendError,
  RetryableSendError,
} from '#shared/domain/send-errors.js';
import type { SendClaim, SenderStore } from '#shared/domain/sender-ports.js';
import { logger } from '#shared/log.js';

const NOW = '2025-06-10T12:00:00.000Z';

const message: OutboundMessage = OutboundMessageSchema.parse({
  id: 'rp_1',
  customerId: 'cu_1',
  conversationId: 'cv_1',
  at: NOW,
  channel: 'sms',
  to: { kind: 'phone', value: '+14155550100' },
  text: 'Your parcel left today.',
  author: { kind: 'agent', id: 'ag_1' },
});

/** A sender store that answers `claim` and records what it was told. */
function store(claim: SendClaim = 'claimed') {
  const calls: Array<[string, ...unknown[]]> = [];
  const fake: SenderStore = {
    claimSend: async () => {
      calls.push(['claim']);
      return claim;
    },
    releaseSend: async (_m, leaseUntil) => {
      calls.push(['released', leaseUntil]);
    },
    recordSent: async (_m, result, at) => {
      calls.push(['sent', result.providerMessageId, at]);
      return false;
    },
    recordSendFailure: async (_m, reason, at, gaveUp) => {
      calls.push(['failed', reason.code, at, ...(gaveUp ? ['gave up'] : [])]);
    },
  };
  return { fake, calls };
}

function deps(fake: SenderStore, send: () => Promise<{ providerMessageId: string }>): SenderDeps {
  return {
    store: fake,
    senders: { sms: { send } },
    clock: { now: () => new Date(NOW) },
    leaseMs: 60_000,
    maxAttempts: 3,
  };
}

const sent = async () => ({ providerMessageId: 'SM1' });

describe('deliverReply', () => {
  it('sends a claimed reply once and records the provider id', async () => {
    const { fake, calls } = store();
    await deliverReply(deps(fake, sent), message, 1);
    expect(calls).toEqual([['claim'], ['sent', 'SM1', NOW]]);
  });

  it("times `sent` no later than a status the provider reports during the send (the web chat's delivered)", async () => {
    const { fake, calls } = store();
    let ms = Date.parse(NOW);
    // Every reading of the clock is 7 ms after the one before.
    const clock = {
      now: () => {
        ms += 7;
        return new Date(ms);
      },
    };
    const queued: Envelope[] = [];
    const webchat = new WebchatSender({ queue: { enqueue: async (e) => void queued.push(...e) }, clock });
    const chat = OutboundMessageSchema.parse({
      ...message,
      channel: 'webchat',
      to: { kind: 'webchat_visitor', value: 'vs_1' },
    });
    await deliverReply({ ...deps(fake, sent), clock, senders: { webchat } }, chat, 1);
    const sentAt = calls.find((c) => c[0] === 'sent')?.[2] as string;
    const delivered = queued[0] as Envelope & { occurredAt: string };
    expect(delivered.occurredAt > sentAt).toBe(true);
  });

  it('drops a reply queued before its customer erasure began: no claim, no send, nothing written', async () => {
    const { fake, calls } = store();
    const asked: string[] = [];
    fake.customerGone = async (customerId) => {
      asked.push(customerId);
      return true;
    };
    let sends = 0;
    const send = async () => {
      sends += 1;
      return { providerMessageId: 'SM1' };
    };
    await deliverReply(deps(fake, send), message, 1);
    expect([asked, calls, sends]).toEqual([['cu_1'], [], 0]);
    // A customer still there is sent to, as before.
    fake.customerGone = async () => false;
    await deliverReply(deps(fake, send), message, 1);
    expect([calls, sends]).toEqual([[['claim'], ['sent', 'SM1', NOW]], 1]);
  });

  it('skips a reply already sent, and fails one another attempt is sending', async () => {
    const done = store('sent');
    await deliverReply(deps(done.fake, sent), message, 2);
    expect(done.calls).toEqual([['claim']]);
    const busy = store('busy');
    await expect(deliverReply(deps(busy.fake, sent), message, 2)).rejects.toThrow(/another attempt/);
    expect(busy.calls).toEqual([['claim']]);
  });

  it('marks a reply failed when its channel has no sender configured', async () => {
    const { fake, calls } = store();
    await deliverReply({ ...deps(fake, sent), senders: {} }, message, 1);
    expect(calls).toEqual([['claim'], ['failed', 'channel_not_configured', NOW]]);
  });

  it('marks a permanent refusal failed with the provider code, without a retry', async () => {
    const { fake, calls } = store();
    const refuse = async () => Promise.reject(new PermanentSendError('unreachable', '30003'));
    await deliverReply(deps(fake, refuse), message, 1);
    expect(calls).toEqual([['claim'], ['failed', '30003', NOW]]);
  });

  it("records Twilio's 21610 refusal as the number's opt-out, before the failure (a crash between redoes it)", async () => {
    const { fake, calls } = store();
    fake.setContactState = async (identity, state) => {
      calls.push(['contact', identity.value, state.blocked, state.at, state.envelopeId]);
    };
    const refuse = async () => Promise.reject(new PermanentSendError('the customer replied STOP', '21610'));
    await deliverReply(deps(fake, refuse), message, 1);
    expect(calls).toEqual([
      ['claim'],
      ['contact', '+14155550100', true, NOW, 'reply:rp_1'],
      ['failed', '21610', NOW],
    ]);
  });

  it('retries a throttled send, and gives up on the last attempt', async () => {
    const { fake, calls } = store();
    const throttled = async () => Promise.reject(new RetryableSendError('throttled'));
    await expect(deliverReply(deps(fake, throttled), message, 2)).rejects.toThrow(RetryableSendError);
    expect(calls).toEqual([['claim']]);
    await expect(deliverReply(deps(fake, throttled), message, 3)).rejects.toThrow(RetryableSendError);
    // Given up, not refused: what is stored says so, and a redrive of it sends it again.
    expect(calls).toEqual([['claim'], ['claim'], ['failed', 'gave_up', NOW, 'gave up']]);
  });

  it('sends again a reply given up on after retries (a redrive), and tells the clock it answered', async () => {
    const { fake, calls } = store('retry');
    const told: unknown[] = [];
    const track = async (event: unknown) => void told.push(event);
    await deliverReply({ ...deps(fake, sent), track }, message, 1);
    expect(calls).toEqual([['claim'], ['sent', 'SM1', NOW]]);
    // Answered at its own time, sent now (the silence auto-resolve counts starts at the send).
    expect(told).toEqual([{ type: 'reply', conversationId: 'cv_1', at: NOW, author: 'agent', sentAt: NOW }]);
    // A retry the provider refuses for good is recorded refused: no later redrive sends it.
    const refusing = store('retry');
    const refuse = async () => Promise.reject(new PermanentSendError('not a number', '21211'));
    await deliverReply({ ...deps(refusing.fake, refuse), track }, message, 1);
    expect(refusing.calls).toEqual([['claim'], ['failed', '21211', NOW]]);
  });

  it('logs at info that another attempt holds the reply, then fails this one to come back later', async () => {
    const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    try {
      const busy = store('busy');
      await expect(deliverReply(deps(busy.fake, sent), message, 2)).rejects.toThrow(/another attempt/);
      expect(info.mock.calls.map(([text]) => text)).toEqual([
        'reply being sent by another attempt, retried after its lease',
      ]);
    } finally {
      info.mockRestore();
    }
  });
});

describe('deliverReply: what a failed send logs', () => {
  const logged = async (error: Error, attempt: number) => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    try {
      await deliverReply(
        deps(store().fake, () => Promise.reject(error)),
        message,
        attempt,
      ).catch(() => undefined);
      return warn.mock.calls.map(([text, fields]) => [text, fields]);
    } finally {
      warn.mockRestore();
    }
  };

  it("logs the error's name and message, so a local SES send with no credentials says why", async () => {
    const missing = new Error('Region is missing');
    expect(await logged(missing, 1)).toEqual([
      [
        'reply will be retried',
        expect.objectContaining({ error: 'Error', errorMessage: 'Region is missing' }),
      ],
    ]);
    const refused = new PermanentSendError('SES refused the email (InvalidClientTokenId): bad token', 'x');
    expect(await logged(refused, 1)).toEqual([
      [
        'reply failed',
        expect.objectContaining({
          error: 'PermanentSendError',
          errorMessage: 'SES refused the email (InvalidClientTokenId): bad token',
        }),
      ],
    ]);
  });

  it('leaves addresses, numbers and long tokens out of the message, and cuts it short', async () => {
    const text =
      'Email address is not verified: vera@example.com, +447700900123; key AKIAIOSFODNN7EXAMPLEKEYVALUE00 ' +
      'x'.repeat(400);
    const [[, fields]] = (await logged(new Error(text), 1)) as [[string, { errorMessage: string }]];
    expect(fields.errorMessage).toMatch(
      /^Email address is not verified: \[address\] \[number\] key \[redacted\]/,
    );
    expect(fields.errorMessage).not.toMatch(/vera|7700900|AKIA/);
    expect(fields.errorMessage.length).toBeLessThanOrEqual(200);
  });
});

describe('deliverReply: our credentials refused (a token expired or revoked, an account paused)', () => {
  const said = 'WhatsApp refused our credentials (error 190, HTTP 401): renew the WhatsApp token';
  const refused = () => Promise.reject(new CredentialsRefusedError(said, '190'));

  it('retries the reply, not failed for good, and logs `channel credentials refused` (the alarm counts it)', async () => {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      const { fake, calls } = store();
      await expect(deliverReply(deps(fake, refused), message, 1)).rejects.toThrow(CredentialsRefusedError);
      expect(calls).toEqual([['claim']]);
      expect(error.mock.calls).toEqual([
        [
          'channel credentials refused',
          expect.objectContaining({ channel: 'sms', providerCode: '190', attempts: 1, replyId: 'rp_1' }),
        ],
      ]);
    } finally {
      error.mockRestore();
    }
  });

  it('gives it up on the last attempt (to the dead-letter queue, a redrive sends it), telling agents why', async () => {
    const { fake, calls } = store();
    const reasons: unknown[] = [];
    const recordSendFailure: SenderStore['recordSendFailure'] = async (m, reason, at, gaveUp) => {
      reasons.push(reason);
      await fake.recordSendFailure(m, reason, at, gaveUp);
    };
    const last = { ...deps(fake, refused), store: { ...fake, recordSendFailure } };
    await expect(deliverReply(last, message, 3)).rejects.toThrow(CredentialsRefusedError);
    expect(calls).toEqual([['claim'], ['failed', 'gave_up', NOW, 'gave up']]);
    expect(reasons).toEqual([
      { code: 'gave_up', message: `channel credentials refused: tell an admin (${said})` },
    ]);
  });
});

describe('deliverReply of a reply whose put holds the lease (the resolver)', () => {
  const held = { leaseUntil: '2025-06-10T12:01:00.000Z' };

  it('sends it without a claim, and records the provider id', async () => {
    const { fake, calls } = store();
    await deliverReply(deps(fake, sent), message, 0, held);
    expect(calls).toEqual([['sent', 'SM1', NOW]]);
  });

  it('releases the lease and throws on a retryable failure, so the sender can claim it at once', async () => {
    const { fake, calls } = store();
    const throttled = async () => Promise.reject(new RetryableSendError('throttled'));
    await expect(deliverReply(deps(fake, throttled), message, 0, held)).rejects.toThrow(RetryableSendError);
    expect(calls).toEqual([['released', held.leaseUntil]]);
  });

  it('records a permanent refusal failed, without releasing or throwing', async () => {
    const { fake, calls } = store();
    const refuse = async () => Promise.reject(new PermanentSendError('unreachable', '30003'));
    await deliverReply(deps(fake, refuse), message, 0, held);
    expect(calls).toEqual([['failed', '30003', NOW]]);
  });

  it('keeps the lease when the provider took the reply and recording it failed: never sent twice at once', async () => {
    const { fake, calls } = store();
    fake.recordSent = async () => Promise.reject(new Error('throttled by DynamoDB'));
    await expect(deliverReply(deps(fake, sent), message, 0, held)).rejects.toThrow(/DynamoDB/);
    expect(calls).toEqual([]);
  });

  it('builds the senders on first use only, and releases the lease when that fails', async () => {
    const { fake, calls } = store();
    let builds = 0;
    const lazy = async () => {
      builds++;
      if (builds === 1) throw new Error('secret unavailable');
      return { sms: { send: sent } };
    };
    const withLazy = { ...deps(fake, sent), senders: lazy };
    await expect(deliverReply(withLazy, message, 0, held)).rejects.toThrow(/secret/);
    expect(calls).toEqual([['released', held.leaseUntil]]);
    await deliverReply(withLazy, message, 0, held);
    expect(calls.at(-1)).toEqual(['sent', 'SM1', NOW]);
  });
});

describe('deliverReply: the customer stops waiting once an answer is sent', () => {
  /** The store above, with the conversation's waiting writes recorded in the same order. */
  function waitingStore() {
    const { fake, calls } = store();
    fake.markAnswered = async (conversationId, at) => {
      calls.push(['answered', conversationId, at]);
    };
    fake.startWaiting = async (conversationId, at, failed) => {
      calls.push(['waiting', conversationId, at, failed]);
    };
    return { fake, calls };
  }
  /** The AI's answer's place, right after the message it answers. */
  const PLACED = '2025-06-10T11:59:30.001Z';
  const aiAnswer = OutboundMessageSchema.parse({
    ...message,
    id: 'rp_ai',
    author: { kind: 'ai', id: 'responder' },
    placedAt: PLACED,
  });

  it("marks an agent's reply answered before it records it sent, at the reply's time", async () => {
    const { fake, calls } = waitingStore();
    await deliverReply(deps(fake, sent), message, 1);
    expect(calls).toEqual([['claim'], ['answered', 'cv_1', NOW], ['sent', 'SM1', NOW]]);
  });

  it('does what a sender that died after the provider call left undone, without a second send', async () => {
    const { fake, calls } = waitingStore();
    fake.claimSend = async () => {
      calls.push(['claim']);
      return { unsettled: 'SM_TAKEN' };
    };
    let sends = 0;
    const send = async () => {
      sends += 1;
      return { providerMessageId: 'SM2' };
    };
    await deliverReply(deps(fake, send), message, 2);
    expect(sends).toBe(0);
    expect(calls).toEqual([['claim'], ['answered', 'cv_1', NOW], ['sent', 'SM_TAKEN', NOW]]);
  });

  it("answers at the AI reply's place when that is later than its time (the provider's clock ahead)", async () => {
    const { fake, calls } = waitingStore();
    const ahead = { ...aiAnswer, placedAt: '2025-06-10T12:00:05.001Z' };
    await deliverReply(deps(fake, sent), ahead, 1);
    expect(calls).toContainEqual(['answered', 'cv_1', '2025-06-10T12:00:05.001Z']);
  });

  it('answers nothing with an automation message or a survey, nor with a reply that was not sent', async () => {
    const automation = waitingStore();
    const auto = { ...message, author: { kind: 'ai' as const, id: 'automation' } };
    await deliverReply(deps(automation.fake, sent), auto, 1);
    expect(automation.calls).toEqual([['claim'], ['sent', 'SM1', NOW]]);
    const refused = waitingStore();
    const refuse = async () => Promise.reject(new PermanentSendError('unreachable', '30003'));
    await deliverReply(deps(refused.fake, refuse), message, 1);
    expect(refused.calls).toEqual([['claim'], ['failed', '30003', NOW]]);
  });

  it("records no answer when the resolver's touch found nobody waiting, and still waits again on failure", async () => {
    const held = { leaseUntil: '2025-06-10T12:01:00.000Z', nobodyWaiting: true };
    const quiet = waitingStore();
    await deliverReply(deps(quiet.fake, sent), aiAnswer, 0, held);
    expect(quiet.calls).toEqual([['sent', 'SM1', NOW]]);
    const waiting = waitingStore();
    await deliverReply(deps(waiting.fake, sent), aiAnswer, 0, { leaseUntil: held.leaseUntil });
    // The AI's answer ends the wait as of its place after the message it answers.
    expect(waiting.calls).toEqual([
      ['answered', 'cv_1', PLACED],
      ['sent', 'SM1', NOW],
    ]);
    const refused = waitingStore();
    const refuse = async () => Promise.reject(new PermanentSendError('unreachable', '30003'));
    await deliverReply(deps(refused.fake, refuse), aiAnswer, 0, held);
    expect(refused.calls).toEqual([
      ['failed', '30003', NOW],
      ['waiting', 'cv_1', '2025-06-10T11:59:30.000Z', PLACED],
    ]);
  });

  it('waits again from the message an AI answer that failed for good was answering', async () => {
    const { fake, calls } = waitingStore();
    const refuse = async () => Promise.reject(new PermanentSendError('unreachable', '30003'));
    await deliverReply(deps(fake, refuse), aiAnswer, 1);
    expect(calls).toEqual([
      ['claim'],
      ['failed', '30003', NOW],
      ['waiting', 'cv_1', '2025-06-10T11:59:30.000Z', PLACED],
    ]);
    // A retryable failure is not the end: nothing changes until it is sent or given up.
    const retried = waitingStore();
    const throttled = async () => Promise.reject(new RetryableSendError('throttled'));
    await expect(deliverReply(deps(retried.fake, throttled), aiAnswer, 1)).rejects.toThrow();
    expect(retried.calls).toEqual([['claim']]);
  });

  it('waits again when a failed status came before the send was recorded (its webhook found no answer to undo)', async () => {
    const failedFirst = (reply: OutboundMessage) => {
      const { fake, calls } = waitingStore();
      fake.recordSent = async (_m, result, at) => {
        calls.push(['sent', result.providerMessageId, at]);
        return true;
      };
      fake.startWaitingAfterFailure = async (conversationId, at, failed) => {
        calls.push(['waiting again', conversationId, at, failed]);
        return true;
      };
      return deliverReply(deps(fake, sent), reply, 1).then(() => calls);
    };
    expect(await failedFirst(message)).toEqual([
      ['claim'],
      ['answered', 'cv_1', NOW],
      ['sent', 'SM1', NOW],
      ['waiting again', 'cv_1', NOW, NOW],
    ]);
    expect((await failedFirst(aiAnswer)).at(-1)).toEqual([
      'waiting again',
      'cv_1',
      '2025-06-10T11:59:30.000Z',
      PLACED,
    ]);
    const automation = { ...message, author: { kind: 'ai' as const, id: 'automation' } };
    expect(await failedFirst(automation)).toEqual([['claim'], ['sent', 'SM1', NOW]]);
  });

  it('reopens a conversation resolved since when a failed status came before the send was recorded', async () => {
    const { fake, calls } = waitingStore();
    fake.recordSent = async () => true;
    let open = false;
    fake.startWaitingAfterFailure = async (conversationId, at) => {
      calls.push(['waiting again', conversationId, at, String(open)]);
      return open;
    };
    fake.reopenAfterFailure = async (conversationId, at, failed, now) => {
      calls.push(['reopened and waiting', conversationId, at, failed, now]);
      open = true;
      return true;
    };
    await deliverReply(deps(fake, sent), message, 1);
    expect(calls.slice(-2)).toEqual([
      ['waiting again', 'cv_1', NOW, 'false'],
      ['reopened and waiting', 'cv_1', NOW, NOW, NOW],
    ]);
  });
});

describe('deliverReply: an answer the sender gives up on is taken back', () => {
  /** The store, with the first-response take-back and the conversation's waits recorded, and the clock told. */
  function takingBack() {
    const { fake, calls } = store();
    fake.markAnswered = async (conversationId, at) => {
      calls.push(['answered', conversationId, at]);
    };
    fake.startWaiting = async (conversationId, at, failed) => {
      calls.push(['waiting', conversationId, at, failed]);
    };
    fake.takeBackFirstResponse = async (conversationId, at) => {
      calls.push(['first response taken back', conversationId, at]);
      return true;
    };
    const track: SenderDeps['track'] = async (event) => {
      calls.push(['clock', event.type, event.conversationId, event.at]);
    };
    return { fake, calls, track };
  }
  const refuse = async () => Promise.reject(new PermanentSendError('unreachable', '30003'));
  const throttled = async () => Promise.reject(new RetryableSendError('throttled'));
  const aiAnswer = OutboundMessageSchema.parse({
    ...message,
    id: 'rp_ai',
    author: { kind: 'ai', id: 'responder' },
    placedAt: '2025-06-10T11:59:30.001Z',
  });

  it("takes back an agent's answer refused, given up, or on a channel not configured: first response, then the clock", async () => {
    const gaveUp: Array<[SenderDeps['senders'], number]> = [
      [{ sms: { send: refuse } }, 1],
      [{ sms: { send: throttled } }, 3],
      [{}, 1],
    ];
    for (const [senders, attempt] of gaveUp) {
      const { fake, calls, track } = takingBack();
      await deliverReply({ ...deps(fake, sent), senders, track }, message, attempt).catch(() => undefined);
      expect(calls.slice(1)).toEqual([
        ['failed', expect.any(String), NOW, ...(attempt === 3 ? ['gave up'] : [])],
        ['first response taken back', 'cv_1', NOW],
        ['clock', 'unanswered', 'cv_1', NOW],
      ]);
    }
  });

  it("takes back the AI's answer after its wait is back (the take-back's condition reads it)", async () => {
    const ahead = { ...aiAnswer, placedAt: '2025-06-10T12:00:05.001Z' };
    const { fake, calls, track } = takingBack();
    await deliverReply({ ...deps(fake, refuse), track }, ahead, 1);
    expect(calls).toEqual([
      ['claim'],
      ['failed', '30003', NOW],
      ['waiting', 'cv_1', '2025-06-10T12:00:05.000Z', '2025-06-10T12:00:05.001Z'],
      // Keyed on the reply's own time (its mark's); the clock on its time as an answer (its place here).
      ['first response taken back', 'cv_1', NOW],
      ['clock', 'unanswered', 'cv_1', '2025-06-10T12:00:05.001Z'],
    ]);
  });

  it("takes back the AI's web-chat answer to an anonymous visitor whose chat ended: failed, never counted as an answer", async () => {
    const { fake, calls, track } = takingBack();
    const queued: Envelope[] = [];
    const webchat = new WebchatSender({
      queue: { enqueue: async (e) => void queued.push(...e) },
      clock: { now: () => new Date(NOW) },
      sessions: { hasLiveSession: async () => false },
    });
    const toVisitor = {
      ...aiAnswer,
      channel: 'webchat' as const,
      to: { kind: 'webchat_visitor' as const, value: 'vs_1' },
    };
    await deliverReply({ ...deps(fake, sent), senders: { webchat }, track }, toVisitor, 1);
    expect(calls).toEqual([
      ['claim'],
      ['failed', 'webchat_session_ended', NOW],
      ['waiting', 'cv_1', '2025-06-10T11:59:30.000Z', '2025-06-10T11:59:30.001Z'],
      ['first response taken back', 'cv_1', NOW],
      ['clock', 'unanswered', 'cv_1', NOW],
    ]);
    expect(queued).toEqual([]);
  });

  it('adds nothing to a send that went out, nor to a retry, nor to an automation message given up', async () => {
    const ok = takingBack();
    await deliverReply({ ...deps(ok.fake, sent), track: ok.track }, message, 1);
    expect(ok.calls).toEqual([['claim'], ['answered', 'cv_1', NOW], ['sent', 'SM1', NOW]]);
    const retried = takingBack();
    await expect(
      deliverReply({ ...deps(retried.fake, throttled), track: retried.track }, message, 2),
    ).rejects.toThrow();
    expect(retried.calls).toEqual([['claim']]);
    const automation = takingBack();
    const auto = { ...message, author: { kind: 'ai' as const, id: 'automation' } };
    await deliverReply({ ...deps(automation.fake, refuse), track: automation.track }, auto, 1);
    expect(automation.calls).toEqual([['claim'], ['failed', '30003', NOW]]);
  });
});
