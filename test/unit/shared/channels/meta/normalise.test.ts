import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normaliseMetaMessaging } from '#shared/channels/meta/normalise.js';
import { metaTimeMs } from '#shared/channels/meta/schema.js';
import { MAX_META_ENTRIES, MAX_META_ITEMS } from '#shared/channels/normalised.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { ValidationError } from '#shared/errors.js';

const RECEIVED_AT = '2026-06-01T12:00:00.000Z';
const FIXTURES = new URL('../../../../fixtures/meta/', import.meta.url);

const PAGE = '682498302938465';
const PSID = '1254459154682919';
const IGID = '17841405793187218';
const IGSID = '1134829074421536';
const MESSENGER_CUSTOMER = { kind: 'messenger', value: `${PAGE}:${PSID}` } as const;
const IG_CUSTOMER = { kind: 'instagram', value: `${IGID}:${IGSID}` } as const;
const PEER_ACCOUNT = 'chatwoot-app-user-id-1';
const PEER_CUSTOMER = { kind: 'instagram', value: `${PEER_ACCOUNT}:Sender-id-1` } as const;
const MID = 'm_1457764197618:41d102a3e1ae206a38';
const IG_MID =
  'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA1NzkzMTg3MjE4OjM0MDI4MjM2Njg0MTcxMDMwMTI0NDI3NjEwMjcyMjQxNDQzOTgwMjozMTk1NDIyNDE0MzMzNjg3MTQ1ODc0NjY3OTMzNzI0NjU5MgZDZE';

type Json = Record<string, unknown>;

/** A fixture file, parsed, with the SHA-256 of its bytes standing in for the request body's. */
function fixture(name: string): { body: Json; sha: string } {
  const raw = readFileSync(new URL(`${name}.json`, FIXTURES));
  return { body: JSON.parse(raw.toString('utf8')), sha: createHash('sha256').update(raw).digest('hex') };
}

function run(body: unknown, sha = 'test-sha') {
  return normaliseMetaMessaging(body, { receivedAt: RECEIVED_AT, bodySha256: sha });
}

function normalise(name: string) {
  const { body, sha } = fixture(name);
  return { ...run(body, sha), sha, body };
}

/** The only envelope of a body, which must yield exactly one and reject nothing. */
function only(result: { envelopes: Envelope[]; rejected: unknown[] }): Envelope {
  expect(result.rejected).toEqual([]);
  expect(result.envelopes).toHaveLength(1);
  return result.envelopes[0] as Envelope;
}

/** The value at a JSON pointer (the fixtures need no `~` escapes). */
function at(body: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], body);
}

/** The first event of a fixture's first entry, for structuredClone variations. */
function firstEvent(body: Json, list = 'messaging'): Json {
  return at(body, `/entry/0/${list}/0`) as Json;
}

/**
 * The Messenger peer payloads are single events as the facebook-messenger gem serialises them, with no
 * `object`/`entry` around them: wrapped here as Meta delivers them (entry id = the page, no times).
 */
function wrapGemEvent(peer: Json): Json {
  const event = peer.messaging as { recipient: { id: string } };
  return { object: 'page', entry: [{ id: event.recipient.id, messaging: [event] }] };
}

