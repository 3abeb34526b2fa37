import { describe, expect, it } from 'vitest';
import {
  aiReplyId,
  answeredItemOf,
  checkReplyRules,
  emailReplyAddress,
  ReplyRequestSchema,
  replyAddress,
  standingBlock,
} from '#shared/domain/replies.js';
import { replyChannel } from '#shared/domain/reply-channel.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { ConflictError, UnprocessableError } from '#shared/errors.js';

const now = new Date('2025-06-10T12:00:00.000Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();

describe('checkReplyRules', () => {
  it.each([
    ['whatsapp inside 24 h', { channel: 'whatsapp', lastInboundAt: hoursAgo(23), hasTemplate: false }, {}],
    [
      'whatsapp outside 24 h with a template',
      { channel: 'whatsapp', lastInboundAt: hoursAgo(30), hasTemplate: true },
      {},
    ],
    ['messenger inside 24 h', { channel: 'messenger', lastInboundAt: hoursAgo(2), hasTemplate: false }, {}],
    [
      'an automated message on messenger inside 24 h, untagged',
      { channel: 'messenger', lastInboundAt: hoursAgo(23), hasTemplate: false, automated: true },
      {},
    ],
    [
      'instagram after 24 h, within 7 days, as a human agent',
      { channel: 'instagram', lastInboundAt: hoursAgo(48), hasTemplate: false },
      { tag: 'HUMAN_AGENT' },
    ],
    ['sms with no opt-out', { channel: 'sms', hasTemplate: false }, {}],
    ['email not suppressed', { channel: 'email', hasTemplate: false }, {}],
  ] as const)('allows %s', (_name, context, permit) => {
    expect(checkReplyRules({ automated: false, ...context, now })).toEqual(permit);
  });

  it.each([
    [
      'whatsapp outside 24 h without a template',
      { channel: 'whatsapp', lastInboundAt: hoursAgo(25), hasTemplate: false },
      UnprocessableError,
      'whatsapp_window_closed',
    ],
    [
      'whatsapp to someone who never wrote',
      { channel: 'whatsapp', hasTemplate: false },
      UnprocessableError,
      'whatsapp_window_closed',
    ],
    [
      'an automated message (AI, automation, survey, timer) on messenger 30 h later: HUMAN_AGENT is a person’s',
      { channel: 'messenger', lastInboundAt: hoursAgo(30), hasTemplate: false, automated: true },
      ConflictError,
      'messaging_window_closed',
    ],
    [
      'an automated message on instagram 3 days later',
      { channel: 'instagram', lastInboundAt: hoursAgo(72), hasTemplate: false, automated: true },
      ConflictError,
      'messaging_window_closed',
    ],
    [
      'messenger after 7 days',
      { channel: 'messenger', lastInboundAt: hoursAgo(24 * 8), hasTemplate: false },
      ConflictError,
      'messaging_window_closed',
    ],
    [
      'sms to a number that sent STOP',
      { channel: 'sms', hasTemplate: false, blocked: { reason: 'opted out (STOP)', at: hoursAgo(1) } },
      ConflictError,
      'sms_opted_out',
    ],
    [
      'email to a suppressed address',
      {
        channel: 'email',
        hasTemplate: false,
        blocked: { reason: 'bounce:Permanent:General', at: hoursAgo(1) },
      },
      ConflictError,
      'email_suppressed',
    ],
  ] as const)('refuses %s, saying why', (_name, context, type, code) => {
    const error = (() => {
      try {
        checkReplyRules({ automated: false, ...context, now });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(type);
    expect((error as ConflictError).code).toBe(code);
    expect((error as Error).message.length).toBeGreaterThan(40);
  });

  it.each([
    [
      hoursAgo(25),
      `the customer last wrote on WhatsApp at ${hoursAgo(25)}, more than 24 hours ago: WhatsApp only allows an approved template now`,
    ],
    [undefined, 'the customer has never written on WhatsApp: WhatsApp only allows an approved template now'],
  ])('says when the customer last wrote on WhatsApp (%s), or that they never did', (lastInboundAt, said) => {
    const context = { channel: 'whatsapp', hasTemplate: false, automated: false, now } as const;
    expect(() => checkReplyRules({ ...context, ...(lastInboundAt ? { lastInboundAt } : {}) })).toThrow(said);
  });

  it.each(['messenger', 'instagram'] as const)(
    'says the customer never wrote on %s when only the business did (not that it was over 7 days ago)',
    (channel) => {
      for (const automated of [false, true]) {
        expect(() => checkReplyRules({ channel, hasTemplate: false, automated, now })).toThrow(
          `the customer has never written on ${channel}: Meta allows a reply only once they write`,
        );
      }
    },
  );
});

describe('reply channel and address', () => {
  const customer: Customer = {
    id: 'cu_1',
    identities: [
      { kind: 'email', value: 'dana@example.com' },
      { kind: 'phone', value: '+14155550100' },
    ],
    channels: ['voice', 'email'],
    createdAt: '2025-06-10T09:00:00.000Z',
    lastInboundChannel: 'voice',
    lastInboundByChannel: {},
    mergedFrom: [],
    tags: [],
  };

  it('answers a caller by SMS on the same number', () => {
    expect(replyChannel(customer, undefined)).toBe('sms');
    expect(replyAddress(customer, 'sms')).toEqual({ kind: 'phone', value: '+14155550100' });
  });

  it('takes the channel the agent names', () => {
    expect(replyChannel(customer, 'email')).toBe('email');
  });

  it('refuses a channel the customer has no address on', () => {
    expect(() => replyAddress(customer, 'instagram')).toThrow(/no instagram/);
  });
});

describe('replyAddress on a customer with two numbers', () => {
  const profile = (id: string, extra: Partial<Customer>): Customer => ({
    id,
    identities: [
      { kind: 'phone', value: '+13125550401' },
      { kind: 'phone', value: '+13125550402' },
      { kind: 'phone', value: '+5541988887777' },
    ],
    channels: ['sms', 'whatsapp'],
    createdAt: '2025-06-10T09:00:00.000Z',
    lastInboundByChannel: {},
    mergedFrom: [],
    tags: [],
    ...extra,
  });

  it('answers on each channel at the number last used there, not the first phone', () => {
    const root = profile('cu_1', {
      smsAddress: '+13125550401',
      lastInboundByChannel: { sms: hoursAgo(3) },
    });
    const merged = profile('cu_2', {
      whatsappAddress: '+13125550402',
      lastInboundByChannel: { whatsapp: hoursAgo(2) },
    });
    expect(replyAddress(root, 'whatsapp', [root, merged]).value).toBe('+13125550402');
    expect(replyAddress(root, 'sms', [root, merged]).value).toBe('+13125550401');
  });

  it("takes the merged profile whose message on the channel is the latest, in WhatsApp's own form", () => {
    const root = profile('cu_1', {
      whatsappAddress: '+13125550402',
      lastInboundByChannel: { whatsapp: hoursAgo(3) },
    });
    const merged = profile('cu_2', {
      whatsappAddress: '+554188887777',
      lastInboundByChannel: { whatsapp: hoursAgo(1) },
    });
    expect(replyAddress(root, 'whatsapp', [root, merged]).value).toBe('+554188887777');
    expect(replyAddress(root, 'whatsapp', [root]).value).toBe('+13125550402');
  });

  it('ignores a number the customer no longer shows (unmerged, or changed away from)', () => {
    const root = profile('cu_1', {
      identities: [{ kind: 'phone', value: '+13125550402' }],
      whatsappAddress: '+13125550401',
      lastInboundByChannel: { whatsapp: hoursAgo(1) },
    });
    expect(replyAddress(root, 'whatsapp').value).toBe('+13125550402');
  });
});

describe('aiReplyId', () => {
  it('names the AI reply after the item it answers, and hashes a long id into 128 characters', () => {
    expect(aiReplyId('whatsapp:wamid.1')).toBe('ai:whatsapp:wamid.1');
    expect(answeredItemOf('reply:ai:whatsapp:wamid.1')).toBe('whatsapp:wamid.1');
    const long = `email:<${'x'.repeat(300)}@mail.example>`;
    const id = aiReplyId(long);
    expect(id.length).toBeLessThanOrEqual(128);
    expect(id).toMatch(/^ai:email:<x+~[\w-]{22}$/);
    expect(aiReplyId(`${long}2`)).not.toBe(id);
    expect(answeredItemOf(`reply:${id}`)).toBeUndefined();
    expect(answeredItemOf('reply:rp_abc')).toBeUndefined();
  });
});

describe('emailReplyAddress', () => {
  const own = { kind: 'email', value: 'mailer@forms.example' } as const;
  const email = (at: string, data: Record<string, unknown>): TimelineItem => ({
    id: `email:${at}`,
    type: 'message',
    direction: 'inbound',
    channel: 'email',
    at,
    customerId: 'c1',
    data,
  });

  it('answers the first Reply-To of the newest email, across merged partitions', () => {
    const latest = [
      email('2026-01-02T00:00:00.000Z', { replyToAddresses: ['Alice@Alpha.example', 'b@beta.example'] }),
      email('2026-01-01T00:00:00.000Z', { replyToAddresses: ['old@x.example'] }),
      undefined,
    ];
    expect(emailReplyAddress(latest, own)).toEqual({ kind: 'email', value: 'alice@alpha.example' });
  });

  it.each([
    ['no Reply-To', { subject: 'Hi' }],
    ['a Reply-To that is no address', { replyToAddresses: ['not an address'] }],
    ['a Reply-To list of another shape', { replyToAddresses: 'alice@alpha.example' }],
  ])('answers the customer address when the email has %s', (_, data) => {
    expect(emailReplyAddress([email('2026-01-02T00:00:00.000Z', data)], own)).toEqual(own);
  });

  it.each([
    ['no DMARC pass nor aligned SPF pass', { fromUnverified: 'not_aligned' }],
    ['a failed DMARC check', { fromUnverified: 'dmarc_fail', authenticated: false }],
    ['SPF and DKIM both failed (before fromUnverified was written)', { authenticated: false }],
    ['a failed DMARC verdict (before fromUnverified was written)', { verdicts: { dmarc: 'FAIL' } }],
  ])('answers the customer address, never the Reply-To, when the From has %s', (_, marks) => {
    const latest = [email('2026-01-02T00:00:00.000Z', { replyToAddresses: ['x@evil.example'], ...marks })];
    expect(emailReplyAddress(latest, own)).toEqual(own);
  });

  it('answers the customer address when the newest email has no Reply-To, whatever an older one had', () => {
    const latest = [
      email('2026-01-01T00:00:00.000Z', { replyToAddresses: ['old@x.example'] }),
      email('2026-01-02T00:00:00.000Z', {}),
    ];
    expect(emailReplyAddress(latest, own)).toEqual(own);
  });

  it('answers the address the newest email came from when it has no Reply-To (a merged second mailbox)', () => {
    const work = { kind: 'email', value: 'jane@acme.example' } as const;
    const latest = [
      { ...email('2026-01-01T00:00:00.000Z', {}), from: work },
      {
        ...email('2026-01-02T00:00:00.000Z', {}),
        from: { kind: 'email', value: 'Jane@Home.example' } as const,
      },
    ];
    expect(emailReplyAddress(latest, work)).toEqual({ kind: 'email', value: 'jane@home.example' });
    const withReplyTo = [
      { ...latest[1], data: { replyToAddresses: ['assistant@home.example'] } } as TimelineItem,
    ];
    expect(emailReplyAddress(withReplyTo, work)).toEqual({ kind: 'email', value: 'assistant@home.example' });
  });
});

describe('standingBlock', () => {
  const state = { blocked: true, reason: 'bounce', at: hoursAgo(5), envelopeId: 'ses:suppressed:x' };
  const kim = { kind: 'email', value: 'kim@example.org' } as const;
  const mail = (over: Partial<TimelineItem> = {}): TimelineItem => ({
    id: 'email:1',
    type: 'message',
    channel: 'email',
    direction: 'inbound',
    at: hoursAgo(1),
    customerId: 'cu_kim',
    from: { kind: 'email', value: 'Kim@Example.org' },
    ...over,
  });

  it('is the recorded block while the customer has not written again', () => {
    expect(standingBlock(state, kim, [undefined])).toEqual({ reason: 'bounce', at: state.at });
    expect(standingBlock(state, kim, [mail({ at: hoursAgo(6) })])).toBeDefined();
    expect(standingBlock(state, kim, [mail({ at: state.at })])).toBeDefined();
  });

  it('ends when the customer writes again from that address, in mail of their own', () => {
    expect(standingBlock(state, kim, [undefined, mail()])).toBeUndefined();
    expect(
      standingBlock(state, kim, [mail({ from: { kind: 'email', value: 'other@example.org' } })]),
    ).toBeDefined();
    expect(standingBlock(state, kim, [mail({ data: { autoReply: true } })])).toBeDefined();
    expect(standingBlock(state, kim, [mail({ data: { quarantined: true } })])).toBeDefined();
    expect(standingBlock(state, kim, [mail({ data: { authenticated: false } })])).toBeDefined();
    expect(standingBlock(state, kim, [mail({ data: { fromUnverified: 'not_aligned' } })])).toBeDefined();
  });

  it('keeps an SMS opt-out whatever was written (START lifts it) and passes no block through', () => {
    const phone = { kind: 'phone', value: '+14155550100' } as const;
    const stop = { ...state, reason: 'opted out (STOP)' };
    expect(standingBlock(stop, phone, [mail()])).toEqual({ reason: stop.reason, at: stop.at });
    expect(standingBlock({ ...state, blocked: false }, kim, [])).toBeUndefined();
    expect(standingBlock(undefined, kim, [])).toBeUndefined();
  });
});

describe('ReplyRequestSchema', () => {
  const withFile = (url: string) => ReplyRequestSchema.safeParse({ text: 'hi', attachments: [{ url }] });

  it('takes a file by an http or https link', () => {
    expect(withFile('https://cdn.shop.example/invoice.pdf').success).toBe(true);
    expect(withFile('http://cdn.shop.example/invoice.pdf').success).toBe(true);
  });

  it('refuses a link no provider can fetch, naming why', () => {
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/plain,hi',
      'ftp://x.example/a',
    ]) {
      const parsed = withFile(url);
      expect({ url, success: parsed.success }).toEqual({ url, success: false });
      expect(parsed.error?.issues[0]?.message).toContain('http or https');
    }
  });
});
