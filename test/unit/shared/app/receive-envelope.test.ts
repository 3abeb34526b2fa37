import { describe, expect, expectTypeOf, it } from 'vitest';
import { type ResolverDeps, receiveEnvelope } from '#shared/app/receive-envelope.js';
import { nextConversationId } from '#shared/domain/conversation.js';
import type { Envelope } from '#shared/domain/envelope.js';
import type { ConversationTouch, ResolverStore } from '#shared/domain/resolver-ports.js';
import { envelope, inboundText, status } from '../../fakes/envelopes.js';
import { MemoryStore } from '../../fakes/memory-store.js';

function deps(store = new MemoryStore()): ResolverDeps & { store: MemoryStore } {
  let n = 0;
  return {
    store,
    clock: { now: () => new Date('2025-06-08T21:00:00.000Z') },
    ids: { customerId: () => `cu_${++n}` },
  };
}

/** A WhatsApp user_changed_number event: the customer's new number. */
const numberChanged = (): Envelope =>
  envelope({
    ...inboundText(),
    id: 'whatsapp:msg:wamid.SYS',
    kind: 'system',
    event: 'identity_changed',
    providerMessageId: 'wamid.SYS',
    occurredAt: '2025-06-09T08:00:00.000Z',
    newIdentity: { kind: 'phone', value: '+16505550000' },
    text: 'User changed from 16505551234 to 16505550000',
  });

const echo = (id: string, at: string): Envelope =>
  envelope({
    ...inboundText(),
    id: `whatsapp:msg:${id}`,
    providerMessageId: id,
    direction: 'outbound',
    occurredAt: at,
    text: 'We are on it',
  });

function normalised(store: MemoryStore): unknown {
  const customerId = store.identities.get('phone#+16505551234') ?? 'missing';
  const conversationId = store.profiles.get(customerId)?.openConversationId ?? 'missing';
  return JSON.parse(
    JSON.stringify(store.timeline(customerId))
      .replaceAll(customerId, 'CUSTOMER')
      .replaceAll(conversationId, 'CONV'),
  );
}

/** The agent resolves the customer's open conversation at `at`, as the agent API's writes leave it. */
function resolve(store: MemoryStore, customerId: string, at: string): void {
  const profile = store.profiles.get(customerId);
  const id = profile?.openConversationId;
  const row = id ? store.conversations.get(id) : undefined;
  if (!profile || !id || !row) throw new Error(`${customerId} has no open conversation`);
  Object.assign(row, { status: 'resolved', resolvedAt: at });
  delete row.waitingSince;
  delete profile.openConversationId;
  Object.assign(profile, { lastConversationId: id, lastResolvedAt: at });
}

