import { describe, expect, it } from 'vitest';
import { carriedInbound } from '#shared/domain/merges.js';

const T = (s: number) => new Date(Date.UTC(2026, 11, 6, 10, 0, s)).toISOString();
const profile = (times: Record<string, string>, last?: { channel: string; at: string }) => ({
  identities: [],
  channels: Object.keys(times),
  ...Object.fromEntries(Object.entries(times).map(([c, at]) => [`lastInbound_${c}`, at])),
  ...(last ? { lastInboundChannel: last.channel, lastInboundAt: last.at } : {}),
});

describe('carriedInbound: the last-inbound times a merge gives the kept customer', () => {
  it('carries a channel the target never heard on, and the overall last when the source wrote later', () => {
    const source = profile({ instagram: T(1) }, { channel: 'instagram', at: T(1) });
    const target = profile({ messenger: T(0) }, { channel: 'messenger', at: T(0) });
    expect(carriedInbound(source, target)).toEqual([
      { channel: 'instagram', at: T(1), last: false },
      { channel: 'instagram', at: T(1), last: true },
    ]);
  });

  it('carries nothing the target holds later itself', () => {
    const source = profile({ messenger: T(0), email: T(2) }, { channel: 'messenger', at: T(3) });
    const target = profile({ messenger: T(5), email: T(1) }, { channel: 'messenger', at: T(5) });
    expect(carriedInbound(source, target)).toEqual([{ channel: 'email', at: T(2), last: false }]);
  });

  it('without the target (a merge asked again) carries every time, each write being conditional', () => {
    const source = profile({ sms: T(0) }, { channel: 'sms', at: T(0) });
    expect(carriedInbound(source)).toEqual([
      { channel: 'sms', at: T(0), last: false },
      { channel: 'sms', at: T(0), last: true },
    ]);
  });

  it('carries no overall last whose channel is not one', () => {
    const source = { identities: [], channels: [], lastInboundChannel: 'fax', lastInboundAt: T(9) };
    expect(carriedInbound(source, profile({}))).toEqual([]);
  });
});
