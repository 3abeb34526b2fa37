import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  normaliseTwilioMessage,
  normaliseTwilioStatus,
  readTwilioMessage,
} from '#shared/channels/twilio/normalise.js';
import { normaliseTwilioCall } from '#shared/channels/twilio/normalise-call.js';
import type { DeliveryStatus, Envelope } from '#shared/domain/envelope.js';
import { statusRank } from '#shared/domain/status-rank.js';
import { ValidationError } from '#shared/errors.js';

const RECEIVED_AT = '2026-06-01T12:00:00.000Z';
const SHA = 'ab'.repeat(32);
const CTX = { receivedAt: RECEIVED_AT, bodySha256: SHA };
const FIXTURES = new URL('../../../../fixtures/twilio/', import.meta.url);
const ParamsSchema = z.record(z.string(), z.string());

/** A fixture's form parameters: Twilio sends strings only, and so must the file. */
function params(name: string): Record<string, string> {
  return ParamsSchema.parse(JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')));
}

/** A fixture varied without touching the parsed original. */
function vary(name: string, change: Record<string, string | undefined>): Record<string, string> {
  const copy = structuredClone(params(name));
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) delete copy[key];
    else copy[key] = value;
  }
  return copy;
}

function only(envelopes: Envelope[]): Envelope {
  expect(envelopes).toHaveLength(1);
  return envelopes[0] as Envelope;
}

const CUSTOMER = { kind: 'phone', value: '+14158675310' } as const;
const SHEENA = { kind: 'phone', value: '+16505551234' } as const;
const BSUID = { kind: 'whatsapp', value: 'IN.2081978709342942' } as const;
const PARENT_BSUID = { kind: 'whatsapp', value: 'IN.ENT.9081726354' } as const;
const MEDIA = 'https://api.twilio.com/2010-04-01/Accounts/AC8f1e3b0c2d4a5968b7c6d5e4f3a2b1c0/Messages';
const RECORDING =
  'https://api.twilio.com/2010-04-01/Accounts/AC8f1e3b0c2d4a5968b7c6d5e4f3a2b1c0/Recordings/RE3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c';
const CALL = 'CA5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b';

