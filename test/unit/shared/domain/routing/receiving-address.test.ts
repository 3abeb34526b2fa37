import { describe, expect, it } from 'vitest';
import { parseRoutingPolicy, RoutingPolicyError } from '#shared/domain/routing/policy.js';
import { selectQueue } from '#shared/domain/routing/queues.js';
import { receivingAddresses } from '#shared/domain/routing/receiving-address.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { POLICY_INPUT, policyWith } from './fixtures.js';

const BRAND_A = '+15017120001';

/** The fixtures' policy with queues by our receiving address put first. */
const brands = policyWith({
  queues: [
    { name: 'brand-a', to: [BRAND_A, 'Hello@Brand-A.example', 'https://brand-a.example', '106540352242922'] },
    { name: 'brand-b-sms', channels: ['sms'], to: ['+15017120002'] },
    { name: 'brand-b-page', to: ['1122334455'] },
    ...(POLICY_INPUT.queues ?? []),
  ],
});

const parse = (to: unknown) => () =>
  parseRoutingPolicy(JSON.stringify({ ...POLICY_INPUT, queues: [{ name: 'general', to }] }));

describe('a queue matched by the address the message came in on (`to`)', () => {
  it.each([
    ['our number written to', { channel: 'sms', to: [BRAND_A] }, 'brand-a'],
    ['an email address, whatever its case', { channel: 'email', to: ['hello@brand-a.example'] }, 'brand-a'],
    ['a web-chat site', { channel: 'webchat', to: ['https://brand-a.example'] }, 'brand-a'],
    ['a WhatsApp phone number id', { channel: 'whatsapp', to: ['106540352242922'] }, 'brand-a'],
    ['a Page id', { channel: 'messenger', to: ['1122334455'] }, 'brand-b-page'],
    ['with the channel too', { channel: 'sms', to: ['+15017120002'] }, 'brand-b-sms'],
    ['not without the channel', { channel: 'voice', to: ['+15017120002'] }, 'voice'],
    ['not another address', { channel: 'sms', to: ['+15017120003'] }, 'general'],
    ['not a message with no address', { channel: 'sms', text: 'hi' }, 'general'],
    ['before keywords of later queues', { channel: 'sms', to: [BRAND_A], text: 'my invoice' }, 'brand-a'],
  ] as const)('picks by %s', (_name, message, queue) => {
    expect(selectQueue(brands, message)).toBe(queue);
  });

  it.each([
    [
      'a number with spaces',
      '+1 501 712 0001',
      /queues\[0\]\.to\[0\]: "\+1 501 712 0001" is not an E\.164 number/,
    ],
    ['a number without its +', '15017120001x', /queues\[0\]\.to\[0\]: "15017120001x" is not/],
    ['a number too long', '+1501712000100000', /is not an E\.164 number/],
    [
      'a page with a path',
      'https://brand-b.example/chat',
      /is not a site's origin.*https:\/\/brand-b\.example/,
    ],
    ['an address without a domain', 'hello@', /is not an email address/],
    ['a name', 'brand-a', /queues\[0\]\.to\[0\]: "brand-a" is not/],
  ])('refuses %s at load, naming the field', (_name, address, message) => {
    expect(parse([address])).toThrow(RoutingPolicyError);
    expect(parse([address])).toThrow(message);
  });

  it('refuses an empty list', () => {
    expect(parse([])).toThrow(/queues\[0\]\.to: /);
  });

  it('keeps email addresses in lower case, the rest as written', () => {
    const policy = parseRoutingPolicy(
      JSON.stringify({
        ...POLICY_INPUT,
        queues: [{ name: 'general', to: ['Hello@Brand-A.example', BRAND_A] }],
      }),
    );
    expect(policy.queues[0]?.to).toEqual(['hello@brand-a.example', BRAND_A]);
  });
});

const at = '2026-12-06T10:00:00.000Z';
const item = (fields: Partial<TimelineItem>): TimelineItem => ({
  id: 'x',
  type: 'message',
  direction: 'inbound',
  at,
  customerId: 'cu_1',
  ...fields,
});

describe('receivingAddresses: the address of ours each channel keeps on the item', () => {
  it.each([
    ['SMS: our number (`to`)', item({ channel: 'sms', to: { kind: 'phone', value: BRAND_A } }), [BRAND_A]],
    ['SMS: our short code', item({ channel: 'sms', to: { kind: 'phone', value: '72345' } }), ['72345']],
    [
      'Twilio WhatsApp: our number',
      item({ channel: 'whatsapp', to: { kind: 'phone', value: BRAND_A } }),
      [BRAND_A],
    ],
    [
      'WhatsApp Cloud: our phone number id',
      item({ channel: 'whatsapp', data: { phoneNumberId: '106540352242922' } }),
      ['106540352242922'],
    ],
    [
      'a voicemail: the number called',
      item({
        type: 'event',
        event: 'call_voicemail',
        channel: 'voice',
        to: { kind: 'phone', value: BRAND_A },
      }),
      [BRAND_A],
    ],
    [
      'Messenger: our Page, from the customer’s page-scoped identity',
      item({ channel: 'messenger', from: { kind: 'messenger', value: '1122334455:998877' } }),
      ['1122334455'],
    ],
    [
      'Instagram: our account',
      item({ channel: 'instagram', from: { kind: 'instagram', value: '17841400000000000:55' } }),
      ['17841400000000000'],
    ],
    [
      'email: every address of ours it reached, in lower case',
      item({ channel: 'email', data: { recipients: ['Hello@Brand-A.example', 'sales@brand-a.example'] } }),
      ['hello@brand-a.example', 'sales@brand-a.example'],
    ],
    [
      'web chat: the origin of the page written from',
      item({ channel: 'webchat', data: { page: 'https://brand-b.example/shop?x=1' } }),
      ['https://brand-b.example'],
    ],
    ['web chat without a page: none', item({ channel: 'webchat' }), []],
    ['a page that is no URL: none', item({ channel: 'webchat', data: { page: 'nope' } }), []],
  ])('%s', (_name, given, addresses) => {
    expect(receivingAddresses(given)).toEqual(addresses);
  });
});