describe('normaliseMetaMessaging: documented Messenger events', () => {
  it.each([
    {
      name: 'messenger_text_quick_reply',
      expected: {
        id: 'messenger:msg:mid.1457764197618:41d102a3e1ae206a38',
        kind: 'message',
        direction: 'inbound',
        provider: 'meta',
        channel: 'messenger',
        account: PAGE,
        customer: MESSENGER_CUSTOMER,
        occurredAt: '2016-03-23T00:25:52.478Z',
        providerTime: true,
        contentType: 'text',
        text: 'hello, world!',
        attachments: [],
        data: { quickReply: 'DEVELOPER_DEFINED_PAYLOAD' },
      },
    },
    {
      name: 'messenger_reply_to',
      expected: {
        id: `messenger:msg:${MID}`,
        contentType: 'text',
        replyTo: 'm_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU',
      },
    },
    {
      name: 'messenger_attachments',
      expected: {
        occurredAt: '2018-02-12T23:46:35.308Z',
        contentType: 'image',
        attachments: [
          { kind: 'image', url: 'https://scontent.xx.fbcdn.net/v/t1.15752-9/photo.jpg' },
          { kind: 'file', url: 'https://cdn.fbsbx.com/v/t59.2708-21/invoice.pdf' },
        ],
        data: { attachmentTypes: ['image', 'file'] },
      },
    },
    {
      name: 'messenger_echo',
      expected: {
        id: 'messenger:msg:mid.1457764197618:41d102a3e1ae206a38',
        kind: 'message',
        direction: 'outbound',
        account: PAGE,
        customer: MESSENGER_CUSTOMER,
        occurredAt: '2016-03-12T06:29:57.627Z',
        text: 'hello, world!',
        data: { appId: '1517776481860111', metadata: 'DEVELOPER_DEFINED_METADATA_STRING' },
      },
    },
    {
      name: 'messenger_postback',
      expected: {
        id: 'messenger:msg:m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P',
        kind: 'message',
        direction: 'inbound',
        occurredAt: '2018-05-27T22:23:44.123Z',
        contentType: 'button',
        text: 'Talk to a person',
        data: {
          postback: { title: 'Talk to a person', payload: 'HUMAN_AGENT' },
          referral: { ref: 'spring-sale', source: 'SHORTLINKS', type: 'OPEN_THREAD' },
        },
      },
    },
    {
      name: 'messenger_postback_changes',
      expected: {
        id: 'messenger:msg:m_MESSAGE-ID',
        // A plugin user has no PSID yet: the user_ref is its own, prefixed, identity.
        customer: { kind: 'messenger', value: `${PAGE}:user_ref:USER-REF-ID` },
        // The postback reference sends a string of seconds.
        occurredAt: '2018-05-27T22:23:44.000Z',
        contentType: 'button',
        text: 'TITLE-FOR-THE-CTA',
      },
      pointer: '/entry/0/changes/0/value',
    },
    {
      name: 'messenger_message_edit',
      expected: {
        id: `messenger:edit:${MID}:1`,
        kind: 'edit',
        providerMessageId: `edit:${MID}:1`,
        targetMessageId: MID,
        customer: MESSENGER_CUSTOMER,
        text: 'hello, world! (edited)',
        occurredAt: '2016-03-22T17:47:36.463Z',
      },
    },
    {
      name: 'messenger_reaction_react',
      expected: {
        id: `messenger:reaction:${MID}:${PSID}:react:1458668856463`,
        kind: 'reaction',
        targetMessageId: MID,
        customer: MESSENGER_CUSTOMER,
        emoji: '❤️',
      },
    },
    {
      name: 'messenger_delivery',
      expected: {
        id: 'messenger:status:mid.1458668856218:ed81099e15d3f4f233:delivered',
        kind: 'status',
        status: 'delivered',
        providerMessageId: 'mid.1458668856218:ed81099e15d3f4f233',
        customer: MESSENGER_CUSTOMER,
        // The documented delivery has no timestamp: the watermark is the time.
        occurredAt: '2016-03-22T17:47:36.253Z',
      },
    },
    {
      name: 'messenger_read',
      expected: {
        id: `messenger:status:watermark:${PAGE}:${PSID}:1458668856253:read`,
        kind: 'status',
        status: 'read',
        providerMessageId: `watermark:${PAGE}:${PSID}:1458668856253`,
        customer: MESSENGER_CUSTOMER,
        occurredAt: '2016-03-22T17:47:36.463Z',
      },
    },
    {
      name: 'messenger_delivery_watermark_only',
      expected: {
        id: `messenger:status:watermark:${PAGE}:${PSID}:1458668856253:delivered`,
        kind: 'status',
        status: 'delivered',
        providerMessageId: `watermark:${PAGE}:${PSID}:1458668856253`,
      },
    },
  ])('maps $name', ({ name, expected, pointer = '/entry/0/messaging/0' }) => {
    const { envelopes, rejected, sha, body } = normalise(name);
    const envelope = only({ envelopes, rejected });
    expect(envelope).toMatchObject({
      ...expected,
      receivedAt: RECEIVED_AT,
      rawRef: `meta:${sha}#${pointer}`,
    });
    expect(envelope.raw).toEqual(at(body, pointer));
  });

  it('maps an unreact to a reaction without emoji, with an id of its own', () => {
    const envelope = only(normalise('messenger_reaction_unreact'));
    expect(envelope).toMatchObject({
      id: `messenger:reaction:${MID}:${PSID}:unreact:1458668859999`,
      kind: 'reaction',
      targetMessageId: MID,
      customer: MESSENGER_CUSTOMER,
    });
    expect(envelope).not.toHaveProperty('emoji');
  });

  it('keeps the reaction name as the emoji of a reaction that has no emoji', () => {
    const { body } = fixture('messenger_reaction_react');
    const varied = structuredClone(body);
    delete (firstEvent(varied).reaction as Json).emoji;
    expect(only(run(varied))).toMatchObject({ kind: 'reaction', emoji: 'love' });
  });

  it('emits one status per listed mid, and none for the watermark beside them', () => {
    const { body } = fixture('messenger_delivery');
    const varied = structuredClone(body);
    (firstEvent(varied).delivery as Json).mids = ['m_1', 'm_2', 'm_1'];
    const { envelopes, rejected } = run(varied);
    expect(rejected).toEqual([]);
    expect(envelopes.map((e) => e.id)).toEqual([
      'messenger:status:m_1:delivered',
      'messenger:status:m_2:delivered',
    ]);
  });
});

