import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_META_ENTRIES, MAX_META_ITEMS } from '#shared/channels/normalised.js';
import { normaliseWhatsApp } from '#shared/channels/whatsapp/normalise.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { encodeReplyKey } from '#shared/domain/reply-key.js';
import { ValidationError } from '#shared/errors.js';

const RECEIVED_AT = '2026-06-01T12:00:00.000Z';
const FIXTURES = new URL('../../../../fixtures/whatsapp/', import.meta.url);

interface Fixture {
  body: Record<string, unknown>;
  sha: string;
}

/** A fixture file, parsed, with the SHA-256 of its bytes standing in for the request body's. */
function fixture(name: string): Fixture {
  const raw = readFileSync(new URL(`${name}.json`, FIXTURES));
  return { body: JSON.parse(raw.toString('utf8')), sha: createHash('sha256').update(raw).digest('hex') };
}

function normalise(name: string) {
  const { body, sha } = fixture(name);
  return { ...normaliseWhatsApp(body, { receivedAt: RECEIVED_AT, bodySha256: sha }), sha, body };
}

/** The only envelope of a fixture, which must yield exactly one and reject nothing. */
function only(name: string): Envelope {
  const { envelopes, rejected } = normalise(name);
  expect(rejected).toEqual([]);
  expect(envelopes).toHaveLength(1);
  return envelopes[0] as Envelope;
}

/** The first message of a body, for structuredClone variations. */
function firstMessage(body: Record<string, unknown>, key = 'messages'): Record<string, unknown> {
  const entry = (body.entry as { changes: { value: Record<string, unknown[]> }[] }[])[0];
  return entry?.changes[0]?.value[key]?.[0] as Record<string, unknown>;
}

const SHEENA = { kind: 'phone', value: '+16505551234' } as const;
const POINTER = '/entry/0/changes/0/value/messages/0';
const BIZ_MSG = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3N0EyQUJDMjFEQzZCQUMzODMA';

