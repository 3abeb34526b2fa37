import { describe, expect, it } from 'vitest';
import { checkReplyLength } from '#shared/domain/reply-length.js';
import { smsSegments } from '#shared/domain/sms-segments.js';

describe('smsSegments', () => {
  it('sends GSM-7 text of up to 160 characters as one segment, 161 as two of 153', () => {
    expect(smsSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(smsSegments('a'.repeat(306)).segments).toBe(2);
    expect(smsSegments('a'.repeat(307)).segments).toBe(3);
  });

  it("counts GSM-7's extension characters as 2 and keeps a pair whole across segments", () => {
    expect(smsSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsSegments('[]{}|~^\\\f€')).toMatchObject({ encoding: 'GSM-7', units: 20 });
    // 152 plain then a pair: the pair does not fit the first segment's last unit, it opens the second.
    expect(smsSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`).segments).toBe(3);
    expect(smsSegments(`${'a'.repeat(151)}€${'a'.repeat(153)}`).segments).toBe(2);
  });

  it('keeps accented letters of the GSM-7 alphabet in GSM-7, others turn the whole text to UCS-2', () => {
    expect(smsSegments('Grüße aus Köln, Ñoño è £¥Ø').encoding).toBe('GSM-7');
    expect(smsSegments('Olá, não')).toMatchObject({ encoding: 'UCS-2', units: 8, segments: 1 });
    expect(smsSegments('مرحبا')).toMatchObject({ encoding: 'UCS-2', units: 5 });
  });

  it('sends UCS-2 text of up to 70 units as one segment, then 67 a segment; an emoji is 2 units', () => {
    expect(smsSegments('ç'.repeat(70))).toMatchObject({ encoding: 'UCS-2', segments: 1 });
    expect(smsSegments('ç'.repeat(71))).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    expect(smsSegments('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    // 33 emoji fill 66 units; the 34th does not split across segments.
    expect(smsSegments('😀'.repeat(36))).toEqual({ encoding: 'UCS-2', units: 72, segments: 2 });
    expect(smsSegments(`${'ç'.repeat(66)}😀${'ç'.repeat(66)}`).segments).toBe(3);
  });

  it('answers no segments for no text', () => {
    expect(smsSegments('')).toEqual({ encoding: 'GSM-7', units: 0, segments: 0 });
  });
});

describe('checkReplyLength: what is counted, said', () => {
  it('says an emoji counts as 2 toward the limit', () => {
    expect(() => checkReplyLength('sms', '😀'.repeat(801))).toThrow(
      'the reply is 1,602 UTF-16 units (an emoji counts as 2); sms takes at most 1,600 in one message: shorten it or send it as several replies',
    );
    expect(() => checkReplyLength('sms', '😀'.repeat(800))).not.toThrow();
  });
});
