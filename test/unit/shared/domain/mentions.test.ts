import { describe, expect, it } from 'vitest';
import { MENTIONED_MAX, mayRecordMention, mentionedIdentities } from '#shared/domain/mentions.js';

describe('mentions', () => {
  it('finds an email and a phone number in a text, at most five', () => {
    expect(mentionedIdentities('Mail dana@example.com or call +1 415 555 0100', {})).toEqual([
      { kind: 'email', value: 'dana@example.com' },
      { kind: 'phone', value: '+14155550100' },
    ]);
    const many = Array.from({ length: 9 }, (_, i) => `+1 415 555 010${i}`).join(', ');
    expect(mentionedIdentities(many, {})).toHaveLength(5);
  });

  it('finds a number written in Arabic-Indic digits, as Gulf customers write it', () => {
    expect(mentionedIdentities('مرحبا، رقمي +٩٧١ ٥٠ ١٢٣ ٤٥٦٧ من فضلك', {})).toEqual([
      { kind: 'phone', value: '+971501234567' },
    ]);
    expect(mentionedIdentities('رقمي ۰۰۹۷۱۵۰۱۲۳۴۵۶۷', { defaultRegion: 'PT' })).toEqual([
      { kind: 'phone', value: '+971501234567' },
    ]);
  });

  it('records new mentions until a customer has MENTIONED_MAX, then only those already known', () => {
    const known = Array.from({ length: MENTIONED_MAX }, (_, i) => `phone#+1415555${1000 + i}`);
    expect(MENTIONED_MAX).toBe(100);
    expect(mayRecordMention(undefined, 'email#a@x.io')).toBe(true);
    expect(mayRecordMention(known.slice(1), 'email#a@x.io')).toBe(true);
    expect(mayRecordMention(known, 'email#a@x.io')).toBe(false);
    expect(mayRecordMention(known, known[7] ?? '')).toBe(true);
  });
});