describe('normaliseWhatsApp: documented message types', () => {
  it.each([
    {
      name: 'text',
      expected: {
        id: 'whatsapp:msg:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        occurredAt: '2025-06-08T20:59:43.000Z',
        contentType: 'text',
        text: 'Does it come in another color?',
        attachments: [],
      },
    },
    {
      name: 'image',
      expected: {
        occurredAt: '2025-06-15T20:43:33.000Z',
        contentType: 'image',
        text: 'Black jacket',
        attachments: [
          {
            kind: 'image',
            mediaId: '1003383421387256',
            url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1003383421387256&ext=1750020213&hash=ATuIbXw0aG9WQnUf3C8Zx5QmPdEdcYt0xEZ4Ii2D8Hw7Sw',
            mimeType: 'image/jpeg',
            sha256: 'Ohu2Vnc8yk5axxpDGt5cTAlLHLzUMWBGcOGAkxmv5ww=',
            caption: 'Black jacket',
          },
        ],
      },
    },
    {
      name: 'interactive_list_reply',
      expected: {
        contentType: 'interactive',
        text: 'Priority Mail Express',
        replyTo: BIZ_MSG,
        data: {
          interactive: {
            type: 'list_reply',
            id: 'priority_express',
            title: 'Priority Mail Express',
            description: 'Next Day to 2 Days',
          },
        },
      },
    },
    {
      name: 'interactive_button_reply',
      expected: {
        contentType: 'interactive',
        text: 'Cancel',
        replyTo: BIZ_MSG,
        data: { interactive: { type: 'button_reply', id: 'cancel-button', title: 'Cancel' } },
      },
    },
    {
      name: 'button',
      expected: {
        contentType: 'button',
        text: 'Unsubscribe from Promos',
        replyTo: BIZ_MSG,
        data: { button: { text: 'Unsubscribe from Promos', payload: 'Unsubscribe from Promos' } },
      },
    },
    {
      name: 'location',
      expected: {
        contentType: 'location',
        text: 'Philz Coffee, 101 Forest Ave, Palo Alto, CA 94301',
        data: {
          location: {
            address: '101 Forest Ave, Palo Alto, CA 94301',
            latitude: 37.44211676562361,
            longitude: -122.16155960083124,
            name: 'Philz Coffee',
            url: 'https://philzcoffee.com/',
          },
        },
      },
    },
    {
      name: 'contacts',
      expected: {
        contentType: 'contacts',
        text: 'Barbara J. Johnson',
        data: {
          contacts: [
            expect.objectContaining({ phones: [expect.objectContaining({ wa_id: '16505551234' })] }),
          ],
        },
      },
    },
    {
      name: 'order',
      expected: {
        contentType: 'order',
        text: 'Three of each, please',
        data: {
          order: expect.objectContaining({
            catalog_id: '194836987003835',
            product_items: [
              { product_retailer_id: 'di9ozbzfi4', quantity: 3, item_price: 30, currency: 'USD' },
              { product_retailer_id: 'nqryix03ez', quantity: 3, item_price: 25, currency: 'USD' },
            ],
          }),
        },
      },
    },
    {
      name: 'unsupported_edit',
      expected: {
        occurredAt: '2025-02-12T00:43:44.000Z',
        contentType: 'unsupported',
        data: { unsupportedType: 'edit' },
        errors: [
          {
            code: '131051',
            title: 'Message type unknown',
            message: 'Message type is currently not supported.',
            hint: 'this message type is not supported',
          },
        ],
      },
    },
  ])('maps the $name example to an inbound message from Sheena Nelson', ({ name, expected }) => {
    const { envelopes, rejected, sha, body } = normalise(name);
    expect(rejected).toEqual([]);
    expect(envelopes).toHaveLength(1);
    const message = firstMessage(body);
    expect(envelopes[0]).toEqual({
      id: `whatsapp:msg:${message.id}`,
      provider: 'whatsapp',
      channel: 'whatsapp',
      account: '106540352242922',
      occurredAt: new Date(Number(message.timestamp) * 1000).toISOString(),
      receivedAt: RECEIVED_AT,
      providerTime: true,
      rawRef: `whatsapp:${sha}#${POINTER}`,
      raw: message,
      kind: 'message',
      direction: 'inbound',
      providerMessageId: message.id,
      customer: SHEENA,
      alsoKnownAs: [],
      profileName: 'Sheena Nelson',
      attachments: [],
      ...expected,
    });
  });

  it.each(['audio', 'video', 'document', 'sticker'] as const)(
    'maps %s like an image, as an attachment',
    (type) => {
      const { body, sha } = fixture('image');
      const variant = structuredClone(body);
      const message = firstMessage(variant);
      const media = { ...(message.image as object), filename: 'jacket.bin' };
      delete message.image;
      message.type = type;
      message[type] = media;
      const [envelope] = normaliseWhatsApp(variant, { receivedAt: RECEIVED_AT, bodySha256: sha }).envelopes;
      expect(envelope).toMatchObject({
        kind: 'message',
        contentType: type,
        text: 'Black jacket',
        attachments: [
          { kind: type, mediaId: '1003383421387256', filename: 'jacket.bin', caption: 'Black jacket' },
        ],
      });
      expect(firstMessage(fixture('image').body).type).toBe('image');
    },
  );

  it('keeps a voice-note flag and needs no caption', () => {
    const { body, sha } = fixture('image');
    const variant = structuredClone(body);
    const message = firstMessage(variant);
    message.type = 'audio';
    message.audio = { id: '8812', mime_type: 'audio/ogg; codecs=opus', voice: true };
    delete message.image;
    const [envelope] = normaliseWhatsApp(variant, { receivedAt: RECEIVED_AT, bodySha256: sha }).envelopes;
    expect(envelope).toMatchObject({
      contentType: 'audio',
      attachments: [{ kind: 'audio', mediaId: '8812', mimeType: 'audio/ogg; codecs=opus' }],
      data: { voice: true },
    });
    expect(envelope).not.toHaveProperty('text');
  });

  it('writes coordinates as the text of a location without name or address', () => {
    const { body, sha } = fixture('location');
    const variant = structuredClone(body);
    firstMessage(variant).location = { latitude: 48.8584, longitude: 2.2945 };
    const [envelope] = normaliseWhatsApp(variant, { receivedAt: RECEIVED_AT, bodySha256: sha }).envelopes;
    expect(envelope).toMatchObject({ contentType: 'location', text: '48.8584, 2.2945' });
  });

  it('names shared contacts by their parts when there is no formatted name', () => {
    const { body, sha } = fixture('contacts');
    const variant = structuredClone(body);
    firstMessage(variant).contacts = [{ name: { first_name: 'Ada', last_name: 'Lovelace' } }, { name: {} }];
    const [envelope] = normaliseWhatsApp(variant, { receivedAt: RECEIVED_AT, bodySha256: sha }).envelopes;
    expect(envelope).toMatchObject({ contentType: 'contacts', text: 'Ada Lovelace' });
  });
});

describe('normaliseWhatsApp: reactions, edits and deletions', () => {
  const REACTION_WAMID = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTdFRjVBRjQzNkQwRjBFMTZDMwA=';

  it('maps a reaction to a reaction envelope keyed on wamid, timestamp and emoji', () => {
    expect(only('reaction')).toMatchObject({
      id: `whatsapp:reaction:${REACTION_WAMID}:1750032441:😀`,
      kind: 'reaction',
      providerMessageId: REACTION_WAMID,
      targetMessageId: BIZ_MSG,
      customer: SHEENA,
      emoji: '😀',
      occurredAt: '2025-06-16T00:07:21.000Z',
    });
  });

  it('maps a reaction without emoji to a removal with its own id', () => {
    const removed = only('reaction_removed');
    expect(removed).toMatchObject({
      id: `whatsapp:reaction:${REACTION_WAMID}:1750032499:removed`,
      kind: 'reaction',
      targetMessageId: BIZ_MSG,
    });
    expect(removed).not.toHaveProperty('emoji');
    expect(removed.id).not.toBe(only('reaction').id);
  });

  it('treats an empty emoji as a removal', () => {
    const { body, sha } = fixture('reaction');
    const variant = structuredClone(body);
    (firstMessage(variant).reaction as Record<string, unknown>).emoji = '';
    const [envelope] = normaliseWhatsApp(variant, { receivedAt: RECEIVED_AT, bodySha256: sha }).envelopes;
    expect(envelope?.id).toBe(`whatsapp:reaction:${REACTION_WAMID}:1750032441:removed`);
  });

  it('maps a coexistence edit to an edit envelope carrying the new caption', () => {
    expect(only('edit')).toMatchObject({
      id: 'whatsapp:msg:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUI2RjQ2QzE0MjQ4RjQzRTNEOQA=',
      kind: 'edit',
      targetMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUZCMTY0MDc2MUYwNzBDNTY5MAA=',
      customer: SHEENA,
      text: 'Black jacket, size M',
    });
  });

  it('maps a coexistence revoke to a delete envelope', () => {
    expect(only('revoke')).toMatchObject({
      id: 'whatsapp:msg:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTQ0QkI0RjFGNkY2MzM0NTE1QwA=',
      kind: 'delete',
      targetMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
      customer: SHEENA,
    });
  });

  it('rejects a reaction that names no message (peer payload), keeping nothing', () => {
    const { envelopes, rejected } = normalise('peer-reaction_ignored');
    expect(envelopes).toEqual([]);
    expect(rejected).toEqual([{ pointer: POINTER, reason: expect.stringContaining('reaction.message_id') }]);
  });
});