describe('normaliseTwilioMessage: documented parameters', () => {
  it.each([
    {
      name: 'sms_inbound',
      expected: {
        id: 'twilio:msg:SM2c0f9e8d7c6b5a4938271605f4e3d2c1',
        provider: 'twilio',
        channel: 'sms',
        account: '+15017122661',
        direction: 'inbound',
        providerMessageId: 'SM2c0f9e8d7c6b5a4938271605f4e3d2c1',
        customer: CUSTOMER,
        alsoKnownAs: [],
        contentType: 'text',
        text: 'Hi, my order #1234 has not arrived yet',
        attachments: [],
      },
    },
    {
      name: 'mms_two_media',
      expected: {
        id: 'twilio:msg:MM7d5b3f1e9c7a5b3d1f9e7c5a3b1d9f7e',
        channel: 'sms',
        contentType: 'image',
        text: 'Here is the damaged box',
        attachments: [
          {
            kind: 'image',
            mimeType: 'image/jpeg',
            mediaId: 'ME0a1b2c3d4e5f60718293a4b5c6d7e8f9',
            url: `${MEDIA}/MM7d5b3f1e9c7a5b3d1f9e7c5a3b1d9f7e/Media/ME0a1b2c3d4e5f60718293a4b5c6d7e8f9`,
          },
          {
            kind: 'video',
            mimeType: 'video/mp4',
            mediaId: 'ME9f8e7d6c5b4a39281706f5e4d3c2b1a0',
            url: `${MEDIA}/MM7d5b3f1e9c7a5b3d1f9e7c5a3b1d9f7e/Media/ME9f8e7d6c5b4a39281706f5e4d3c2b1a0`,
          },
        ],
      },
    },
    {
      name: 'whatsapp_inbound',
      expected: {
        channel: 'whatsapp',
        account: '+14155238886',
        customer: SHEENA,
        alsoKnownAs: [],
        profileName: 'Sheena Nelson',
        contentType: 'text',
        text: 'Hello, is the blue one back in stock?',
      },
    },
    {
      name: 'whatsapp_location',
      expected: {
        channel: 'whatsapp',
        contentType: 'location',
        text: 'Our shop, 1 Market St, San Francisco, CA',
        data: {
          location: {
            latitude: 37.7879277,
            longitude: -122.4075258,
            name: 'Our shop',
            address: '1 Market St, San Francisco, CA',
          },
        },
      },
    },
    {
      name: 'whatsapp_button_reply',
      expected: {
        contentType: 'button',
        text: 'Track my order',
        replyTo: 'SM6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b',
        data: { button: { text: 'Track my order', payload: 'track_order' } },
      },
    },
    {
      name: 'sms_opt_out_advanced',
      expected: { contentType: 'text', text: 'Arret', data: { optOut: 'stop' } },
    },
  ])('$name', ({ name, expected }) => {
    const envelope = only(normaliseTwilioMessage(params(name), CTX));
    expect(envelope).toMatchObject({
      kind: 'message',
      occurredAt: RECEIVED_AT,
      receivedAt: RECEIVED_AT,
      rawRef: `twilio:${SHA}#`,
      ...expected,
    });
    expect(envelope.raw).toEqual(params(name));
  });

  it('carries no data for a plain SMS', () => {
    expect(only(normaliseTwilioMessage(params('sms_inbound'), CTX))).not.toHaveProperty('data');
  });

  it('marks forwarded WhatsApp messages', () => {
    const forwarded = vary('whatsapp_inbound', { Forwarded: 'true', FrequentlyForwarded: 'true' });
    expect(only(normaliseTwilioMessage(forwarded, CTX))).toMatchObject({
      data: { forwarded: true, frequentlyForwarded: true },
    });
  });

  it('gives the same number on SMS and on WhatsApp the same identity as WhatsApp Cloud does', () => {
    const sms = only(normaliseTwilioMessage(vary('sms_inbound', { From: '+16505551234' }), CTX));
    const whatsapp = only(normaliseTwilioMessage(params('whatsapp_inbound'), CTX));
    // The WhatsApp Cloud fixtures' wa_id 16505551234 normalises to the same value.
    expect([
      sms.kind === 'message' && sms.customer,
      whatsapp.kind === 'message' && whatsapp.customer,
    ]).toEqual([SHEENA, SHEENA]);
  });

  it('yields the same envelope for a redelivery', () => {
    expect(normaliseTwilioMessage(params('mms_two_media'), CTX)).toEqual(
      normaliseTwilioMessage(params('mms_two_media'), CTX),
    );
  });
});

describe('normaliseTwilioMessage: opt-out keywords', () => {
  it.each([
    ...['STOP', 'stop', ' Stop ', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'].map(
      (body) => [body, 'stop'] as const,
    ),
    ...['START', 'yes', 'UNSTOP'].map((body) => [body, 'start'] as const),
    ...['HELP', 'Info'].map((body) => [body, 'help'] as const),
    ...['STOP PLEASE', 'please cancel', 'stopped', 'I need help'].map((body) => [body, undefined] as const),
  ])('keeps an SMS saying %j as a message, with optOut %s', (body, optOut) => {
    const envelope = only(normaliseTwilioMessage(vary('sms_inbound', { Body: body }), CTX));
    expect(envelope).toMatchObject({ kind: 'message', contentType: 'text', text: body });
    expect(envelope.kind === 'message' ? envelope.data?.optOut : 'not a message').toBe(optOut);
  });

  it.each([
    ['STOP', 'Arret', 'stop'],
    ['START', 'Commencer', 'start'],
    ['help', 'Aide', 'help'],
  ])('takes OptOutType %s over the words of the body (%s)', (type, body, optOut) => {
    const message = vary('sms_opt_out_advanced', { OptOutType: type, Body: body });
    expect(only(normaliseTwilioMessage(message, CTX))).toMatchObject({ data: { optOut } });
  });

  it('reads STOP or PARAR on WhatsApp as Threadline’s own opt-out (Twilio filters SMS only), HELP as a message', () => {
    for (const Body of ['STOP', 'parar']) {
      const envelope = only(normaliseTwilioMessage(vary('whatsapp_inbound', { Body }), CTX));
      expect(envelope).toMatchObject({ text: Body, data: { optOut: 'stop' } });
    }
    const help = only(normaliseTwilioMessage(vary('whatsapp_inbound', { Body: 'HELP' }), CTX));
    expect(help).not.toHaveProperty('data');
  });
});