describe('normaliseMetaMessaging: documented Instagram events', () => {
  it.each([
    {
      name: 'instagram_text',
      expected: {
        id: `instagram:msg:${IG_MID.slice(0, -1)}D`,
        kind: 'message',
        direction: 'inbound',
        channel: 'instagram',
        account: IGID,
        customer: IG_CUSTOMER,
        occurredAt: '2019-09-23T18:14:45.349Z',
        contentType: 'text',
        text: 'Hi! Is the blue jacket back in stock?',
      },
    },
    {
      name: 'instagram_echo',
      expected: {
        id: `instagram:msg:${IG_MID}`,
        direction: 'outbound',
        account: IGID,
        customer: IG_CUSTOMER,
        occurredAt: '2019-09-23T18:14:50.000Z',
        text: 'Yes, in all sizes.',
      },
    },
    {
      name: 'instagram_reaction',
      expected: {
        id: `instagram:reaction:${IG_MID}:${IGSID}:react:1569262495000`,
        kind: 'reaction',
        targetMessageId: IG_MID,
        customer: IG_CUSTOMER,
        emoji: '❤️',
      },
    },
    {
      name: 'instagram_seen',
      expected: {
        id: `instagram:status:${IG_MID}:read`,
        kind: 'status',
        status: 'read',
        providerMessageId: IG_MID,
        customer: IG_CUSTOMER,
        occurredAt: '2019-09-23T18:14:56.000Z',
      },
    },
    {
      name: 'instagram_postback',
      expected: {
        id: `instagram:msg:${IG_MID.slice(0, -1)}F`,
        contentType: 'button',
        text: 'What are your opening hours?',
        data: { postback: { title: 'What are your opening hours?', payload: 'ICEBREAKER_HOURS' } },
      },
    },
    {
      name: 'instagram_referral',
      expected: {
        id: `instagram:referral:${IGSID}:1569262498000`,
        kind: 'message',
        direction: 'inbound',
        contentType: 'unsupported',
        customer: IG_CUSTOMER,
        data: {
          unsupportedType: 'referral',
          referral: { ref: 'summer-campaign', source: 'IGME_LINK', type: 'OPEN_THREAD' },
          // Alone, the link followed is context for the next message (`isContext`), not a message.
          context: true,
        },
      },
    },
  ])('maps $name', ({ name, expected }) => {
    const { envelopes, rejected, sha } = normalise(name);
    expect(only({ envelopes, rejected })).toMatchObject({
      ...expected,
      provider: 'meta',
      rawRef: `meta:${sha}#/entry/0/messaging/0`,
    });
  });
});

