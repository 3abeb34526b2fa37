import { describe, expect, it } from 'vitest';
import {
  checkReachable,
  nextReplyChannel,
  replyCandidates,
  replyChannel,
} from '#shared/domain/reply-channel.js';
import type { Customer } from '#shared/domain/timeline.js';
import { ConflictError, UnprocessableError } from '#shared/errors.js';

const customer = (overrides: Partial<Customer> = {}): Customer => ({
  id: 'cu_1',
  identities: [{ kind: 'phone', value: '+14155550600' }],
  channels: ['voice'],
  createdAt: '2025-06-10T09:00:00.000Z',
  lastInboundByChannel: {},
  mergedFrom: [],
  tags: [],
  ...overrides,
});

/** The refusal a reply naming no channel gets, with its code and message. */
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof UnprocessableError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('no refusal');
};

describe('replyChannel: where a reply naming no channel goes', () => {
  it('answers a caller whose calls were all missed by SMS, as the channels route offers', () => {
    const caller = customer();
    expect(replyCandidates(caller)).toEqual(['sms']);
    expect(replyChannel(caller, undefined)).toBe('sms');
  });

  it('takes the last inbound channel first, and the channel the agent names over it', () => {
    const writer = customer({ channels: ['voice', 'whatsapp'], lastInboundChannel: 'whatsapp' });
    expect(replyChannel(writer, undefined)).toBe('whatsapp');
    expect(replyChannel(writer, 'sms')).toBe('sms');
    expect(replyChannel(customer({ lastInboundChannel: 'voice' }), undefined)).toBe('sms');
  });

  it("takes the one channel of a merged group's profiles", () => {
    const root = customer({ channels: [] });
    const merged = customer({ id: 'cu_2', channels: ['voice'] });
    expect(replyChannel(root, undefined, [root, merged])).toBe('sms');
  });

  it('refuses with no_channel, naming the channels reached on, when there are several and none written on', () => {
    const two = customer({
      identities: [
        { kind: 'phone', value: '+14155550600' },
        { kind: 'email', value: 'ivy@example.com' },
      ],
      channels: ['voice', 'email'],
    });
    expect(refusal(() => replyChannel(two, undefined))).toEqual({
      code: 'no_channel',
      message: 'the customer has never written to us: name a channel: sms or email',
    });
  });

  it('names the channels their addresses reach when they reached us on none', () => {
    const none = customer({ channels: [] });
    expect(refusal(() => replyChannel(none, undefined))).toEqual({
      code: 'no_channel',
      message: 'the customer has never written to us: name a channel: sms or whatsapp',
    });
  });
});

describe('checkReachable: a named channel the channels route offers', () => {
  const whatsappOnly = customer({ channels: ['whatsapp'], lastInboundChannel: 'whatsapp' });

  it('refuses 409 channel_not_available an SMS to someone who wrote on WhatsApp only', () => {
    expect(() => checkReachable(whatsappOnly, 'sms')).toThrow(ConflictError);
    try {
      checkReachable(whatsappOnly, 'sms');
    } catch (error) {
      expect(error).toMatchObject({ code: 'channel_not_available' });
      expect((error as Error).message).toContain('whatsapp');
    }
  });

  it.each([
    ['the channel they wrote on', whatsappOnly, 'whatsapp', [whatsappOnly]],
    ['SMS to a caller', customer(), 'sms', [customer()]],
    [
      'SMS through a merged profile that texted',
      whatsappOnly,
      'sms',
      [whatsappOnly, customer({ id: 'cu_2', channels: ['sms'] })],
    ],
    [
      'any addressed channel for one who reached us on none',
      customer({ channels: [] }),
      'sms',
      [customer({ channels: [] })],
    ],
    ['a channel with no address, left to no_address', whatsappOnly, 'messenger', [whatsappOnly]],
  ] as const)('lets through %s', (_name, root, channel, profiles) => {
    expect(() => checkReachable(root, channel, profiles)).not.toThrow();
  });
});

describe('nextReplyChannel: where a reply naming no channel goes when its default cannot take it here', () => {
  it('takes the channel the customer wrote on last among the others, a call as SMS', () => {
    const vera = customer({
      identities: [
        { kind: 'email', value: 'vera@example.com' },
        { kind: 'phone', value: '+14155550601' },
      ],
      channels: ['email', 'voice', 'whatsapp'],
      lastInboundChannel: 'webchat',
      lastInboundByChannel: {
        email: '2025-06-10T09:00:00.000Z',
        voice: '2025-06-11T09:00:00.000Z',
        whatsapp: '2025-06-10T12:00:00.000Z',
      },
    });
    const eve = customer({
      id: 'cu_2',
      identities: [{ kind: 'webchat_visitor', value: 'v1' }],
      channels: ['webchat'],
      lastInboundByChannel: { webchat: '2025-06-12T09:00:00.000Z' },
    });
    expect(nextReplyChannel(vera, [vera, eve], 'webchat')).toBe('sms');
    expect(nextReplyChannel(vera, [vera, eve], 'sms')).toBe('webchat');
  });

  it('has none when the default is the only channel', () => {
    const eve = customer({ identities: [], channels: ['webchat'], lastInboundChannel: 'webchat' });
    expect(nextReplyChannel(eve, [eve], 'webchat')).toBeUndefined();
  });
});