describe('normaliseTwilioMessage: peer payloads', () => {
  it.each([
    {
      name: 'peer-sms-inbound_whatsapp_argentina_with_9',
      expected: {
        channel: 'whatsapp',
        customer: { kind: 'phone', value: '+5491123456789' },
        profileName: 'Carlos Mendoza',
      },
    },
    {
      name: 'peer-sms-inbound_whatsapp_brazil_with_9',
      expected: {
        channel: 'whatsapp',
        customer: { kind: 'phone', value: '+5541988887777' },
        profileName: 'João Silva',
      },
    },
    {
      // Kept as sent, as the WhatsApp Cloud normaliser keeps the same wa_id: one identity per number.
      name: 'peer-sms-inbound_whatsapp_brazil_without_9',
      expected: { customer: { kind: 'phone', value: '+554188887777' } },
    },
    {
      name: 'peer-sms-inbound_whatsapp_bsuid_only',
      expected: {
        channel: 'whatsapp',
        customer: BSUID,
        alsoKnownAs: [PARENT_BSUID],
        profileName: 'Muhsin',
        data: { username: 'muhsin' },
      },
    },
    {
      name: 'peer-sms-inbound_whatsapp_bsuid_follow_up',
      expected: { id: 'twilio:msg:SMxx2', customer: BSUID, alsoKnownAs: [], text: 'bsuid only' },
    },
    {
      name: 'peer-sms-inbound_whatsapp_phone_with_bsuid',
      expected: { customer: { kind: 'phone', value: '+919745786257' }, alsoKnownAs: [BSUID] },
    },
    {
      name: 'peer-sms-inbound_whatsapp_ctwa_referral',
      expected: {
        customer: { kind: 'phone', value: '+491741763110' },
        data: {
          referral: {
            ctwaClid: 'AfjyUDlaIoiweZDnlzmDTEaG',
            sourceId: '120237244350960485',
            sourceUrl: 'https://fb.me/4tBfhWhjr',
            sourceType: 'ad',
            headline: 'German citizenship lawyer',
            body: 'Fast-track your German citizenship',
            numMedia: '0',
          },
        },
      },
    },
    {
      // From (+1234567890) is shaped, not judged: the resolver canonicalises phones; the WhatsApp users follow it.
      name: 'peer-sms-callback_controller_params',
      expected: {
        id: 'twilio:msg:SM123',
        customer: { kind: 'phone', value: '+1234567890' },
        alsoKnownAs: [BSUID, PARENT_BSUID],
        data: { username: 'muhsin' },
      },
    },
  ])('$name', ({ name, expected }) => {
    expect(only(normaliseTwilioMessage(params(name), CTX))).toMatchObject({ kind: 'message', ...expected });
  });

  const fakeSenders = [
    'peer-sms-inbound_sms_messaging_service',
    'peer-sms-inbound_sms_null_bytes',
    'peer-sms-inbound_sms_no_body',
    'peer-sms-inbound_sms_to_phone_number',
    'peer-sms-inbound_mms_single_media',
    'peer-sms-inbound_mms_multiple_media',
    'peer-sms-inbound_whatsapp_location',
  ];

  it.each(fakeSenders)('skips %s: its From (+12345) is a short code, no phone number', (name) => {
    expect(readTwilioMessage(params(name), CTX)).toEqual({
      envelopes: [],
      skipped: { reason: 'sender', sender: 'short_code' },
    });
  });

  // The webhook shapes what Twilio sent and leaves judging the number to the resolver (libphonenumber).
  it.each([
    ['peer-sms-inbound_sms_new_sender', '+123456'],
    ['peer-sms-inbound_whatsapp_profile_name', '+1234567890'],
    ['peer-sms-inbound_whatsapp_profile_name_blank', '+1234567890'],
    ['peer-sms-events_job_media_only', '+1234567890'],
  ])('keeps the From of %s (%s) as sent, though libphonenumber knows no such number', (name, from) => {
    expect(only(normaliseTwilioMessage(params(name), CTX))).toMatchObject({
      kind: 'message',
      channel: 'sms',
      customer: { kind: 'phone', value: from },
      alsoKnownAs: [],
    });
  });

  it.each([
    [
      'peer-sms-inbound_sms_messaging_service',
      { id: 'twilio:msg:SMxx', contentType: 'text', text: 'testing3' },
    ],
    ['peer-sms-inbound_sms_null_bytes', { text: 'remove null bytes' }],
    ['peer-sms-inbound_sms_new_sender', { text: 'new conversation' }],
    ['peer-sms-inbound_sms_to_phone_number', { account: '+12345678911' }],
    [
      'peer-sms-inbound_mms_single_media',
      {
        contentType: 'image',
        text: 'testing3',
        attachments: [
          { kind: 'image', mimeType: 'image/jpeg', url: 'https://chatwoot-assets.local/sample.png' },
        ],
      },
    ],
    [
      'peer-sms-inbound_mms_multiple_media',
      {
        contentType: 'image',
        attachments: [
          { kind: 'image', mimeType: 'image/png', url: 'https://chatwoot-assets.local/sample.png' },
          { kind: 'image', mimeType: 'image/jpeg', url: 'https://chatwoot-assets.local/sample.jpg' },
        ],
      },
    ],
    [
      'peer-sms-inbound_whatsapp_location',
      {
        contentType: 'location',
        text: '12.160894393921, 75.265205383301',
        data: { location: { latitude: 12.160894393921, longitude: 75.265205383301 } },
      },
    ],
    ['peer-sms-inbound_whatsapp_profile_name', { profileName: 'John Doe' }],
    // Media without NumMedia or a content type is still kept.
    [
      'peer-sms-events_job_media_only',
      {
        id: 'twilio:msg:SM123',
        contentType: 'document',
        attachments: [{ kind: 'file', url: 'https://example.com/media.jpg' }],
      },
    ],
  ])('normalises %s once its From is a real number', (name, expected) => {
    const envelope = only(normaliseTwilioMessage(vary(name, { From: '+14158675310' }), CTX));
    expect(envelope).toMatchObject({ kind: 'message', channel: 'sms', customer: CUSTOMER, ...expected });
  });

  it('drops a blank ProfileName', () => {
    const message = vary('peer-sms-inbound_whatsapp_profile_name_blank', { From: '+14158675310' });
    expect(only(normaliseTwilioMessage(message, CTX))).not.toHaveProperty('profileName');
  });
});

