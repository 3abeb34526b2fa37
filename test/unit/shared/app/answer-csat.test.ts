import { describe, expect, it } from 'vitest';
import { answerCsat } from '#shared/app/answer-csat.js';
import { answerCsatLink } from '#shared/app/answer-csat-link.js';
import type { CsatStore } from '#shared/domain/csat/csat-ports.js';
import { signCsatToken } from '#shared/domain/csat/token.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { fakeCsatStore as fakeStore } from '../../../support/csat-store.js';

const SENT = '2026-12-03T10:10:00.000Z';
const pending = {
  surveyId: 'sv1',
  conversationId: 'cv_1',
  channel: 'whatsapp' as const,
  sentAt: SENT,
  until: '2026-12-06T10:10:00.000Z',
};
function message(id: string, text: string, at = '2026-12-03T10:20:00.000Z'): Envelope {
  return {
    id,
    provider: 'whatsapp',
    channel: 'whatsapp',
    occurredAt: at,
    receivedAt: at,
    rawRef: `whatsapp:x#/${id}`,
    kind: 'message',
    direction: 'inbound',
    providerMessageId: id,
    customer: { kind: 'phone', value: '+447700900555' },
    alsoKnownAs: [],
    contentType: 'text',
    text,
    attachments: [],
  };
}

describe('answerCsat', () => {
  it('records an answer once: a redelivery is the same answer and counts nothing more', async () => {
    const { store, items, counted } = fakeStore();
    const input = { envelope: message('whatsapp:m1', '5 lovely'), customerId: 'cu_1', pending };
    expect(await answerCsat(store, input)).toBe(true);
    expect(await answerCsat(store, input)).toBe(true);
    expect([...items.values()].map((i) => [i.event, i.at, i.data?.score, i.data?.comment])).toEqual([
      ['csat', SENT, 5, 'lovely'],
    ]);
    expect(counted).toEqual([
      {
        conversationId: 'cv_1',
        at: '2026-12-03T10:20:00.000Z',
        score: 5,
        channel: 'whatsapp',
        queue: 'billing',
        agent: 'ana',
        ai: false,
      },
    ]);
  });

  it('takes no score from a message in standby: it was said to the app that holds the thread', async () => {
    const { store, counted } = fakeStore();
    const standby = { ...message('messenger:m1', '5'), data: { standby: true } } as Envelope;
    const input = { envelope: standby, customerId: 'cu_1', pending };
    expect(await answerCsat(store, input)).toBe(false);
    expect(counted).toEqual([]);
    expect(await answerCsat(store, { ...input, envelope: message('whatsapp:m1', '5') })).toBe(true);
  });

  it('leaves a second, different answer to be a normal message', async () => {
    const { store, counted } = fakeStore();
    await answerCsat(store, { envelope: message('whatsapp:m1', '5'), customerId: 'cu_1', pending });
    expect(
      await answerCsat(store, { envelope: message('whatsapp:m2', '1'), customerId: 'cu_1', pending }),
    ).toBe(false);
    expect(counted).toHaveLength(1);
  });

  it("takes one score per survey whichever customer's copy answers first (an unmerge left two copies)", async () => {
    const { store, items, counted } = fakeStore();
    // The kept customer answered the survey a merge carried to it; after the unmerge the source's own
    // copy is still pending, and the source answers it too: the same survey, a second score.
    const kept = { envelope: message('whatsapp:m1', '5'), customerId: 'cu_kept', pending };
    const source = { envelope: message('whatsapp:m2', '2'), customerId: 'cu_1', pending };
    expect(await answerCsat(store, kept)).toBe(true);
    expect(await answerCsat(store, source)).toBe(false);
    // The other order: the source first, then a late answer through the kept customer's copy.
    const other = fakeStore();
    expect(await answerCsat(other.store, source)).toBe(true);
    expect(await answerCsat(other.store, kept)).toBe(false);
    expect([...items.values(), ...other.items.values()].map((i) => [i.customerId, i.data?.score])).toEqual([
      ['cu_kept', 5],
      ['cu_1', 2],
    ]);
    expect([...counted, ...other.counted]).toHaveLength(2);
    // A redelivery of the first answer is still that answer.
    expect(await answerCsat(store, kept)).toBe(true);
  });

  it('is no answer without a score, on another channel, or after the window', async () => {
    const { store, items } = fakeStore();
    const answer = (envelope: Envelope) => answerCsat(store, { envelope, customerId: 'cu_1', pending });
    expect(await answer(message('whatsapp:m1', 'where is my refund?'))).toBe(false);
    expect(await answer({ ...message('sms:m1', '5'), channel: 'sms' })).toBe(false);
    expect(await answer(message('whatsapp:m2', '5', '2026-12-07T10:00:00.000Z'))).toBe(false);
    expect(
      await answerCsat(store, {
        envelope: message('whatsapp:m3', '5'),
        customerId: 'cu_1',
        pending: undefined,
      }),
    ).toBe(false);
    expect(items.size).toBe(0);
  });
});

describe('answerCsatLink', () => {
  const SECRET = 'a-test-secret-of-at-least-32-characters';
  const now = new Date('2026-12-03T11:00:00.000Z');
  const token = (claims: Partial<Parameters<typeof signCsatToken>[0]> = {}) =>
    signCsatToken({ s: 'sv1', c: 'cv_1', u: 'cu_1', t: SENT, e: now.getTime() + 60_000, ...claims }, SECRET);
  const deps = (store: CsatStore) => ({ store, clock: { now: () => now }, secrets: [SECRET] });

  it('records the score, the same click again changes nothing, another score is told the first', async () => {
    const { store, counted } = fakeStore();
    expect(await answerCsatLink(deps(store), { token: token(), score: 4 })).toEqual({
      outcome: 'recorded',
      score: 4,
    });
    expect(await answerCsatLink(deps(store), { token: token(), score: 4 })).toEqual({
      outcome: 'recorded',
      score: 4,
    });
    expect(await answerCsatLink(deps(store), { token: token(), score: 2 })).toEqual({
      outcome: 'already_answered',
      score: 4,
    });
    expect(counted.map((t) => [t.score, t.channel])).toEqual([[4, 'email']]);
  });

  it('refuses a bad or expired token, and a conversation that is gone', async () => {
    const { store, items } = fakeStore();
    expect(await answerCsatLink(deps(store), { token: `${token()}x`, score: 4 })).toEqual({
      outcome: 'invalid',
    });
    expect(await answerCsatLink(deps(store), { token: token({ e: now.getTime() }), score: 4 })).toEqual({
      outcome: 'expired',
    });
    expect(await answerCsatLink(deps(store), { token: token({ c: 'cv_erased' }), score: 4 })).toEqual({
      outcome: 'gone',
    });
    expect(items.size).toBe(0);
  });
});