describe('normaliseWhatsApp: system messages', () => {
  it('maps user_changed_number to identity_changed from the old to the new number', () => {
    expect(only('system_user_changed_number')).toEqual({
      id: 'whatsapp:msg:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTIxQkY4NjUyRUNCQjI1MkNFQQA=',
      provider: 'whatsapp',
      channel: 'whatsapp',
      account: '106540352242922',
      occurredAt: '2025-06-16T00:08:01.000Z',
      receivedAt: RECEIVED_AT,
      providerTime: true,
      rawRef: expect.stringMatching(/^whatsapp:[0-9a-f]{64}#\/entry\/0\/changes\/0\/value\/messages\/0$/),
      raw: expect.objectContaining({ type: 'system' }),
      kind: 'system',
      event: 'identity_changed',
      providerMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTIxQkY4NjUyRUNCQjI1MkNFQQA=',
      customer: SHEENA,
      newIdentity: { kind: 'phone', value: '+16505550000' },
      text: 'User Sheena Nelson changed from 16505551234 to 16505550000',
    });
  });

  it('splits a number change that also rotates the BSUID into one envelope per new identity', () => {
    const { envelopes, rejected } = normalise('peer-system_user_changed_number');
    expect(rejected).toEqual([]);
    expect(envelopes.map((e) => e.kind === 'system' && [e.id, e.customer, e.newIdentity])).toEqual([
      [
        'whatsapp:msg:wamid.SYSTEM_MESSAGE_ID',
        { kind: 'whatsapp', value: 'IN.PREVIOUSBSUID' },
        { kind: 'phone', value: '+16505550002' },
      ],
      [
        'whatsapp:msg:wamid.SYSTEM_MESSAGE_ID#user_id',
        { kind: 'whatsapp', value: 'IN.PREVIOUSBSUID' },
        { kind: 'whatsapp', value: 'IN.CURRENTBSUID' },
      ],
    ]);
  });

  it('maps user_changed_user_id to the new BSUID, and a parent rotation to a second envelope', () => {
    expect(only('peer-system_user_changed_user_id')).toMatchObject({
      id: 'whatsapp:msg:wamid.SYSTEM_MESSAGE_ID',
      event: 'identity_changed',
      customer: { kind: 'whatsapp', value: 'IN.PREVIOUSBSUID' },
      newIdentity: { kind: 'whatsapp', value: 'IN.CURRENTBSUID' },
    });
    const { envelopes } = normalise('peer-system_user_changed_user_id_with_parent');
    expect(envelopes.map((e) => e.id)).toEqual([
      'whatsapp:msg:wamid.SYSTEM_MESSAGE_ID',
      'whatsapp:msg:wamid.SYSTEM_MESSAGE_ID#parent_user_id',
    ]);
    expect(envelopes[1]).toMatchObject({ newIdentity: { kind: 'whatsapp', value: 'IN.ENT.CURRENTBSUID' } });
  });

  it('keeps a system message that announces no new id as identity_changed without newIdentity', () => {
    const { body, sha } = fixture('system_user_changed_number');
    const variant = structuredClone(body);
    firstMessage(variant).system = {
      type: 'customer_identity_changed',
      body: 'Security code changed',
      identity: 'x1',
    };
    const [envelope] = normaliseWhatsApp(variant, { receivedAt: RECEIVED_AT, bodySha256: sha }).envelopes;
    expect(envelope).toMatchObject({
      kind: 'system',
      event: 'identity_changed',
      customer: SHEENA,
      text: 'Security code changed',
    });
    expect(envelope).not.toHaveProperty('newIdentity');
  });

  it('keeps the ordinary message delivered in the same batch as the system event', () => {
    const { envelopes, rejected } = normalise('peer-system_batch_with_ordinary_message');
    expect(rejected).toEqual([]);
    expect(envelopes).toMatchObject([
      {
        kind: 'message',
        customer: { kind: 'whatsapp', value: 'IN.CURRENTBSUID' },
        profileName: 'Rotated customer',
        text: 'Message delivered with the lifecycle event',
        occurredAt: '2022-10-03T12:25:05.000Z',
      },
      { kind: 'system', event: 'identity_changed', rawRef: expect.stringMatching(/\/value\/messages\/1$/) },
    ]);
  });
});

describe('normaliseWhatsApp: statuses and errors', () => {
  const OUT = 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI0RkI1RjE0QkE2QTBFNzU5RjIA';

  it.each([
    {
      name: 'status_sent_pricing',
      status: 'sent',
      occurredAt: '2025-06-15T23:27:53.000Z',
      errors: undefined,
    },
    {
      name: 'status_failed_131049',
      status: 'failed',
      occurredAt: '2025-06-15T23:27:54.000Z',
      errors: [
        {
          code: '131049',
          title: 'This message was not delivered to maintain healthy ecosystem engagement.',
          message: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
          hint: 'Meta held it back to keep engagement healthy (marketing limit): do not resend soon',
        },
      ],
    },
    { name: 'status_read', status: 'read', occurredAt: '2025-06-15T23:29:33.000Z', errors: undefined },
  ])('maps the $name example to a $status status of our message', ({ name, status, occurredAt, errors }) => {
    const { envelopes, rejected, sha } = normalise(name);
    expect(rejected).toEqual([]);
    expect(envelopes).toEqual([
      {
        id: `whatsapp:status:${OUT}:${status}`,
        provider: 'whatsapp',
        channel: 'whatsapp',
        account: '106540352242922',
        occurredAt,
        receivedAt: RECEIVED_AT,
        providerTime: true,
        rawRef: `whatsapp:${sha}#/entry/0/changes/0/value/statuses/0`,
        raw: expect.objectContaining({ id: OUT, status }),
        kind: 'status',
        providerMessageId: OUT,
        status,
        customer: SHEENA,
        ...(errors ? { errors } : {}),
      },
    ]);
  });

  it('maps the peer delivered status, which has no timestamp, at the time of receipt', () => {
    expect(only('peer-status_delivered')).toMatchObject({
      id: 'whatsapp:status:wamid-test:delivered',
      status: 'delivered',
      account: '123456789',
      occurredAt: RECEIVED_AT,
      customer: { kind: 'phone', value: '+919745786257' },
    });
  });

  it('gives a group status no customer and a BSUID-only status the BSUID', () => {
    const { body, sha } = fixture('status_read');
    const group = structuredClone(body);
    Object.assign(firstMessage(group, 'statuses'), {
      recipient_type: 'group',
      recipient_id: '120363025246125486',
    });
    const bsuid = structuredClone(body);
    const status = firstMessage(bsuid, 'statuses');
    delete status.recipient_id;
    status.recipient_user_id = 'US.13491208655302741918';
    const ctx = { receivedAt: RECEIVED_AT, bodySha256: sha };
    expect(normaliseWhatsApp(group, ctx).envelopes[0]).not.toHaveProperty('customer');
    expect(normaliseWhatsApp(bsuid, ctx).envelopes[0]).toMatchObject({
      customer: { kind: 'whatsapp', value: 'US.13491208655302741918' },
    });
  });

  it("carries the reply's key WhatsApp handed back, and not another app's opaque data", () => {
    const { body, sha } = fixture('status_read');
    const ctx = { receivedAt: RECEIVED_AT, bodySha256: sha };
    const key = encodeReplyKey({ customerId: 'cu_1', at: '2025-06-15T23:29:00.000Z', replyId: 'rp_1' });
    const ours = structuredClone(body);
    firstMessage(ours, 'statuses').biz_opaque_callback_data = key;
    const theirs = structuredClone(body);
    firstMessage(theirs, 'statuses').biz_opaque_callback_data = '{"source":"api","uuid":"fuif-0deu"}';
    expect(normaliseWhatsApp(ours, ctx).envelopes[0]).toMatchObject({ status: 'read', replyKey: key });
    expect(normaliseWhatsApp(theirs, ctx).envelopes[0]).not.toHaveProperty('replyKey');
    expect(normaliseWhatsApp(body, ctx).envelopes[0]).not.toHaveProperty('replyKey');
  });

  it('rejects a status whose value WhatsApp does not define', () => {
    const { body, sha } = fixture('status_read');
    const variant = structuredClone(body);
    firstMessage(variant, 'statuses').status = 'deleted';
    const result = normaliseWhatsApp(variant, { receivedAt: RECEIVED_AT, bodySha256: sha });
    expect(result.envelopes).toEqual([]);
    expect(result.rejected).toEqual([
      { pointer: '/entry/0/changes/0/value/statuses/0', reason: expect.stringContaining('status') },
    ]);
  });

  it('maps value-level errors to a provider_error system envelope with a deterministic id', () => {
    const { envelopes, rejected, sha } = normalise('errors_130429');
    expect(rejected).toEqual([]);
    expect(envelopes).toEqual([
      {
        id: `whatsapp:error:${sha}:0:0:0`,
        provider: 'whatsapp',
        channel: 'whatsapp',
        account: '106540352242922',
        occurredAt: RECEIVED_AT,
        receivedAt: RECEIVED_AT,
        rawRef: `whatsapp:${sha}#/entry/0/changes/0/value/errors/0`,
        raw: expect.objectContaining({ code: 130429 }),
        kind: 'system',
        event: 'provider_error',
        providerMessageId: `${sha}#/entry/0/changes/0/value/errors/0`,
        text: 'Rate limit hit',
        errors: [
          {
            code: '130429',
            title: 'Rate limit hit',
            message: 'Cloud API message throughput has been reached.',
            hint: "the business number's message throughput was reached",
          },
        ],
      },
    ]);
  });

  it('maps message-level errors (peer media download failure) onto the message', () => {
    expect(only('peer-image_media_download_error')).toMatchObject({
      kind: 'message',
      contentType: 'image',
      errors: [
        {
          code: '400',
          title: 'Media download failed: Not retrying as download is not retriable at this time',
          message: expect.stringContaining('ServerThrottle'),
        },
      ],
    });
  });
});

describe('normaliseWhatsApp: batches', () => {
  it('iterates every entry and change, skipping changes of other fields', () => {
    const { envelopes, rejected, sha } = normalise('multi_entry_multi_change');
    expect(rejected).toEqual([]);
    expect(envelopes.map((e) => [e.kind, e.id, e.account, e.rawRef, e.occurredAt])).toEqual([
      [
        'message',
        'whatsapp:msg:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTkxMjM0NTY3ODkwQUJDREVGMAA=',
        '106540352242922',
        `whatsapp:${sha}#/entry/0/changes/0/value/messages/0`,
        '2025-06-16T02:13:20.000Z',
      ],
      [
        'status',
        'whatsapp:status:wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI0RkI1RjE0QkE2QTBFNzU5RjIA:delivered',
        '106540352242922',
        `whatsapp:${sha}#/entry/0/changes/1/value/statuses/0`,
        '2025-06-16T02:13:21.000Z',
      ],
      [
        'message',
        'whatsapp:msg:wamid.HBgLNDQ3NzAwOTAwMTIzFQIAEhgUM0E4ODg4ODg4ODg4ODg4ODg4OAA=',
        '106540352242923',
        `whatsapp:${sha}#/entry/1/changes/1/value/messages/0`,
        '2025-06-16T02:13:22.000Z',
      ],
    ]);
    expect(envelopes[2]).toMatchObject({
      customer: { kind: 'phone', value: '+447700900123' },
      profileName: 'Oliver Smith',
    });
  });

  it('keeps the other messages when one in the batch is malformed, and reports it', () => {
    const { body, sha } = fixture('text');
    const variant = structuredClone(body);
    const value = (variant.entry as { changes: { value: { messages: unknown[] } }[] }[])[0]?.changes[0]
      ?.value;
    const good = firstMessage(variant);
    value?.messages.push(
      { ...good, id: 'wamid.BAD_TIMESTAMP', timestamp: 1749416384 },
      { ...good, id: 'wamid.NO_TEXT', text: undefined },
      { ...good, id: 'wamid.SECOND', text: { body: 'Second' } },
    );
    const result = normaliseWhatsApp(variant, { receivedAt: RECEIVED_AT, bodySha256: sha });
    expect(result.envelopes.map((e) => e.id)).toEqual([
      `whatsapp:msg:${good.id}`,
      'whatsapp:msg:wamid.SECOND',
    ]);
    expect(result.envelopes[1]).toMatchObject({
      rawRef: `whatsapp:${sha}#/entry/0/changes/0/value/messages/3`,
    });
    expect(result.rejected).toEqual([
      { pointer: '/entry/0/changes/0/value/messages/1', reason: expect.stringContaining('timestamp') },
      { pointer: '/entry/0/changes/0/value/messages/2', reason: 'text: text message without its object' },
    ]);
  });

  it('rejects a message that names no sender at all', () => {
    const { body, sha } = fixture('text');
    const variant = structuredClone(body);
    delete firstMessage(variant).from;
    const value = (variant.entry as { changes: { value: Record<string, unknown> }[] }[])[0]?.changes[0]
      ?.value;
    delete value?.contacts;
    const result = normaliseWhatsApp(variant, { receivedAt: RECEIVED_AT, bodySha256: sha });
    expect(result.envelopes).toEqual([]);
    expect(result.rejected).toEqual([
      { pointer: POINTER, reason: 'inbound message without a usable phone or BSUID' },
    ]);
  });

  it.each([
    ['an entry that is not an array (peer payload)', () => fixture('peer-empty_entry_invalid').body],
    ['no entry', () => ({ object: 'whatsapp_business_account' })],
    ['an entry that is a string', () => ({ object: 'whatsapp_business_account', entry: 'x' })],
  ])('refuses a body with %s: it is not the shape Meta sends', (_name, body) => {
    expect(() => normaliseWhatsApp(body(), { receivedAt: RECEIVED_AT, bodySha256: 'x' })).toThrow(
      /^not a webhook body \(entry: Invalid input: expected array/,
    );
  });

  it('refuses a body of more entries than Meta batches, or more items, before reading any', () => {
    const ctx = { receivedAt: RECEIVED_AT, bodySha256: 'x' };
    const change = (value: unknown) => ({ field: 'messages', value });
    const body = (entry: unknown[]) => ({ object: 'whatsapp_business_account', entry });
    expect(() => normaliseWhatsApp(body(Array(MAX_META_ENTRIES + 1).fill({ id: '1' })), ctx)).toThrow(
      `${MAX_META_ENTRIES + 1} entries, over the ${MAX_META_ENTRIES} Meta batches at most`,
    );
    const statuses = change({ statuses: Array(MAX_META_ITEMS - 1).fill({}) });
    const crowded = body([{ id: '1', changes: [statuses, change({}), change({ messages: [{}] })] }]);
    expect(() => normaliseWhatsApp(crowded, ctx)).toThrow(
      new ValidationError(`${MAX_META_ITEMS + 1} items, over the ${MAX_META_ITEMS} one body may hold`),
    );
    const full = body([{ id: '1', changes: [statuses, change({ errors: [{}] })] }]);
    expect(normaliseWhatsApp(full, ctx).rejected).toHaveLength(MAX_META_ITEMS);
  });

  it.each(['peer-empty_changes', 'peer-metadata_only_routing'])('yields nothing for %s', (name) => {
    expect(normalise(name)).toMatchObject({ envelopes: [], rejected: [] });
  });

  it.each([
    ['another object', { object: 'page', entry: [] }],
    ['no object', { entry: [] }],
    ['null', null],
    ['an array', []],
    ['a string', 'whatsapp_business_account'],
  ])('throws ValidationError for a body that is %s', (_label, payload) => {
    expect(() => normaliseWhatsApp(payload, { receivedAt: RECEIVED_AT, bodySha256: 'x' })).toThrow(
      ValidationError,
    );
  });

  it('is deterministic and leaves its input untouched', () => {
    const { body, sha } = fixture('multi_entry_multi_change');
    const before = structuredClone(body);
    const ctx = { receivedAt: RECEIVED_AT, bodySha256: sha };
    expect(normaliseWhatsApp(body, ctx)).toEqual(normaliseWhatsApp(structuredClone(body), ctx));
    expect(body).toEqual(before);
  });
});

describe('normaliseWhatsApp: identities', () => {
  it('reads the signed reference body (providers.md §4.4) with its escapes decoded', () => {
    const raw =
      '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"J\\u00f6rg"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.TEST","timestamp":"1749416383","type":"text","text":{"body":"h\\u00e4llo \\/ <b>"}}]},"field":"messages"}]}]}';
    const { envelopes } = normaliseWhatsApp(JSON.parse(raw), {
      receivedAt: RECEIVED_AT,
      bodySha256: 'f'.repeat(64),
    });
    expect(envelopes).toMatchObject([
      {
        id: 'whatsapp:msg:wamid.TEST',
        customer: SHEENA,
        profileName: 'Jörg',
        text: 'hällo / <b>',
        occurredAt: '2025-06-08T20:59:43.000Z',
        rawRef: `whatsapp:${'f'.repeat(64)}#${POINTER}`,
      },
    ]);
  });

  it('reads a `from` that carries a plus as the same E.164 number', () => {
    const { body, sha } = fixture('text');
    const variant = structuredClone(body);
    firstMessage(variant).from = '+16505551234';
    const [envelope] = normaliseWhatsApp(variant, { receivedAt: RECEIVED_AT, bodySha256: sha }).envelopes;
    expect(envelope).toMatchObject({ customer: SHEENA, alsoKnownAs: [], profileName: 'Sheena Nelson' });
  });

  it('prefers the contact wa_id over a different `from`, keeping `from` as another phone', () => {
    const { body, sha } = fixture('text');
    const variant = structuredClone(body);
    firstMessage(variant).from = '5541999887766';
    const value = (variant.entry as { changes: { value: Record<string, unknown> }[] }[])[0]?.changes[0]
      ?.value;
    if (value) value.contacts = [{ profile: { name: 'Ana' }, wa_id: '554199887766' }];
    const [envelope] = normaliseWhatsApp(variant, { receivedAt: RECEIVED_AT, bodySha256: sha }).envelopes;
    expect(envelope).toMatchObject({
      customer: { kind: 'phone', value: '+554199887766' },
      alsoKnownAs: [{ kind: 'phone', value: '+5541999887766' }],
      profileName: 'Ana',
    });
  });

  it('leaves profileName out when the profile name is blank', () => {
    const { body, sha } = fixture('text');
    const variant = structuredClone(body);
    const value = (variant.entry as { changes: { value: Record<string, unknown> }[] }[])[0]?.changes[0]
      ?.value;
    if (value) value.contacts = [{ profile: { name: '   ' }, wa_id: '16505551234' }];
    const [envelope] = normaliseWhatsApp(variant, { receivedAt: RECEIVED_AT, bodySha256: sha }).envelopes;
    expect(envelope).not.toHaveProperty('profileName');
  });

  it.each([
    {
      name: 'peer-phone_with_bsuid',
      customer: { kind: 'phone', value: '+919745786257' },
      alsoKnownAs: [{ kind: 'whatsapp', value: 'IN.2081978709342942' }],
      profileName: 'Muhsin',
    },
    {
      name: 'peer-conflicting_phone_and_bsuid',
      customer: { kind: 'phone', value: '+971501234567' },
      alsoKnownAs: [{ kind: 'whatsapp', value: 'AE.QACONFLICT' }],
      profileName: 'Conflicting identifiers',
    },
    {
      name: 'peer-bsuid_only_with_username',
      customer: { kind: 'whatsapp', value: 'IN.2081978709342942' },
      alsoKnownAs: [{ kind: 'whatsapp', value: 'IN.ENT.9081726354' }],
      profileName: 'Muhsin',
      data: { username: 'muhsin' },
    },
    {
      name: 'peer-bsuid_only_from_empty',
      customer: { kind: 'whatsapp', value: 'IN.2081978709342942' },
      alsoKnownAs: [],
      profileName: undefined,
    },
  ])('identifies the sender of $name', ({ name, customer, alsoKnownAs, profileName, data }) => {
    const envelope = only(name);
    expect(envelope).toMatchObject({ kind: 'message', direction: 'inbound', customer, alsoKnownAs });
    if (envelope.kind !== 'message') throw new Error('expected a message');
    expect(envelope.profileName).toBe(profileName);
    if (data) expect(envelope.data).toEqual(data);
  });

  it('derives ids from the body hash and pointer, and takes the time of receipt, when a test payload has neither', () => {
    const { envelopes, sha } = normalise('peer-bsuid_only_from_empty');
    expect(envelopes[0]).toMatchObject({ id: 'whatsapp:msg:wamid-test', occurredAt: RECEIVED_AT });
    expect(envelopes[0]?.providerTime).toBeUndefined();
    const image = normalise('peer-image_message');
    expect(image.envelopes[0]).toMatchObject({
      id: `whatsapp:msg:${image.sha}#${POINTER}`,
      providerMessageId: `${image.sha}#${POINTER}`,
      customer: { kind: 'phone', value: '+2423423243' },
      occurredAt: '2022-10-03T12:25:04.000Z',
    });
    expect(sha).not.toBe(image.sha);
  });
});

describe('normaliseWhatsApp: other peer payloads', () => {
  it('keeps the accented filename of a document', () => {
    expect(only('peer-document_accented_filename')).toMatchObject({
      contentType: 'document',
      text: 'My résumé',
      attachments: [
        {
          kind: 'document',
          mediaId: 'b1c68f38-8734-4ad3-b4a1-ef0c10d683',
          mimeType: 'application/pdf',
          filename: 'Currículum café.pdf',
          caption: 'My résumé',
        },
      ],
    });
  });

  it('reads a text without contacts from `from` alone', () => {
    const envelope = only('peer-text_minimal_no_contacts');
    expect(envelope).toMatchObject({
      id: 'whatsapp:msg:wamid-test',
      account: '123456789',
      customer: { kind: 'phone', value: '+919745786257' },
      alsoKnownAs: [],
      text: 'Hello',
      occurredAt: RECEIVED_AT,
    });
    expect(envelope).not.toHaveProperty('profileName');
  });
});

describe('normaliseWhatsApp: echoes of the business app (smb_message_echoes)', () => {
  it.each([
    {
      name: 'peer-echo_smb_message_echoes_phone_and_bsuid',
      id: 'whatsapp:msg:wamid.cloud-echo-message',
      customer: { kind: 'phone', value: '+919745786257' },
      alsoKnownAs: [{ kind: 'whatsapp', value: 'IN.2081978709342942' }],
      text: 'echo reply',
    },
    {
      name: 'peer-echo_smb_message_echoes_bsuid_only',
      id: 'whatsapp:msg:wamid-test',
      customer: { kind: 'whatsapp', value: 'IN.2081978709342942' },
      alsoKnownAs: [],
      text: 'Hello',
    },
    {
      name: 'peer-echo_smb_message_echoes_with_parent_bsuid',
      id: 'whatsapp:msg:wamid-test',
      customer: { kind: 'phone', value: '+919745786257' },
      alsoKnownAs: [
        { kind: 'whatsapp', value: 'IN.2081978709342942' },
        { kind: 'whatsapp', value: 'IN.ENT.9081726354' },
      ],
      text: 'Hello',
    },
  ])('maps $name to an outbound message to the recipient', ({ name, id, customer, alsoKnownAs, text }) => {
    const envelope = only(name);
    expect(envelope).toMatchObject({
      id,
      kind: 'message',
      direction: 'outbound',
      customer,
      alsoKnownAs,
      text,
    });
    expect(envelope.rawRef).toMatch(/#\/entry\/0\/changes\/0\/value\/message_echoes\/0$/);
    expect(envelope).not.toHaveProperty('profileName');
  });

  it('keeps an echoed reaction as an outbound unsupported message, not a customer reaction', () => {
    const { body, sha } = fixture('peer-echo_smb_message_echoes_phone_and_bsuid');
    const variant = structuredClone(body);
    const echo = firstMessage(variant, 'message_echoes');
    delete echo.text;
    Object.assign(echo, { type: 'reaction', reaction: { message_id: 'wamid.CUSTOMER_MSG', emoji: '👍' } });
    const [envelope] = normaliseWhatsApp(variant, { receivedAt: RECEIVED_AT, bodySha256: sha }).envelopes;
    expect(envelope).toMatchObject({
      kind: 'message',
      direction: 'outbound',
      contentType: 'unsupported',
      data: { unsupportedType: 'reaction', reaction: { message_id: 'wamid.CUSTOMER_MSG', emoji: '👍' } },
    });
  });
});

describe('normaliseWhatsApp: context, referral and types we do not know', () => {
  it('maps a quoted reply to replyTo (peer payload)', () => {
    expect(only('peer-reply_with_context')).toMatchObject({
      replyTo: 'wamid.ORIGINAL_MESSAGE_ID',
      text: 'This is a reply',
      customer: { kind: 'phone', value: '+16503071063' },
      occurredAt: '2026-02-06T19:57:09.000Z',
    });
  });

  it('keeps a Click-to-WhatsApp referral in data (peer payload)', () => {
    expect(only('peer-ctwa_referral_ad')).toMatchObject({
      text: 'Hello nielekeze',
      customer: { kind: 'phone', value: '+255718573302' },
      alsoKnownAs: [{ kind: 'whatsapp', value: 'TZ.1040042605869930' }],
      data: {
        referral: expect.objectContaining({ source_type: 'ad', ctwa_clid: 'AfhcQdP2E4A8wWpeb1FqUzUi' }),
      },
    });
  });

  it('marks forwarded messages in data', () => {
    const { body, sha } = fixture('text');
    const variant = structuredClone(body);
    firstMessage(variant).context = { forwarded: true, frequently_forwarded: true };
    const [envelope] = normaliseWhatsApp(variant, { receivedAt: RECEIVED_AT, bodySha256: sha }).envelopes;
    expect(envelope).toMatchObject({ data: { forwarded: true, frequentlyForwarded: true } });
    expect(envelope).not.toHaveProperty('replyTo');
  });

  it('parses the JSON string of a Flow response (peer payload)', () => {
    expect(only('peer-flow_nfm_reply')).toMatchObject({
      contentType: 'interactive',
      text: 'Sent',
      replyTo: 'wamid.original-flow-message',
      data: {
        interactive: {
          type: 'nfm_reply',
          name: 'flow',
          response: expect.objectContaining({ flow_token: 'flow-correlation-token', rating: 'excellent' }),
        },
      },
    });
  });

  it('keeps the Flow response as a string when it is not JSON', () => {
    const { body, sha } = fixture('peer-flow_nfm_reply');
    const variant = structuredClone(body);
    const interactive = firstMessage(variant).interactive as { nfm_reply: Record<string, unknown> };
    interactive.nfm_reply.response_json = 'not json';
    const [envelope] = normaliseWhatsApp(variant, { receivedAt: RECEIVED_AT, bodySha256: sha }).envelopes;
    expect(envelope).toMatchObject({
      data: { interactive: { type: 'nfm_reply', responseJson: 'not json' } },
    });
  });

  it('maps a type it does not know (peer request_welcome) to an unsupported message', () => {
    const { envelopes, sha } = normalise('peer-request_welcome_ignored');
    expect(envelopes).toEqual([
      expect.objectContaining({
        id: `whatsapp:msg:${sha}#${POINTER}`,
        kind: 'message',
        contentType: 'unsupported',
        customer: { kind: 'phone', value: '+1111981136571' },
        data: { unsupportedType: 'request_welcome' },
      }),
    ]);
  });
});

describe('a WhatsApp text that shows nothing, and control characters', () => {
  /** The text fixture with its first message's text and its contact's name changed. */
  function textWith(body: string, name = 'Sheena Nelson') {
    const { body: payload } = fixture('text');
    const changed = structuredClone(payload);
    firstMessage(changed).text = { body };
    const contact = firstMessage(changed, 'contacts') as { profile: { name: string } };
    contact.profile.name = name;
    return normaliseWhatsApp(changed, { receivedAt: RECEIVED_AT, bodySha256: 'sha' });
  }

  it.each([
    ['spaces', '   '],
    ['a zero-width space and a word joiner', '\u200b\u2060'],
    ['NUL and BEL', '\u0000\u0007'],
  ])('skips a text of %s as empty, with a reason to log', (_, text) => {
    expect(textWith(text)).toEqual({ envelopes: [], rejected: [{ pointer: POINTER, reason: 'empty' }] });
  });

  it('takes control characters out of the text and the profile name', () => {
    const { envelopes } = textWith('Hi\u0000 there\u0007\u001b!', 'Ctrl\u0000Name\u0007');
    expect(envelopes[0]).toMatchObject({ text: 'Hi there!', profileName: 'CtrlName' });
  });

  it('takes bidi overrides out of the profile name only', () => {
    const { envelopes } = textWith('\u202eabc\u202c \u200fשלום', '\u202eevil\u202c Name');
    expect(envelopes[0]).toMatchObject({ text: '\u202eabc\u202c \u200fשלום', profileName: 'evil Name' });
  });
});