describe('normaliseTwilioMessage: refusals', () => {
  it.each([
    ['no MessageSid or SmsSid', { MessageSid: undefined, SmsSid: undefined, SmsMessageSid: undefined }],
    ['no From', { From: undefined }],
    ['a blank From', { From: '  ' }],
    ['a non-numeric NumMedia', { NumMedia: 'two' }],
    ['a sender that is no address and no sender id', { From: "' OR 1=1 --" }],
    ['a sender id over 11 characters', { From: 'AMAZONPRIME1' }],
    ['a sender id of symbols only', { From: '+&_-' }],
    ['a sender id with a character Twilio does not take', { From: 'Shop.com' }],
  ])('throws ValidationError for %s', (_name, change) => {
    expect(() => normaliseTwilioMessage(vary('sms_inbound', change), CTX)).toThrow(ValidationError);
  });

  it('names the field, never the value, in its error', () => {
    expect(() => normaliseTwilioMessage(vary('sms_inbound', { From: '+1 (555) secret' }), CTX)).toThrow(
      /^From is neither a phone number nor a WhatsApp user id$/,
    );
  });
});

describe('readTwilioMessage: skipped messages', () => {
  it.each([
    ['a short code', '72345', 'short_code'],
    ['a short code with a plus', '+12345', 'short_code'],
    ['an alphanumeric sender id', 'AMAZON', 'alphanumeric'],
    ['an alphanumeric sender id with digits and a space', 'Shop 24', 'alphanumeric'],
    ['a withheld sender', 'anonymous', 'alphanumeric'],
    ['a sender id with an ampersand', 'H&M', 'alphanumeric'],
    ['a sender id with an underscore', 'DHL_Express', 'alphanumeric'],
    ['a sender id with a plus', 'B+Q', 'alphanumeric'],
    ['a sender id with a hyphen', 'MyShop-Info', 'alphanumeric'],
  ])('skips a message from %s, naming its kind, not its value', (_name, From, sender) => {
    const inbound = readTwilioMessage(vary('sms_inbound', { From }), CTX);
    expect(inbound).toEqual({ envelopes: [], skipped: { reason: 'sender', sender } });
  });

  it.each([
    ['no Body and no media', 'peer-sms-events_job_no_body_no_media_skipped', {}],
    ['an empty Body and NumMedia 0', 'sms_inbound', { Body: '', NumMedia: '0' }],
    ['a Body of NUL bytes only', 'sms_inbound', { Body: '\u0000\u0000' }],
    ['an empty WhatsApp text', 'whatsapp_inbound', { Body: '', MessageType: 'text' }],
    ['a Body of spaces', 'sms_inbound', { Body: '   ' }],
    ['an ideographic and a no-break space', 'sms_inbound', { Body: '\u3000\u00a0' }],
    ['zero-width characters and a BOM', 'sms_inbound', { Body: '\u200b\u200d\ufeff' }],
    ['a WhatsApp text of a zero-width space and a word joiner', 'whatsapp_inbound', { Body: '\u200b\u2060' }],
    ['control characters only', 'sms_inbound', { Body: '\u0007\u001b\r\n' }],
  ])('skips an empty message: %s', (_name, fixture, change) => {
    expect(readTwilioMessage(vary(fixture, change), CTX)).toEqual({
      envelopes: [],
      skipped: { reason: 'empty' },
    });
  });

  it.each([
    ['a photo without text', 'mms_two_media', { Body: '' }],
    ['a photo with blank text', 'mms_two_media', { Body: '\u200b ' }],
    ['a WhatsApp sticker Twilio does not pass on', 'whatsapp_inbound', { Body: '', MessageType: 'sticker' }],
    ['a location without text', 'whatsapp_location', { Body: '' }],
  ])('keeps %s', (_name, fixture, change) => {
    const inbound = readTwilioMessage(vary(fixture, change), CTX);
    expect(inbound.skipped).toBeUndefined();
    expect(inbound.envelopes).toHaveLength(1);
  });
});

