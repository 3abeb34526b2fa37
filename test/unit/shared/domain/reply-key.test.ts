import { describe, expect, it } from 'vitest';
import {
  decodeReplyKey,
  encodeReplyKey,
  REPLY_KEY_MAX,
  type ReplyTarget,
  replyKeyOf,
} from '#shared/domain/reply-key.js';

const TARGET: ReplyTarget = {
  customerId: 'cu_0mx7o09vr71e81ae8e466626f08e5',
  at: '2026-12-03T14:43:35.092Z',
  replyId: 'rp_V0fqEUOZGXpzTmbrz0kryCD2',
};

function keyOf(text: string): string {
  return `r1${Buffer.from(text, 'utf8').toString('base64url')}`;
}

describe('encodeReplyKey', () => {
  it('names the reply in a short key of the characters an SES tag value allows', () => {
    const key = encodeReplyKey(TARGET);
    expect(key).toMatch(/^r1[A-Za-z0-9_-]+$/);
    expect(key?.length).toBeLessThanOrEqual(130);
    expect(decodeReplyKey(key)).toEqual(TARGET);
  });

  it('keeps the exact time, whatever its precision', () => {
    for (const at of ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.5Z', '2026-01-01T00:00:00.123456Z']) {
      expect(decodeReplyKey(encodeReplyKey({ ...TARGET, at }))).toEqual({ ...TARGET, at });
    }
  });

  it('gives no key for ids it cannot carry safely, so the send links a reference instead', () => {
    expect(encodeReplyKey({ ...TARGET, replyId: 'a b' })).toBeUndefined();
    expect(encodeReplyKey({ ...TARGET, customerId: 'cu#1' })).toBeUndefined();
    expect(encodeReplyKey({ ...TARGET, customerId: '' })).toBeUndefined();
    expect(encodeReplyKey({ ...TARGET, at: 'yesterday' })).toBeUndefined();
    expect(encodeReplyKey({ ...TARGET, replyId: 'x'.repeat(129) })).toBeUndefined();
  });

  it('gives no key over the bound, rather than one a provider would cut', () => {
    const long = { ...TARGET, customerId: 'c'.repeat(128), replyId: 'r'.repeat(128) };
    expect(encodeReplyKey(long)).toBeUndefined();
    const key = encodeReplyKey({ ...TARGET, customerId: 'c'.repeat(100), replyId: 'r'.repeat(40) });
    expect(key?.length).toBeLessThanOrEqual(REPLY_KEY_MAX);
  });

  it('makes the key of an outbound message from its id, customer and time', () => {
    const key = replyKeyOf({ id: TARGET.replyId, customerId: TARGET.customerId, at: TARGET.at });
    expect(key).toBe(encodeReplyKey(TARGET));
  });
});

describe('decodeReplyKey', () => {
  it.each([
    ['not a string', 42],
    ['empty', ''],
    ['another app’s opaque data', '{"source":"api","uuid":"fuif-0deu"}'],
    ['another prefix', `r2${keyOf(`a\n${TARGET.at}\nb`).slice(2)}`],
    ['a character base64url does not use', `${encodeReplyKey(TARGET)}=`],
    ['over the bound', `r1${'A'.repeat(REPLY_KEY_MAX)}`],
    ['two parts', keyOf(`cu_1\n${TARGET.at}`)],
    ['four parts', keyOf(`cu_1\n${TARGET.at}\nrp_1\nextra`)],
    ['an empty customer', keyOf(`\n${TARGET.at}\nrp_1`)],
    ['a sort-key separator in an id', keyOf(`cu_1\n${TARGET.at}\nrp#TIMELINE#x`)],
    ['a control character', keyOf(`cu_1\n${TARGET.at}\nrp\u0000`)],
    ['a time that is not one', keyOf('cu_1\n2026-13-45T99:99:99Z\nrp_1')],
    ['not UTF-8', `r1${Buffer.from([0xff, 0xfe, 0x0a, 0x41]).toString('base64url')}`],
  ])('refuses %s', (_, value) => {
    expect(decodeReplyKey(value)).toBeUndefined();
  });

  it('refuses a key spelled loosely (unused bits Node would decode anyway)', () => {
    // 31 bytes: the last base64url character carries 2 bits of data and 4 unused ones.
    const target = { customerId: 'cu_1', at: '2026-01-01T00:00:00Z', replyId: 'rp_12' };
    const key = encodeReplyKey(target) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = `${key.slice(0, -1)}${alphabet[alphabet.indexOf(key.at(-1) as string) + 1]}`;
    expect(Buffer.from(twin.slice(2), 'base64url')).toEqual(Buffer.from(key.slice(2), 'base64url'));
    expect(decodeReplyKey(key)).toEqual(target);
    expect(decodeReplyKey(twin)).toBeUndefined();
    expect(decodeReplyKey(`${key}A`)).toBeUndefined();
  });

  it('reads nothing of an input over the bound', () => {
    expect(decodeReplyKey(`${encodeReplyKey(TARGET)}${'A'.repeat(1_000_000)}`)).toBeUndefined();
  });
});