describe('receiveEnvelope', () => {
  it('creates a customer on first contact and puts the message on their timeline', async () => {
    const d = deps();
    const result = await receiveEnvelope(d, inboundText());
    expect(result).toEqual({
      customerId: 'cu_1',
      conversationId: nextConversationId('cu_1', undefined),
      written: true,
    });
    expect(d.store.identities.get('phone#+16505551234')).toBe('cu_1');
    expect(d.store.profiles.get('cu_1')?.name).toBe('Sheena Nelson');
    expect(d.store.timeline('cu_1').map((i) => [i.id, i.direction, i.text])).toEqual([
      ['whatsapp:wamid.IN1', 'inbound', 'Hello, my order has not arrived'],
    ]);
    // In the customer list, by the profile's first write.
    expect([...d.store.listed.keys()]).toEqual(['cu_1']);
  });

  it('keeps one item when the same envelope is delivered four times', async () => {
    const d = deps();
    for (let i = 0; i < 4; i++) await receiveEnvelope(d, inboundText());
    expect(d.store.timeline('cu_1')).toHaveLength(1);
    expect(d.store.profiles.size).toBe(1);
  });

  it('continues the open conversation for a returning customer', async () => {
    const d = deps();
    const first = await receiveEnvelope(d, inboundText());
    const second = await receiveEnvelope(
      d,
      inboundText({ providerMessageId: 'wamid.IN2', occurredAt: '2025-06-08T21:05:00.000Z' }),
    );
    expect(second.customerId).toBe(first.customerId);
    expect(second.conversationId).toBe(first.conversationId);
    expect(d.store.timeline('cu_1').map((i) => i.providerMessageId)).toEqual(['wamid.IN1', 'wamid.IN2']);
    // Listed by the first message only: a returning customer's touch does not ask to list them.
    expect(d.store.touches.filter((t) => t.firstContact).map((t) => t.at)).toEqual([
      '2025-06-08T20:59:43.000Z',
    ]);
  });

  it('gives two concurrent first messages from one person one customer', async () => {
    const d = deps();
    const results = await Promise.all([
      receiveEnvelope(d, inboundText()),
      receiveEnvelope(d, inboundText({ providerMessageId: 'wamid.IN2' })),
    ]);
    expect(new Set(results.map((r) => r.customerId)).size).toBe(1);
    expect(d.store.timeline(results[0]?.customerId ?? '')).toHaveLength(2);
  });

  it('converges to the same state after a crash at any write', async () => {
    const journey = [inboundText(), echo('wamid.OUT1', '2025-06-08T21:01:00.000Z')];
    const clean = deps();
    for (const e of journey) await receiveEnvelope(clean, e);

    for (let k = 1; k <= clean.store.writes; k++) {
      const crashed = deps();
      crashed.store.failOnWrite = k;
      for (const e of journey) {
        await receiveEnvelope(crashed, e).catch(() => undefined);
      }
      crashed.store.failOnWrite = undefined;
      for (const e of journey) await receiveEnvelope(crashed, e);
      // A crash before the identity claim lands means the retry mints another customer id; compare
      // the state with ids replaced by the identity that found them.
      expect(normalised(crashed.store), `crash at write ${k}`).toEqual(normalised(clean.store));
      expect(crashed.store.profiles.size).toBe(1);
      // A crash before the profile's first write: the retry finds no profile, and that write lists them.
      expect(crashed.store.listed.size, `crash at write ${k}`).toBe(1);
    }
  });

  it('reopens on a message timed before the resolve but received after it, once, whatever write a crash stops at', async () => {
    // Sent at 20:59:50 (WhatsApp's whole second), delivered at 21:00:00, after the 20:59:50.400 resolve.
    const late = inboundText({ providerMessageId: 'wamid.LATE', occurredAt: '2025-06-08T20:59:50.000Z' });
    const resolvedCustomer = async () => {
      const d = deps();
      await receiveEnvelope(d, inboundText());
      resolve(d.store, 'cu_1', '2025-06-08T20:59:50.400Z');
      d.store.writes = 0;
      return d;
    };
    const clean = await resolvedCustomer();
    await receiveEnvelope(clean, late);
    const conversationId = nextConversationId('cu_1', undefined);
    expect(clean.store.conversations.get(conversationId)).toMatchObject({
      status: 'open',
      waitingSince: '2025-06-08T20:59:50.000Z',
    });
    expect(clean.store.profiles.get('cu_1')?.openConversationId).toBe(conversationId);
    expect(clean.store.timeline('cu_1').at(-1)).toMatchObject({
      id: 'whatsapp:wamid.LATE',
      receivedAt: '2025-06-08T21:00:00.000Z',
    });

    for (let k = 1; k <= clean.store.writes; k++) {
      const crashed = await resolvedCustomer();
      crashed.store.failOnWrite = k;
      await receiveEnvelope(crashed, late).catch(() => undefined);
      crashed.store.failOnWrite = undefined;
      await receiveEnvelope(crashed, late);
      expect(normalised(crashed.store), `crash at write ${k}`).toEqual(normalised(clean.store));
      expect(crashed.store.conversations.get(conversationId), `crash at write ${k}`).toMatchObject({
        status: 'open',
      });
    }

    // Resolved again, the same message delivered again reopens nothing: it was placed, and seen.
    resolve(clean.store, 'cu_1', '2025-06-08T21:00:05.000Z');
    await receiveEnvelope(clean, late);
    expect(clean.store.conversations.get(conversationId)?.status).toBe('resolved');
    expect(clean.store.profiles.get('cu_1')?.openConversationId).toBeUndefined();
  });

  it('moves an outbound message forward only, whatever order its statuses arrive in', async () => {
    const d = deps();
    await receiveEnvelope(d, inboundText());
    await receiveEnvelope(d, echo('wamid.OUT1', '2025-06-08T21:01:00.000Z'));
    await receiveEnvelope(d, status('wamid.OUT1', 'read', '2025-06-08T21:03:00.000Z'));
    await receiveEnvelope(d, status('wamid.OUT1', 'delivered', '2025-06-08T21:02:00.000Z'));
    await receiveEnvelope(d, status('wamid.OUT1', 'sent', '2025-06-08T21:01:30.000Z'));
    const out = d.store.timeline('cu_1').find((i) => i.providerMessageId === 'wamid.OUT1');
    expect(out?.status).toBe('read');
  });

  it('starts the wait again when a reply the provider took fails later, only while it stands at failed', async () => {
    const d = deps();
    await receiveEnvelope(d, inboundText());
    const conversationId = d.store.profiles.get('cu_1')?.openConversationId ?? 'missing';
    const reply = (id: string, author: { kind: 'agent' | 'ai'; id: string }, at: string) => ({
      id: `reply:${id}`,
      type: 'message' as const,
      direction: 'outbound' as const,
      channel: 'whatsapp' as const,
      customerId: 'cu_1',
      conversationId,
      at,
      providerMessageId: `wamid.${id}`,
      status: 'sent' as const,
      data: { author },
    });
    const restarts: string[][] = [];
    d.store.startWaitingAfterFailure = async (id, at, failed) => restarts.push([id, at, failed]) > 0;
    for (const item of [
      reply('rp_1', { kind: 'agent', id: 'ag_1' }, '2025-06-08T21:01:00.000Z'),
      reply('rp_2', { kind: 'agent', id: 'ag_1' }, '2025-06-08T21:01:10.000Z'),
      reply('rp_3', { kind: 'ai', id: 'automation' }, '2025-06-08T21:01:20.000Z'),
    ]) {
      await d.store.putTimelineItem(item, undefined);
      await d.store.linkOutbound(item);
    }
    await receiveEnvelope(d, status('wamid.rp_1', 'delivered', '2025-06-08T21:02:00.000Z'));
    await receiveEnvelope(d, status('wamid.rp_1', 'failed', '2025-06-08T21:03:00.000Z'));
    // Redelivered: the store's conditional write decides, so it is asked again.
    await receiveEnvelope(d, status('wamid.rp_1', 'failed', '2025-06-08T21:03:00.000Z'));
    await receiveEnvelope(d, status('wamid.rp_2', 'read', '2025-06-08T21:02:00.000Z'));
    await receiveEnvelope(d, status('wamid.rp_2', 'failed', '2025-06-08T21:03:00.000Z'));
    await receiveEnvelope(d, status('wamid.rp_3', 'failed', '2025-06-08T21:03:00.000Z'));
    const once = [conversationId, '2025-06-08T21:01:00.000Z', '2025-06-08T21:01:00.000Z'];
    expect(restarts).toEqual([once, once]);
  });

  it('keeps a status that arrives before its message and applies it when the message lands', async () => {
    const d = deps();
    await receiveEnvelope(d, status('wamid.OUT1', 'delivered', '2025-06-08T21:02:00.000Z'));
    expect(d.store.refs.get('whatsapp#wamid.OUT1')?.status).toBe('delivered');
    await receiveEnvelope(d, echo('wamid.OUT1', '2025-06-08T21:01:00.000Z'));
    const out = d.store.timeline('cu_1').find((i) => i.providerMessageId === 'wamid.OUT1');
    expect(out?.status).toBe('delivered');
  });

  it('links an outbound message answering, as the DynamoDB store does, whether a failed status that came first moved it', async () => {
    expectTypeOf<ReturnType<ResolverStore['linkOutbound']>>().toEqualTypeOf<Promise<boolean>>();
    const d = deps();
    await receiveEnvelope(d, echo('wamid.OUT1', '2025-06-08T21:01:00.000Z'));
    await receiveEnvelope(d, status('wamid.OUT2', 'failed', '2025-06-08T21:02:00.000Z'));
    await receiveEnvelope(d, echo('wamid.OUT2', '2025-06-08T21:01:30.000Z'));
    const [first, second] = d.store.timeline('cu_1').filter((i) => i.direction === 'outbound');
    expect(first && (await d.store.linkOutbound(first))).toBe(false);
    // The item already stands at `failed`: linking again moves nothing.
    expect(second?.status).toBe('failed');
    expect(second && (await d.store.linkOutbound(second))).toBe(false);
    // A failed status parked before its message: linking the message moves it to `failed`, once.
    const fresh = new MemoryStore();
    await fresh.advanceStatus(status('wamid.OUT2', 'failed', '2025-06-08T21:02:00.000Z'));
    if (!second) throw new Error('no second outbound message');
    const sent = { ...second, status: 'sent' as const };
    await fresh.putTimelineItem(sent);
    expect(await fresh.linkOutbound(sent)).toBe(true);
    expect(await fresh.linkOutbound(sent)).toBe(false);
  });

  it('joins a second identity from the same payload unless another customer holds it', async () => {
    const d = deps();
    await receiveEnvelope(
      d,
      inboundText({ alsoKnownAs: [{ kind: 'whatsapp', value: 'US.13491208655302741918' }] }),
    );
    expect(d.store.identities.get('whatsapp#US.13491208655302741918')).toBe('cu_1');

    await receiveEnvelope(
      d,
      inboundText({
        providerMessageId: 'wamid.OTHER',
        customer: { kind: 'phone', value: '+447700900123' },
        alsoKnownAs: [{ kind: 'whatsapp', value: 'US.13491208655302741918' }],
      }),
    );
    expect(d.store.identities.get('phone#+447700900123')).toBe('cu_2');
    expect(d.store.identities.get('whatsapp#US.13491208655302741918')).toBe('cu_1');
  });

  it('gives the new number of a user_changed_number event to the same customer', async () => {
    const d = deps();
    await receiveEnvelope(d, inboundText());
    await receiveEnvelope(d, numberChanged());
    expect(d.store.identities.get('phone#+16505550000')).toBe('cu_1');
    expect(d.store.timeline('cu_1').map((i) => i.event ?? i.type)).toEqual(['message', 'identity_changed']);
  });

  it('sends WhatsApp replies to the new number of a number change, and lets the old one go', async () => {
    const d = deps();
    await receiveEnvelope(d, inboundText());
    await receiveEnvelope(d, numberChanged());
    expect(d.store.identities.has('phone#+16505551234')).toBe(false);
    const profile = d.store.profiles.get('cu_1');
    expect([...(profile?.identities ?? [])]).toEqual(['phone#+16505550000']);
    expect(d.store.touches.at(-1)?.whatsappAddress).toBe('+16505550000');
    // The provider's retry finds the customer by the new number: nothing twice, nobody new.
    await receiveEnvelope(d, numberChanged());
    expect(d.store.profiles.size).toBe(1);
    expect(d.store.timeline('cu_1').map((i) => i.event ?? i.type)).toEqual(['message', 'identity_changed']);
    // Whoever writes from the old number next is a customer of their own.
    await receiveEnvelope(d, inboundText({ providerMessageId: 'wamid.NEXT', id: 'whatsapp:msg:wamid.NEXT' }));
    expect(d.store.identities.get('phone#+16505551234')).toBe('cu_2');
    expect(d.store.timeline('cu_1')).toHaveLength(2);
  });

  it('completes a number change that crashed after any of its writes when it is delivered again', async () => {
    let crashes = 0;
    for (let k = 1; ; k += 1) {
      const d = deps();
      await receiveEnvelope(d, inboundText());
      d.store.failOnWrite = d.store.writes + k;
      const crashed = await receiveEnvelope(d, numberChanged()).then(
        () => false,
        () => true,
      );
      d.store.failOnWrite = undefined;
      if (!crashed) break;
      crashes += 1;
      await receiveEnvelope(d, numberChanged());
      expect(d.store.identities.get('phone#+16505550000'), `crash at write ${k}`).toBe('cu_1');
      expect(d.store.identities.has('phone#+16505551234'), `crash at write ${k}`).toBe(false);
      expect([...(d.store.profiles.get('cu_1')?.identities ?? [])]).toEqual(['phone#+16505550000']);
      expect(d.store.profiles.size).toBe(1);
      expect(d.store.timeline('cu_1')).toHaveLength(2);
    }
    expect(crashes).toBeGreaterThan(3);
  });

  it('keeps the new number to its holder when someone else has it, and still lets the old one go', async () => {
    const d = deps();
    d.store.identities.set('phone#+16505550000', 'cu_other');
    await receiveEnvelope(d, inboundText());
    await receiveEnvelope(d, numberChanged());
    expect(d.store.identities.get('phone#+16505550000')).toBe('cu_other');
    expect(d.store.identities.has('phone#+16505551234')).toBe(false);
    // Replies stay on the number they last wrote from until they write again: the new one is not theirs.
    // Filed beside (quiet), the change then has nothing for the profile: no touch for it at all.
    expect(d.store.touches.map((t) => t.whatsappAddress)).toEqual(['+16505551234']);
  });

  it('takes an identity over from an erased customer it was claimed for as their erasure ran', async () => {
    const d = deps();
    // A delivery begun before cu_gone's erasure claimed the BSUID and the new number after it.
    d.store.identities.set('whatsapp#US.13491208655302741918', 'cu_gone');
    d.store.identities.set('phone#+16505550000', 'cu_gone');
    d.store.erasedCustomers.add('cu_gone');
    d.store.identities.set('phone#+447700900999', 'cu_live');
    await receiveEnvelope(
      d,
      inboundText({
        alsoKnownAs: [
          { kind: 'whatsapp', value: 'US.13491208655302741918' },
          { kind: 'phone', value: '+447700900999' },
        ],
      }),
    );
    await receiveEnvelope(d, numberChanged());
    expect(d.store.identities.get('whatsapp#US.13491208655302741918')).toBe('cu_1');
    expect(d.store.identities.get('phone#+16505550000')).toBe('cu_1');
    // A live customer's stays theirs: a suggestion, as before.
    expect(d.store.identities.get('phone#+447700900999')).toBe('cu_live');
  });

  it('keeps aside, once, a WhatsApp identity notice of someone never seen: no customer', async () => {
    const d = deps();
    // A new security key (`customer_identity_changed`): no new identity.
    const securityKey = envelope({
      ...numberChanged(),
      id: 'whatsapp:msg:wamid.KEY',
      newIdentity: undefined,
    });
    for (const notice of [numberChanged(), numberChanged(), securityKey]) {
      expect(await receiveEnvelope(d, notice)).toEqual({ written: true });
    }
    expect([...d.store.providerEvents.keys()]).toEqual(['whatsapp:msg:wamid.SYS', 'whatsapp:msg:wamid.KEY']);
    expect([d.store.identities.size, d.store.profiles.size, d.store.conversations.size]).toEqual([0, 0, 0]);
  });

  it('keeps an account-level provider error that names no customer', async () => {
    const d = deps();
    await receiveEnvelope(
      d,
      envelope({
        ...inboundText(),
        id: 'whatsapp:error:abc:0:0:0',
        kind: 'system',
        event: 'provider_error',
        providerMessageId: 'error-0',
        customer: undefined,
        errors: [{ code: '130429', title: 'Rate limit hit' }],
      }),
    );
    expect(d.store.providerEvents.has('whatsapp:error:abc:0:0:0')).toBe(true);
    expect(d.store.profiles.size).toBe(0);
  });

  it('joins an email reply to the conversation of the message it answers', async () => {
    const d = deps();
    const email = (id: string, at: string, data: Record<string, unknown>) =>
      envelope({
        ...inboundText(),
        id: `ses:msg:${id}`,
        provider: 'ses',
        channel: 'email',
        providerMessageId: id,
        occurredAt: at,
        customer: { kind: 'email', value: 'sheena@example.com' },
        data,
      });
    const first = await receiveEnvelope(
      d,
      email('ses-1', '2025-06-08T20:00:00.000Z', { messageId: '<a@mail.example>' }),
    );
    // The customer's conversation moved on (resolved and a new one opened).
    const profile = d.store.profiles.get(first.customerId ?? '');
    if (profile) profile.openConversationId = 'cv_later';
    const reply = await receiveEnvelope(
      d,
      email('ses-2', '2025-06-09T09:00:00.000Z', {
        messageId: '<b@mail.example>',
        inReplyTo: '<a@mail.example>',
        references: ['<a@mail.example>'],
      }),
    );
    expect(reply.conversationId).toBe(first.conversationId);
    const unrelated = await receiveEnvelope(
      d,
      email('ses-3', '2025-06-09T10:00:00.000Z', { messageId: '<c@mail.example>', inReplyTo: '<unknown@x>' }),
    );
    // Answering the old thread made it the open conversation again.
    expect(unrelated.conversationId).toBe(first.conversationId);
  });

  it('records STOP and START as the contact state of the number, the later one winning in any order', async () => {
    const sms = (id: string, at: string, optOut: string) =>
      envelope({
        ...inboundText(),
        id: `twilio:msg:${id}`,
        provider: 'twilio',
        channel: 'sms',
        providerMessageId: id,
        occurredAt: at,
        text: optOut.toUpperCase(),
        data: { optOut },
      });
    const d = deps();
    await receiveEnvelope(d, sms('SM2', '2025-06-09T10:00:00.000Z', 'start'));
    await receiveEnvelope(d, sms('SM1', '2025-06-09T09:00:00.000Z', 'stop'));
    expect(d.store.contacts.get('phone#+16505551234')).toMatchObject({
      blocked: false,
      reason: 'opted in (START)',
    });
    await receiveEnvelope(d, sms('SM3', '2025-06-09T11:00:00.000Z', 'stop'));
    expect(d.store.contacts.get('phone#+16505551234')).toMatchObject({ blocked: true });
  });

  /** An SMS keyword as Twilio's normaliser gives it: no provider time, so timed at its arrival. */
  const keyword = (sid: string, arrivedAt: string, optOut: 'stop' | 'start') =>
    envelope({
      ...inboundText(),
      id: `twilio:msg:${sid}`,
      provider: 'twilio',
      channel: 'sms',
      providerMessageId: sid,
      occurredAt: arrivedAt,
      providerTime: false,
      text: optOut.toUpperCase(),
      data: { optOut },
    });

  /** The number's contact state after these keywords, each `[sid, arrival, keyword]`, in this order. */
  const lastWord = async (keywords: Array<[string, string, 'stop' | 'start']>) => {
    const d = deps();
    for (const [sid, at, word] of keywords) await receiveEnvelope(d, keyword(sid, at, word));
    return d.store.contacts.get('phone#+16505551234');
  };

  it("leaves the contact state alone on Twilio's resend of an old START or STOP (timed at the resend's arrival)", async () => {
    expect(
      await lastWord([
        ['SMqa320', '2025-06-09T10:00:00.000Z', 'start'],
        ['SMqa321', '2025-06-09T10:01:00.000Z', 'stop'],
        ['SMqa320', '2025-06-09T10:02:00.000Z', 'start'],
      ]),
    ).toMatchObject({ blocked: true, at: '2025-06-09T10:01:00.000Z', envelopeId: 'twilio:msg:SMqa321' });
    expect(
      await lastWord([
        ['SMqa311', '2025-06-09T10:00:00.000Z', 'stop'],
        ['SMqa312', '2025-06-09T10:01:00.000Z', 'start'],
        ['SMqa311', '2025-06-09T10:02:00.000Z', 'stop'],
      ]),
    ).toMatchObject({ blocked: false, at: '2025-06-09T10:01:00.000Z' });
  });

  it("sets a keyword's contact state on the retry when its first delivery crashed before it, at the first delivery's time", async () => {
    const store = new MemoryStore();
    const setContactState = store.setContactState.bind(store);
    let crashes = 1;
    store.setContactState = async (identity, state) => {
      if (crashes-- > 0) throw new Error('Lambda crashed');
      return setContactState(identity, state);
    };
    const d = deps(store);
    await expect(receiveEnvelope(d, keyword('SMqa330', '2025-06-09T10:00:00.000Z', 'stop'))).rejects.toThrow(
      'crashed',
    );
    expect(store.contacts.size).toBe(0);
    await receiveEnvelope(d, keyword('SMqa330', '2025-06-09T10:05:00.000Z', 'stop'));
    expect(store.contacts.get('phone#+16505551234')).toMatchObject({
      blocked: true,
      at: '2025-06-09T10:00:00.000Z',
    });
    // A START in between the crash and the retry stays the last word.
    const later = deps();
    const crashing = later.store.setContactState.bind(later.store);
    let once = 1;
    later.store.setContactState = async (identity, state) => {
      if (once-- > 0) throw new Error('Lambda crashed');
      return crashing(identity, state);
    };
    await expect(
      receiveEnvelope(later, keyword('SMqa340', '2025-06-09T10:00:00.000Z', 'stop')),
    ).rejects.toThrow('crashed');
    await receiveEnvelope(later, keyword('SMqa341', '2025-06-09T10:01:00.000Z', 'start'));
    await receiveEnvelope(later, keyword('SMqa340', '2025-06-09T10:02:00.000Z', 'stop'));
    expect(later.store.contacts.get('phone#+16505551234')).toMatchObject({ blocked: false });
  });

  /** SES's permanent bounce of the mail `m1` to `address`, as the SES normaliser gives it. */
  const bounce = (address: string, at = '2025-06-08T21:10:00.000Z') =>
    envelope({
      ...inboundText(),
      id: 'ses:suppressed:m1:bounce:5e0f',
      provider: 'ses',
      channel: 'email',
      kind: 'system',
      event: 'suppressed',
      providerMessageId: 'm1',
      occurredAt: at,
      customer: { kind: 'email', value: address },
      text: 'email address suppressed after a permanent bounce',
      errors: [{ code: 'bounce:Permanent:General' }],
    });

  /** Ida's mail (Reply-To: the desk) and our reply to it, sent to the desk as SES's `m1`. */
  async function idaAnswered(d: ReturnType<typeof deps>) {
    const mail = await receiveEnvelope(
      d,
      envelope({
        ...inboundText(),
        id: 'ses:msg:in-1',
        provider: 'ses',
        channel: 'email',
        providerMessageId: 'in-1',
        customer: { kind: 'email', value: 'ida@acme.example' },
        data: { replyToAddresses: ['desk@acme.example'] },
      }),
    );
    const reply = {
      id: 'reply:rp_1',
      type: 'message' as const,
      direction: 'outbound' as const,
      channel: 'email' as const,
      customerId: mail.customerId ?? '',
      conversationId: mail.conversationId ?? '',
      at: '2025-06-08T21:05:00.000Z',
      providerMessageId: 'm1',
      status: 'sent' as const,
    };
    await d.store.putTimelineItem(reply);
    await d.store.linkOutbound(reply);
    return { customerId: reply.customerId, conversationId: reply.conversationId };
  }

  it('suppresses the address of a bounce of no mail of ours, with no customer for it', async () => {
    const d = deps();
    expect(await receiveEnvelope(d, bounce('sheena@example.com'))).toEqual({ written: true });
    expect(d.store.contacts.get('email#sheena@example.com')).toMatchObject({
      blocked: true,
      reason: 'bounce:Permanent:General',
    });
    // Before, the bounce's recipient became a customer of its own, holding the address.
    expect(d.store.identities.size).toBe(0);
    expect(d.store.profiles.size).toBe(0);
    expect(d.store.timelines.size).toBe(0);
  });

  it("puts the bounce of our reply on the reply's customer, in its conversation, once", async () => {
    const d = deps();
    const ida = await idaAnswered(d);
    for (let i = 0; i < 2; i++) {
      expect(await receiveEnvelope(d, bounce('desk@acme.example'))).toEqual({ ...ida, written: i === 0 });
    }
    expect(d.store.contacts.get('email#desk@acme.example')).toMatchObject({ blocked: true });
    // No customer of its own, and the desk's address is no identity of Ida's.
    expect([...d.store.identities.keys()]).toEqual(['email#ida@acme.example']);
    expect(d.store.profiles.size).toBe(1);
    expect([...(d.store.profiles.get(ida.customerId)?.identities ?? [])]).toEqual(['email#ida@acme.example']);
    const events = d.store.timeline(ida.customerId).filter((item) => item.event === 'suppressed');
    expect(events.map((e) => [e.conversationId, e.from?.value])).toEqual([
      [ida.conversationId, 'desk@acme.example'],
    ]);
  });

  it('leaves a conversation the bounce is not in as it is', async () => {
    const d = deps();
    const ida = await idaAnswered(d);
    resolve(d.store, ida.customerId, '2025-06-08T21:06:00.000Z');
    const before = structuredClone(d.store.conversations.get(ida.conversationId));
    await receiveEnvelope(d, bounce('desk@acme.example'));
    // Filed in the reply's conversation, which it does not reopen (the `failed` status decides that).
    expect(d.store.conversations.get(ida.conversationId)).toEqual(before);
    expect(d.store.profiles.get(ida.customerId)?.openConversationId).toBeUndefined();
    expect(d.store.timeline(ida.customerId).filter((i) => i.event === 'suppressed')).toHaveLength(1);
  });

  it('drops the bounce of a mail an erasure took, writing nothing', async () => {
    const d = deps();
    d.store.erasedRefs.add('email#m1');
    expect(await receiveEnvelope(d, bounce('desk@acme.example'))).toEqual({ written: false });
    expect(d.store.contacts.size).toBe(0);
    expect(d.store.identities.size).toBe(0);
    expect(d.store.profiles.size).toBe(0);
  });

  it('keeps quarantined mail on the timeline without making anyone wait for an answer', async () => {
    const d = deps();
    const result = await receiveEnvelope(
      d,
      envelope({
        ...inboundText(),
        id: 'ses:msg:spam-1',
        provider: 'ses',
        channel: 'email',
        providerMessageId: 'spam-1',
        customer: { kind: 'email', value: 'spoof@example.com' },
        data: { quarantined: true, verdicts: { spam: 'FAIL' } },
      }),
    );
    expect(d.store.timeline(result.customerId ?? '')).toHaveLength(1);
    expect(d.store.conversations.get(result.conversationId ?? '')?.waitingSince).toBeUndefined();
  });
});