const OUTBOUND = 'SM8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e';

describe('normaliseTwilioStatus', () => {
  it.each([
    ['accepted', 'queued'],
    ['scheduled', 'queued'],
    ['queued', 'queued'],
    ['sending', 'sent'],
    ['sent', 'sent'],
    ['partially_delivered', 'sent'],
    ['delivered', 'delivered'],
    ['undelivered', 'failed'],
    ['failed', 'failed'],
    ['canceled', 'failed'],
    ['read', 'read'],
  ])('maps %s to %s, keeping the raw status in the id and in raw', (raw, status) => {
    const callback = vary('status_sent', { MessageStatus: raw, SmsStatus: raw });
    const envelope = only(normaliseTwilioStatus(callback, CTX));
    expect(envelope).toMatchObject({
      id: `twilio:status:${OUTBOUND}:${raw}`,
      kind: 'status',
      provider: 'twilio',
      channel: 'sms',
      account: '+15017122661',
      providerMessageId: OUTBOUND,
      status,
      customer: CUSTOMER,
      occurredAt: RECEIVED_AT,
      raw: callback,
    });
  });

  it.each([
    ['30003', 'unreachable'],
    ['30004', 'blocked'],
    ['30005', 'unknown'],
    ['30006', 'landline'],
    ['30007', 'filtered'],
    ['30008', 'unknown error'],
    ['21610', 'STOP'],
    ['21614', 'not a mobile number'],
  ])('says what Twilio error %s means beside the code (%s)', (code, words) => {
    const callback = vary('status_sent', { MessageStatus: 'undelivered', ErrorCode: code });
    const envelope = only(normaliseTwilioStatus(callback, CTX));
    const [error] = envelope.kind === 'status' ? (envelope.errors ?? []) : [];
    expect(error?.code).toBe(code);
    expect(error?.hint).toContain(words);
  });

  it('gives no hint for a code it does not know', () => {
    const callback = vary('status_sent', { MessageStatus: 'failed', ErrorCode: '30999' });
    expect(only(normaliseTwilioStatus(callback, CTX))).toMatchObject({ errors: [{ code: '30999' }] });
    expect(only(normaliseTwilioStatus(callback, CTX))).not.toHaveProperty('errors.0.hint');
  });

  it.each(['receiving', 'received'])('yields nothing for %s, a state of inbound messages', (raw) => {
    expect(normaliseTwilioStatus(vary('status_sent', { MessageStatus: raw }), CTX)).toEqual([]);
  });

  it('gives a canceled message a reason', () => {
    expect(
      only(normaliseTwilioStatus(vary('status_sent', { MessageStatus: 'canceled' }), CTX)),
    ).toMatchObject({
      status: 'failed',
      errors: [{ code: 'canceled', message: 'the message was canceled before it was sent' }],
    });
  });

  it.each([
    ['status_sent', { status: 'sent', channel: 'sms', customer: CUSTOMER }],
    ['status_undelivered_30003', { status: 'failed', channel: 'sms', errors: [{ code: '30003' }] }],
    [
      'status_whatsapp_read',
      { status: 'read', channel: 'whatsapp', account: '+14155238886', customer: SHEENA },
    ],
    [
      'status_whatsapp_undelivered_63016',
      {
        status: 'failed',
        channel: 'whatsapp',
        errors: [
          {
            code: '63016',
            message: 'Failed to send freeform message because you are outside the allowed window.',
          },
        ],
      },
    ],
    [
      'peer-status-delivered',
      { status: 'delivered', providerMessageId: 'SMd560ac79e4a4d36b3ce59f1f50471986' },
    ],
    [
      'peer-status-delivery_status_controller_params',
      { id: 'twilio:status:SM123:delivered', status: 'delivered' },
    ],
    ['peer-status-read', { status: 'read' }],
    ['peer-status-queued_ignored', { status: 'queued' }],
    [
      'peer-status-undelivered_30002',
      { status: 'failed', errors: [{ code: '30002', message: 'Account suspended' }] },
    ],
    ['peer-status-failed_30008', { status: 'failed', errors: [{ code: '30008', message: 'Unknown error' }] }],
    ['peer-status-failed_no_error_message', { status: 'failed', errors: [{ code: '30008' }] }],
  ])('%s', (name, expected) => {
    expect(only(normaliseTwilioStatus(params(name), CTX))).toMatchObject({ kind: 'status', ...expected });
  });

  it('has no customer when the callback names no To (peer payloads)', () => {
    expect(only(normaliseTwilioStatus(params('peer-status-delivered'), CTX))).not.toHaveProperty('customer');
  });

  it.each([
    ['an undocumented status', { MessageStatus: 'exploded', SmsStatus: 'exploded' }],
    ['no status', { MessageStatus: undefined, SmsStatus: undefined }],
    ['no MessageSid', { MessageSid: undefined, SmsSid: undefined }],
  ])('throws ValidationError for %s', (_name, change) => {
    expect(() => normaliseTwilioStatus(vary('status_sent', change), CTX)).toThrow(ValidationError);
  });

  const permutations = <T>(items: readonly T[]): T[][] =>
    items.length <= 1
      ? [[...items]]
      : items.flatMap((item, i) =>
          permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [item, ...p]),
        );

  /** The status a message ends with when the envelopes are applied forward-only, as the resolver does. */
  const settle = (raws: readonly string[]) =>
    raws
      .flatMap((raw) => normaliseTwilioStatus(vary('status_whatsapp_read', { MessageStatus: raw }), CTX))
      .reduce<DeliveryStatus | undefined>((current, envelope) => {
        if (envelope.kind !== 'status') throw new Error('not a status');
        return current === undefined || statusRank(envelope.status) > statusRank(current)
          ? envelope.status
          : current;
      }, undefined);

  it.each([
    [['queued', 'sent', 'delivered', 'read'], 'read'],
    [['sent', 'delivered'], 'delivered'],
    [['sent', 'undelivered'], 'failed'],
    [['accepted', 'queued', 'sending', 'sent'], 'sent'],
  ] as const)('settles %j in any order on %s', (raws, expected) => {
    for (const order of permutations(raws)) expect(settle(order)).toBe(expected);
  });

  it('gives every status of one message its own id, so none replaces another', () => {
    const ids = ['sent', 'delivered', 'read', 'failed', 'undelivered'].map(
      (raw) => only(normaliseTwilioStatus(vary('status_sent', { MessageStatus: raw }), CTX)).id,
    );
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('normaliseTwilioCall', () => {
  const common = {
    kind: 'call',
    provider: 'twilio',
    channel: 'voice',
    callId: CALL,
    direction: 'inbound',
    customer: CUSTOMER,
    account: '+15017122661',
    occurredAt: RECEIVED_AT,
  };

  it.each([
    {
      name: 'call_incoming',
      event: 'incoming' as const,
      expected: { id: `twilio:call:${CALL}:ringing`, event: 'ringing' },
    },
    {
      name: 'call_status_completed',
      event: 'status' as const,
      expected: { id: `twilio:call:${CALL}:completed`, event: 'completed', durationSeconds: 21 },
    },
    {
      name: 'call_status_no_answer',
      event: 'status' as const,
      expected: { id: `twilio:call:${CALL}:missed`, event: 'missed', durationSeconds: 0 },
    },
    {
      name: 'call_transcription_completed',
      event: 'transcription' as const,
      expected: {
        id: `twilio:call:${CALL}:transcription:TR1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d`,
        event: 'transcription',
        transcript: 'Hi, this is Sheena. My order has not arrived, please call me back.',
        recordingUrl: RECORDING,
      },
    },
  ])('$name', ({ name, event, expected }) => {
    const envelope = only(normaliseTwilioCall(params(name), CTX, event));
    expect(envelope).toMatchObject({ ...common, ...expected });
    expect(envelope.raw).toEqual(params(name));
  });

  it('files a recording under the caller its callback URL carries', () => {
    const query = { From: '+14158675310', To: '+15017122661' };
    expect(
      only(normaliseTwilioCall(params('call_recording_completed'), { ...CTX, query }, 'recording')),
    ).toMatchObject({
      ...common,
      id: `twilio:call:${CALL}:voicemail:RE3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c`,
      event: 'voicemail',
      recordingUrl: RECORDING,
      durationSeconds: 14,
    });
  });

  it('refuses a recording whose caller is unknown', () => {
    expect(() => normaliseTwilioCall(params('call_recording_completed'), CTX, 'recording')).toThrow(
      ValidationError,
    );
  });

  it.each([
    ['recording', 'call_recording_completed', { RecordingStatus: 'failed' }],
    ['recording', 'call_recording_completed', { RecordingStatus: 'absent' }],
    ['transcription', 'call_transcription_completed', { TranscriptionStatus: 'failed' }],
  ] as const)('yields no %s envelope for %s %j', (event, name, change) => {
    const query = { From: '+14158675310' };
    expect(normaliseTwilioCall(vary(name, change), { ...CTX, query }, event)).toEqual([]);
  });

  it.each([
    ['queued', 'ringing'],
    ['initiated', 'ringing'],
    ['ringing', 'ringing'],
    ['in-progress', 'answered'],
    ['completed', 'completed'],
    ['busy', 'missed'],
    ['failed', 'missed'],
    ['no-answer', 'missed'],
    ['canceled', 'missed'],
  ])('reads call status %s as %s', (status, event) => {
    const envelope = only(
      normaliseTwilioCall(vary('call_status_completed', { CallStatus: status }), CTX, 'status'),
    );
    expect(envelope).toMatchObject({ id: `twilio:call:${CALL}:${event}`, event });
  });

  it('files an outbound call under the callee', () => {
    const call = vary('call_status_completed', {
      Direction: 'outbound-api',
      From: '+15017122661',
      To: '+14158675310',
    });
    expect(only(normaliseTwilioCall(call, CTX, 'status'))).toMatchObject({
      direction: 'outbound',
      customer: CUSTOMER,
      account: '+15017122661',
    });
  });

  it.each([
    ['a withheld caller', 'call_incoming', { From: 'anonymous' }, 'incoming'],
    ['a browser client', 'call_incoming', { From: 'client:alice' }, 'incoming'],
    ['no CallSid', 'call_incoming', { CallSid: undefined }, 'incoming'],
    ['an undocumented CallStatus', 'call_status_completed', { CallStatus: 'exploded' }, 'status'],
    ['a status callback without CallStatus', 'call_status_completed', { CallStatus: undefined }, 'status'],
    [
      'a recording without RecordingSid',
      'call_recording_completed',
      { RecordingSid: undefined },
      'recording',
    ],
    [
      'a transcription without TranscriptionSid',
      'call_transcription_completed',
      { TranscriptionSid: undefined },
      'transcription',
    ],
  ] as const)('throws ValidationError for %s', (_name, fixture, change, event) => {
    const query = { From: '+14158675310' };
    expect(() => normaliseTwilioCall(vary(fixture, change), { ...CTX, query }, event)).toThrow(
      ValidationError,
    );
  });

  it('prefers the parameters over the callback query', () => {
    const query = { From: '+16505551234' };
    expect(
      only(normaliseTwilioCall(params('call_transcription_completed'), { ...CTX, query }, 'transcription')),
    ).toMatchObject({
      customer: CUSTOMER,
    });
  });
});

describe('control characters in a Twilio message', () => {
  it('are taken out of its text and its profile name', () => {
    const envelope = only(
      normaliseTwilioMessage(
        vary('whatsapp_inbound', {
          Body: 'Hi\u0000 there\u0007\u001b[31m',
          ProfileName: 'Ctrl\u0000Name\u0007',
        }),
        CTX,
      ),
    );
    expect(envelope).toMatchObject({ text: 'Hi there[31m', profileName: 'CtrlName' });
  });
});