describe('normaliseMetaMessaging: peer payloads (Chatwoot test suite)', () => {
  it.each([
    {
      name: 'peer-instagram_dm_text',
      expected: {
        id: 'instagram:msg:message-id-1',
        direction: 'inbound',
        account: PEER_ACCOUNT,
        customer: PEER_CUSTOMER,
        // ISO 8601 with a `+0000` offset in the test payloads.
        occurredAt: '2021-09-08T06:34:04.000Z',
        contentType: 'text',
        text: 'This is the first message from the customer',
      },
    },
    {
      name: 'peer-instagram_dm_standby',
      expected: {
        id: 'instagram:msg:message-id-1',
        customer: PEER_CUSTOMER,
        text: 'This is the first standby message from the customer, after 24 hours.',
        data: { standby: true },
      },
      pointer: '/entry/0/standby/0',
    },
    {
      name: 'peer-instagram_story_reply',
      expected: {
        contentType: 'text',
        text: 'This is the story reply',
        data: { story: { id: PEER_ACCOUNT, url: 'https://chatwoot-assets.local/sample.png' } },
      },
    },
    {
      name: 'peer-instagram_message_reply_to_mid',
      expected: { id: 'instagram:msg:message-id-2', replyTo: 'message-id-1' },
    },
    {
      name: 'peer-instagram_test_text_event_numeric_time',
      expected: {
        id: 'instagram:msg:random_mid',
        // The entry names neither side: the entry id is still the account, the sender the customer.
        account: PEER_ACCOUNT,
        customer: { kind: 'instagram', value: `${PEER_ACCOUNT}:12334` },
        // `"1527459824"` is a string of seconds.
        occurredAt: '2018-05-27T22:23:44.000Z',
      },
    },
    {
      name: 'peer-instagram_unsend_deleted',
      expected: {
        id: 'instagram:delete:message-id-to-delete',
        kind: 'delete',
        providerMessageId: 'delete:message-id-to-delete',
        targetMessageId: 'message-id-to-delete',
        customer: PEER_CUSTOMER,
      },
    },
    {
      name: 'peer-instagram_attachment_share',
      expected: {
        contentType: 'document',
        attachments: [{ kind: 'file', url: 'https://www.example.com/test.jpeg' }],
        data: { attachmentTypes: ['share'] },
      },
    },
    {
      name: 'peer-instagram_attachment_ig_reel',
      expected: {
        contentType: 'video',
        attachments: [
          { kind: 'video', mediaId: '1234', url: 'https://www.example.com/test.jpeg', caption: 'Reel title' },
        ],
        data: { attachmentTypes: ['ig_reel'] },
      },
    },
    {
      name: 'peer-instagram_attachment_ig_post',
      expected: {
        id: 'instagram:msg:ig-post-message-id-1',
        contentType: 'document',
        attachments: [
          {
            kind: 'file',
            mediaId: '18091626484740369',
            url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=18091626484740369&signature=test',
            caption: 'Shared Instagram post',
          },
        ],
      },
    },
    {
      name: 'peer-instagram_attachment_ig_story',
      expected: {
        attachments: [
          {
            kind: 'file',
            mediaId: '17949487764033669',
            url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17949487764033669&signature=test',
          },
        ],
        data: { attachmentTypes: ['ig_story'] },
      },
    },
    {
      name: 'peer-instagram_story_mention',
      expected: {
        id: 'instagram:msg:mention-message-id-1',
        direction: 'inbound',
        attachments: [{ kind: 'file', url: 'https://www.example.com/test.jpeg' }],
        data: { attachmentTypes: ['story_mention'] },
      },
    },
    {
      // is_echo, yet the sides say the customer sent it: the business must still not be the customer.
      name: 'peer-instagram_story_mention_echo',
      expected: { direction: 'outbound', account: PEER_ACCOUNT, customer: PEER_CUSTOMER },
    },
    {
      name: 'peer-instagram_unsupported',
      expected: { id: 'instagram:msg:unsupported-message-id-1', contentType: 'unsupported', attachments: [] },
    },
    {
      name: 'peer-instagram_messaging_seen',
      expected: {
        id: 'instagram:status:message-id-1:read',
        kind: 'status',
        status: 'read',
        providerMessageId: 'message-id-1',
        customer: PEER_CUSTOMER,
      },
    },
    {
      name: 'peer-instagram_test_event_changes',
      expected: {
        id: 'instagram:msg:random_mid',
        account: '0',
        customer: { kind: 'instagram', value: '0:12334' },
        occurredAt: '2018-05-27T22:23:44.000Z',
        text: 'random_text',
      },
      pointer: '/entry/0/changes/0/value',
    },
  ])('maps $name', ({ name, expected, pointer = '/entry/0/messaging/0' }) => {
    const { envelopes, rejected, sha } = normalise(name);
    expect(only({ envelopes, rejected })).toMatchObject({
      ...expected,
      channel: 'instagram',
      rawRef: `meta:${sha}#${pointer}`,
    });
  });

  const GEM_PAGE = '117172741761305';
  const GEM_PSID = '3383290475046708';
  it.each([
    {
      name: 'peer-messenger_incoming_text',
      expected: {
        id: 'messenger:msg:m_KXGKDUpO6xbVdAmZFBVpzU1AhKVJdAIUnUH4cwkvb_K3iZsWhowDRyJ_DcowEpJjncaBwdCIoRrixvCbbO1PcA',
        direction: 'inbound',
        text: 'facebook message',
        // No timestamp and no entry time: the time of receipt.
        occurredAt: RECEIVED_AT,
      },
    },
    {
      name: 'peer-messenger_message_delivery_watermark',
      expected: {
        id: `messenger:status:watermark:${GEM_PAGE}:${GEM_PSID}:1648581633369:delivered`,
        status: 'delivered',
        // A watermark as a string of milliseconds.
        occurredAt: '2022-03-29T19:20:33.369Z',
      },
    },
    {
      name: 'peer-messenger_message_read_watermark',
      expected: {
        id: `messenger:status:watermark:${GEM_PAGE}:${GEM_PSID}:1648581633369:read`,
        providerMessageId: `watermark:${GEM_PAGE}:${GEM_PSID}:1648581633369`,
        status: 'read',
      },
    },
  ])('maps $name once wrapped in the webhook body Meta sends', ({ name, expected }) => {
    const { body } = fixture(name);
    expect(only(run(wrapGemEvent(body)))).toMatchObject({
      ...expected,
      channel: 'messenger',
      account: GEM_PAGE,
      customer: { kind: 'messenger', value: `${GEM_PAGE}:${GEM_PSID}` },
    });
  });

  it.each(['peer-instagram_legacy_incoming_ig_text_message', 'peer-messenger_incoming_text'])(
    'refuses %s as it stands: it has no `object`',
    (name) => {
      expect(() => normalise(name)).toThrow(ValidationError);
    },
  );
});

