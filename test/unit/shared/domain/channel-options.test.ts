import { describe, expect, it } from 'vitest';
import { channelOption, checkReplyRules } from '#shared/domain/replies.js';

const now = new Date('2026-12-03T12:00:00.000Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();

describe('which channels a reply may use now', () => {
  it('says WhatsApp is open inside 24 hours, and template-only after', () => {
    expect(channelOption({ channel: 'whatsapp', now, lastInboundAt: hoursAgo(2) })).toEqual({
      channel: 'whatsapp',
      available: true,
    });
    const closed = channelOption({ channel: 'whatsapp', now, lastInboundAt: hoursAgo(30) });
    expect(closed).toMatchObject({ available: true, needsTemplate: true, reason: 'whatsapp_window_closed' });
    expect(closed.detail).toMatch(/template/);
  });

  it("gives Messenger's HUMAN_AGENT tag up to 7 days, then nothing", () => {
    expect(channelOption({ channel: 'messenger', now, lastInboundAt: hoursAgo(48) })).toEqual({
      channel: 'messenger',
      available: true,
      tag: 'HUMAN_AGENT',
    });
    expect(channelOption({ channel: 'instagram', now, lastInboundAt: hoursAgo(8 * 24) })).toMatchObject({
      available: false,
      reason: 'messaging_window_closed',
    });
  });

  it('refuses SMS after STOP and a suppressed email, with the codes a reply would get', () => {
    const blocked = { reason: 'STOP', at: hoursAgo(1) };
    expect(channelOption({ channel: 'sms', now, blocked })).toMatchObject({
      available: false,
      reason: 'sms_opted_out',
    });
    expect(channelOption({ channel: 'email', now, blocked })).toMatchObject({
      available: false,
      reason: 'email_suppressed',
    });
    expect(channelOption({ channel: 'email', now })).toEqual({ channel: 'email', available: true });
  });

  it('agrees with the rules replies are checked against, for every channel and age', () => {
    for (const channel of ['whatsapp', 'sms', 'email', 'messenger', 'instagram'] as const) {
      for (const hours of [1, 23, 25, 24 * 6, 24 * 8]) {
        const context = { channel, now, lastInboundAt: hoursAgo(hours) };
        const option = channelOption(context);
        const plain = () => checkReplyRules({ ...context, hasTemplate: false, automated: false });
        if (option.available && !option.needsTemplate) expect(plain).not.toThrow();
        else expect(plain).toThrow();
      }
    }
  });
});