describe('receiveEnvelope: the wait after routing', () => {
  /** The memory store, recording the waits started. */
  class WaitingStore extends MemoryStore {
    waits: Array<[string, string]> = [];
    async startWaiting(conversationId: string, at: string): Promise<void> {
      this.waits.push([conversationId, at]);
    }
  }
  const at = inboundText().occurredAt;

  it("starts the customer's wait after routing, unless the AI answered the message", async () => {
    const handedOff = deps(new WaitingStore()) as ResolverDeps & { store: WaitingStore };
    handedOff.route = async () => ({ routed: true });
    const first = await receiveEnvelope(handedOff, inboundText());
    expect(handedOff.store.waits).toEqual([[first.conversationId, at]]);

    const answered = deps(new WaitingStore()) as ResolverDeps & { store: WaitingStore };
    answered.route = async () => ({ routed: true, replied: true });
    await receiveEnvelope(answered, inboundText());
    expect(answered.store.waits).toEqual([]);
  });

  it("counts a customer's turn in the touch of the delivery that wrote the message, once however often it comes", async () => {
    class TurnStore extends MemoryStore {
      turns: Array<boolean | undefined> = [];
      override async touchConversation(touch: ConversationTouch) {
        this.turns.push(touch.countsTurn);
        return super.touchConversation(touch);
      }
    }
    const d = deps(new TurnStore()) as ResolverDeps & { store: TurnStore };
    d.route = async () => ({ routed: true, replied: true });
    for (let i = 0; i < 3; i++) await receiveEnvelope(d, inboundText());
    await receiveEnvelope(d, echo('wamid.OUT1', '2025-06-08T21:01:00.000Z'));
    // The first delivery counts; its redeliveries and a message the business sent do not.
    expect(d.store.turns).toEqual([true, false, false, false]);
    // Without routing, nothing is counted.
    const unrouted = deps(new TurnStore()) as ResolverDeps & { store: TurnStore };
    await receiveEnvelope(unrouted, inboundText());
    expect(unrouted.store.turns).toEqual([false]);
  });

  it('starts no wait for an outbound echo', async () => {
    const d = deps(new WaitingStore()) as ResolverDeps & { store: WaitingStore };
    await receiveEnvelope(d, echo('wamid.OUT1', at));
    expect(d.store.waits).toEqual([]);
  });
});