describe('normaliseMetaMessaging: batches', () => {
  it('iterates every entry and every messaging and standby item, in order', () => {
    const { envelopes, rejected } = normalise('messenger_multi_entry');
    expect(rejected).toEqual([]);
    const page2 = '107021128093427:6983215381701823';
    expect(envelopes.map((e) => [e.id, e.account, 'customer' in e ? e.customer?.value : undefined])).toEqual([
      ['messenger:msg:m_multi_1', PAGE, `${PAGE}:${PSID}`],
      [`messenger:status:watermark:${PAGE}:${PSID}:1700000000400:delivered`, PAGE, `${PAGE}:${PSID}`],
      [`messenger:reaction:m_multi_echo_0:${PSID}:react:1700000001000`, PAGE, `${PAGE}:${PSID}`],
      ['messenger:msg:m_multi_2', '107021128093427', page2],
      [`messenger:status:watermark:${page2}:1700000001600:read`, '107021128093427', page2],
      ['messenger:msg:m_multi_3', '107021128093427', page2],
    ]);
    expect(envelopes[3]).toMatchObject({ direction: 'outbound', data: { appId: '263902037430900' } });
    expect(envelopes[5]).toMatchObject({
      direction: 'inbound',
      data: { standby: true },
      rawRef: expect.stringMatching(/#\/entry\/1\/standby\/0$/),
    });
  });

  it('is deterministic: the same body yields the same envelopes', () => {
    expect(normalise('messenger_multi_entry').envelopes).toEqual(
      normalise('messenger_multi_entry').envelopes,
    );
  });

  it('rejects one malformed event with its pointer and keeps the rest of the batch', () => {
    const { body } = fixture('messenger_multi_entry');
    const varied = structuredClone(body);
    const message = firstEvent(varied).message as Json;
    message.mid = 42;
    message.text = { secret: 'my card number is 4111' };
    const { envelopes, rejected } = run(varied);
    expect(envelopes).toHaveLength(5);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.pointer).toBe('/entry/0/messaging/0');
    expect(rejected[0]?.reason).toContain('message.mid');
    // Reasons are logged: they name paths, never values.
    expect(rejected[0]?.reason).not.toContain('4111');
  });

  it('rejects an entry that is not an object and reads the next one', () => {
    const { body } = fixture('messenger_text_quick_reply');
    const varied = structuredClone(body);
    (varied.entry as unknown[]).unshift('not an entry');
    const { envelopes, rejected } = run(varied);
    expect(rejected.map((r) => r.pointer)).toEqual(['/entry/0']);
    expect(envelopes.map((e) => e.rawRef)).toEqual(['meta:test-sha#/entry/1/messaging/0']);
  });

  it.each([
    ['a non-array entry list', { object: 'page', entry: {} }],
    ['no entry list', { object: 'instagram' }],
    ['an entry list that is a string', { object: 'page', entry: 'x' }],
  ])('refuses a body with %s: it is not the shape Meta sends', (_name, body) => {
    expect(() => run(body)).toThrow(ValidationError);
    expect(() => run(body)).toThrow(/^not a webhook body \(entry: Invalid input: expected array/);
  });

  it('reports entries that are not objects one by one, and keeps the body', () => {
    const { envelopes, rejected } = run({ object: 'page', entry: [1, 2] });
    expect(envelopes).toEqual([]);
    expect(rejected.map((r) => r.pointer)).toEqual(['/entry/0', '/entry/1']);
  });

  it('refuses a body of more entries than Meta batches, or more items, before reading any', () => {
    const entry = { id: '1', messaging: [{ sender: { id: '2' } }] };
    expect(() => run({ object: 'page', entry: Array(MAX_META_ENTRIES + 1).fill(entry) })).toThrow(
      new ValidationError(
        `${MAX_META_ENTRIES + 1} entries, over the ${MAX_META_ENTRIES} Meta batches at most`,
      ),
    );
    const crowded = {
      id: '1',
      messaging: Array(MAX_META_ITEMS / 2).fill({}),
      standby: Array(MAX_META_ITEMS / 2).fill({}),
    };
    expect(() => run({ object: 'page', entry: [crowded, { id: '1', changes: [{}] }] })).toThrow(
      new ValidationError(`${MAX_META_ITEMS + 1} items, over the ${MAX_META_ITEMS} one body may hold`),
    );
    const full = run({ object: 'page', entry: Array(MAX_META_ENTRIES).fill(entry) });
    expect(full.envelopes.length + full.rejected.length).toBe(MAX_META_ENTRIES);
  });

  it('reports a change that carries no messaging event (an Instagram comment)', () => {
    const body = {
      object: 'instagram',
      entry: [
        {
          id: IGID,
          time: 1569262486134,
          changes: [
            { field: 'comments', value: { id: '17865799348089039', from: { id: IGSID }, text: 'hi' } },
          ],
        },
      ],
    };
    expect(run(body)).toEqual({
      envelopes: [],
      rejected: [{ pointer: '/entry/0/changes/0', reason: 'change comments carries no messaging event' }],
    });
  });

  it('rejects a timestamp that is no time, naming the field', () => {
    const { body } = fixture('messenger_text_quick_reply');
    const varied = structuredClone(body);
    firstEvent(varied).timestamp = 'yesterday';
    const { envelopes, rejected } = run(varied);
    expect(envelopes).toEqual([]);
    expect(rejected[0]?.reason).toMatch(/^timestamp: /);
  });

  it('ignores a malformed entry.time, which is only a fallback', () => {
    const { body } = fixture('messenger_text_quick_reply');
    const varied = structuredClone(body);
    (varied.entry as Json[])[0] = { ...(varied.entry as Json[])[0], time: 'soon' };
    expect(only(run(varied))).toMatchObject({ occurredAt: '2016-03-23T00:25:52.478Z' });
  });

  it.each([
    ['a WhatsApp body', { object: 'whatsapp_business_account', entry: [] }],
    ['a Graph user body', { object: 'user', entry: [] }],
    ['a body without object', { entry: [] }],
    ['an array', [{ object: 'page', entry: [] }]],
    ['null', null],
  ])('throws ValidationError for %s', (_name, body) => {
    expect(() => run(body)).toThrow(ValidationError);
  });
});

describe('normaliseMetaMessaging: who is who', () => {
  it("marks the event's own time as the provider's in messaging[], not in a Graph changes event", () => {
    expect(only(run(fixture('messenger_text_quick_reply').body)).providerTime).toBe(true);
    const change = only(run(fixture('messenger_postback_changes').body));
    expect(change.occurredAt).toBe('2018-05-27T22:23:44.000Z');
    expect(change.providerTime).toBeUndefined();
  });

  it('takes the time from entry.time when the event has none', () => {
    const { body } = fixture('messenger_text_quick_reply');
    const varied = structuredClone(body);
    delete firstEvent(varied).timestamp;
    const envelope = only(run(varied));
    expect(envelope).toMatchObject({ occurredAt: '2016-03-23T00:25:52.600Z' });
    // The entry's time may differ between deliveries: not the event's own.
    expect(envelope.providerTime).toBeUndefined();
  });

  it('reads an echo without entry id as sent by the sender to the recipient', () => {
    const { body } = fixture('messenger_echo');
    const varied = structuredClone(body);
    delete (varied.entry as Json[])[0]?.id;
    expect(only(run(varied))).toMatchObject({
      direction: 'outbound',
      account: PAGE,
      customer: MESSENGER_CUSTOMER,
    });
  });

  it('treats a message whose sender is the page as outbound even without is_echo', () => {
    const { body } = fixture('messenger_echo');
    const varied = structuredClone(body);
    delete (firstEvent(varied).message as Json).is_echo;
    expect(only(run(varied))).toMatchObject({ direction: 'outbound', customer: MESSENGER_CUSTOMER });
  });

  it('keeps a reaction by the business as an outbound unsupported message, not as the customer reacting', () => {
    const { body } = fixture('messenger_reaction_react');
    const varied = structuredClone(body);
    const event = firstEvent(varied);
    [event.sender, event.recipient] = [event.recipient, event.sender];
    expect(only(run(varied))).toMatchObject({
      id: `messenger:reaction:${MID}:${PAGE}:react:1458668856463`,
      kind: 'message',
      direction: 'outbound',
      contentType: 'unsupported',
      customer: MESSENGER_CUSTOMER,
      data: { unsupportedType: 'reaction', reaction: { mid: MID, action: 'react' } },
    });
  });

  it('keeps an unsend by the business as an outbound unsupported message, not a customer delete', () => {
    const { body } = fixture('instagram_echo');
    const varied = structuredClone(body);
    const message = firstEvent(varied).message as Json;
    delete message.text;
    message.is_deleted = true;
    expect(only(run(varied))).toMatchObject({
      id: `instagram:delete:${IG_MID}`,
      kind: 'message',
      direction: 'outbound',
      customer: IG_CUSTOMER,
      data: { unsupportedType: 'delete', delete: { targetMessageId: IG_MID } },
    });
  });

  it('rejects an event that names no person', () => {
    const { body } = fixture('messenger_text_quick_reply');
    const varied = structuredClone(body);
    delete firstEvent(varied).sender;
    expect(run(varied)).toEqual({
      envelopes: [],
      rejected: [{ pointer: '/entry/0/messaging/0', reason: 'no person id (sender.id or recipient.id)' }],
    });
  });
});

describe('normaliseMetaMessaging: content', () => {
  it('reads an image with a sticker id as a sticker', () => {
    const { body } = fixture('messenger_attachments');
    const varied = structuredClone(body);
    const message = firstEvent(varied).message as Json;
    message.attachments = [
      {
        type: 'image',
        payload: { url: 'https://scontent.xx.fbcdn.net/like.png', sticker_id: 369239263222822 },
      },
    ];
    expect(only(run(varied))).toMatchObject({
      contentType: 'sticker',
      attachments: [{ kind: 'sticker', url: 'https://scontent.xx.fbcdn.net/like.png' }],
    });
  });

  it("marks Messenger's Like button (the thumbs-up sticker) and Instagram's heart as likes, not as questions", () => {
    const { body } = fixture('messenger_attachments');
    const thumb = structuredClone(body);
    const message = firstEvent(thumb).message as Json;
    delete message.text;
    // As Messenger sends the Like button: the sticker id on the message and on its image.
    message.sticker_id = 369239263222822;
    message.attachments = [
      {
        type: 'image',
        payload: { url: 'https://scontent.xx.fbcdn.net/like.png', sticker_id: 369239263222822 },
      },
    ];
    expect(only(run(thumb))).toMatchObject({ contentType: 'sticker', data: { like: '👍' } });
    const { body: ig } = fixture('instagram_text');
    const heart = structuredClone(ig);
    const igMessage = firstEvent(heart).message as Json;
    delete igMessage.text;
    igMessage.attachments = [{ type: 'like_heart' }];
    expect(only(run(heart))).toMatchObject({
      contentType: 'sticker',
      attachments: [],
      data: { like: '❤️', attachmentTypes: ['like_heart'] },
    });
    // Another sticker, or the like with words, is what it is.
    const other = structuredClone(thumb);
    const otherMessage = firstEvent(other).message as Json;
    otherMessage.sticker_id = 126361874215276;
    otherMessage.attachments = [
      { type: 'image', payload: { url: 'https://x.test/s.png', sticker_id: 126361874215276 } },
    ];
    expect(only(run(other))).not.toHaveProperty('data.like');
    const worded = structuredClone(thumb);
    (firstEvent(worded).message as Json).text = 'Thanks!';
    expect(only(run(worded))).not.toHaveProperty('data.like');
  });

  it('keeps a legacy fallback link as a file with its title, and an empty fallback as unsupported', () => {
    const { body } = fixture('messenger_attachments');
    const link = structuredClone(body);
    (firstEvent(link).message as Json).attachments = [
      { type: 'fallback', title: 'Spring sale', url: 'https://example.com/sale', payload: null },
    ];
    expect(only(run(link))).toMatchObject({
      contentType: 'document',
      attachments: [{ kind: 'file', url: 'https://example.com/sale', caption: 'Spring sale' }],
    });
    const empty = structuredClone(body);
    (firstEvent(empty).message as Json).attachments = [{ type: 'fallback' }];
    expect(only(run(empty))).toMatchObject({
      contentType: 'unsupported',
      attachments: [],
      data: { attachmentTypes: ['fallback'] },
    });
  });

  it('reads an echoed template as interactive, with no attachment', () => {
    const { body } = fixture('messenger_echo');
    const varied = structuredClone(body);
    const message = firstEvent(varied).message as Json;
    delete message.text;
    message.attachments = [{ type: 'template', payload: { template_type: 'button', text: 'Pick one' } }];
    expect(only(run(varied))).toMatchObject({
      direction: 'outbound',
      contentType: 'interactive',
      attachments: [],
      data: { attachmentTypes: ['template'] },
    });
  });

  it('keeps an event kind it does not read as an unsupported message, marked a notice', () => {
    const body = {
      object: 'page',
      entry: [
        {
          id: PAGE,
          time: 1458692752600,
          messaging: [
            { sender: { id: PSID }, recipient: { id: PAGE }, timestamp: 1458692752478, optin: { ref: 'x' } },
          ],
        },
      ],
    };
    expect(only(run(body))).toMatchObject({
      id: `messenger:event:optin:${PSID}:1458692752478`,
      kind: 'message',
      direction: 'inbound',
      contentType: 'unsupported',
      customer: MESSENGER_CUSTOMER,
      data: { unsupportedType: 'optin', notice: true },
    });
  });

  it('rejects an event kind it does not read when it has no sender', () => {
    const body = {
      object: 'page',
      entry: [{ id: PAGE, messaging: [{ recipient: { id: PAGE }, optin: {} }] }],
    };
    expect(run(body).rejected).toEqual([
      { pointer: '/entry/0/messaging/0', reason: 'optin event without a sender' },
    ]);
  });

  it('derives an id from the body and pointer for an event with neither mid nor time', () => {
    const body = {
      object: 'page',
      entry: [
        {
          id: PAGE,
          messaging: [{ sender: { id: PSID }, recipient: { id: PAGE }, postback: { title: 'Hi' } }],
        },
      ],
    };
    expect(only(run(body))).toMatchObject({
      id: `messenger:postback:${PSID}:test-sha#/entry/0/messaging/0`,
      providerMessageId: `postback:${PSID}:test-sha#/entry/0/messaging/0`,
      occurredAt: RECEIVED_AT,
    });
    expect(only(run(body)).providerTime).toBeUndefined();
  });
});

describe('metaTimeMs', () => {
  it.each([
    [1458692752478, 1458692752478],
    ['1458692752478', 1458692752478],
    [1527459824, 1527459824000],
    ['1527459824', 1527459824000],
    ['2021-09-08T06:34:04+0000', 1631082844000],
    ['2021-09-08T06:34:04.250Z', 1631082844250],
    ['yesterday', undefined],
    ['2021-09-08', undefined],
    ['', undefined],
    [0, undefined],
    [-5, undefined],
    [Number.POSITIVE_INFINITY, undefined],
  ])('reads %j as %j', (value, expected) => {
    expect(metaTimeMs(value)).toBe(expected);
  });
});

describe('a Messenger or Instagram text that shows nothing', () => {
  it.each([
    ['spaces', ' \u00a0 '],
    ['zero-width characters', '\u200b\ufeff'],
    ['a NUL', '\u0000'],
  ])('is skipped as empty: %s', (_, text) => {
    const { body } = fixture('instagram_text');
    const changed = structuredClone(body);
    (firstEvent(changed).message as Json).text = text;
    expect(run(changed)).toEqual({
      envelopes: [],
      rejected: [{ pointer: '/entry/0/messaging/0', reason: 'empty' }],
    });
  });
});
