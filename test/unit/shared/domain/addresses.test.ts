import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_EMAIL_CHARS, normaliseEmail, providerPhone, unicodeEmail } from '#shared/domain/addresses.js';
import {
  canonicalIdentity,
  earlierIdentities,
  normalisePhone,
  phoneIdentityKey,
} from '#shared/domain/identity.js';
import { withPatternInputs } from '../../../support/regex-inputs.js';

describe('providerPhone', () => {
  it.each([
    ['+14155550100', {}, '+14155550100'],
    ['whatsapp:+14155550100', {}, '+14155550100'],
    ['+1 (415) 555-0100', {}, '+14155550100'],
    ['tel:+44 (0) 20 7946 0958', {}, '+442079460958'],
    ['14155550100', { international: true }, '+14155550100'],
    ['447911123456', {}, '+447911123456'],
    ['4155550100', {}, '4155550100'],
    ['020 7946 0958', {}, '02079460958'],
    ['+1234567890', {}, '+1234567890'],
  ])('shapes %s as %s', (input, options, expected) => {
    expect(providerPhone(input, options)).toBe(expected);
  });

  it.each([
    ['anonymous'],
    ['+12345'],
    ['72345'],
    ['+0123456789'],
    ['client:alice'],
    ['+1415555010012345678'],
    [''],
    [`+1${'0'.repeat(50)}`],
  ])('refuses %s', (input) => {
    expect(providerPhone(input)).toBeUndefined();
  });

  it('refuses a country code starting with 0 even as a wa_id', () => {
    expect(providerPhone('0123456789', { international: true })).toBeUndefined();
  });

  it('ends, once the resolver canonicalises it, where libphonenumber on the raw input ends', () => {
    // Any spelling a provider might use of a valid E.164 number, through the webhook's shaping and the
    // resolver's canonicalisation, is the identity normalisePhone gives the raw input directly, in its
    // key form (a Mexican WhatsApp id's `1` dropped: see phone-keys.test.ts).
    const e164 = fc.constantFrom(
      '+14155550100',
      '+447911123456',
      '+4915123456789',
      '+33612345678',
      '+5215512345678',
      '+919876543210',
      '+61412345678',
      '+8613812345678',
    );
    const spelling = fc.tuple(e164, fc.constantFrom('', 'whatsapp:', 'tel:'), fc.boolean(), fc.boolean());
    fc.assert(
      fc.property(spelling, ([number, prefix, spaced, bare]) => {
        const digits = number.slice(1);
        const body = spaced ? `+${digits.slice(0, 2)} ${digits.slice(2, 5)}-${digits.slice(5)}` : number;
        const input = bare ? digits : `${prefix}${body}`;
        const options = bare ? { international: true } : {};
        const shaped = providerPhone(input, options);
        expect(shaped).toBeDefined();
        const canonical = canonicalIdentity({ kind: 'phone', value: shaped as string }).value;
        // libphonenumber drops numbers it thinks impossible; the webhook keeps them as sent.
        expect(canonical).toBe(phoneIdentityKey(normalisePhone(input, options) ?? (shaped as string)));
      }),
    );
  });

  it('leaves a national number to the resolver, which reads it in the default region', () => {
    const shaped = providerPhone('(415) 555-0100') as string;
    expect(canonicalIdentity({ kind: 'phone', value: shaped }, { defaultRegion: 'US' })).toEqual({
      kind: 'phone',
      value: '+14155550100',
    });
    expect(
      canonicalIdentity(
        { kind: 'phone', value: providerPhone('020 7946 0958') as string },
        { defaultRegion: 'GB' },
      ).value,
    ).toBe('+442079460958');
  });
});

describe('normaliseEmail', () => {
  it('lower-cases and strips a display name', () => {
    expect(normaliseEmail('Jane Doe <Jane.Doe@Example.COM>')).toBe('jane.doe@example.com');
    expect(normaliseEmail('not an address')).toBeUndefined();
  });

  it.each([
    ['a@b.c', 'a@b.c'],
    ['  A@B.C  ', 'a@b.c'],
    ['"Doe, Jane" <jane@example.com>', 'jane@example.com'],
    ['<> x <a@b.co>', 'a@b.co'],
    ['a@b..c', 'a@b..c'],
    ['a@.b.c', 'a@.b.c'],
    ['a@b.c.', 'a@b.c.'],
  ])('accepts %s as %s', (input, expected) => {
    expect(normaliseEmail(input)).toBe(expected);
  });

  it.each([
    ['user@münchen.de', 'user@xn--mnchen-3ya.de'],
    ['user@xn--mnchen-3ya.de', 'user@xn--mnchen-3ya.de'],
    ['User <USER@XN--MNCHEN-3YA.DE>', 'user@xn--mnchen-3ya.de'],
    ['Jane <Jane@MÜNCHEN.de>', 'jane@xn--mnchen-3ya.de'],
    ['x@straße.de', 'x@xn--strae-oqa.de'],
    ['x@ＥＸＡＭＰＬＥ.com', 'x@example.com'],
    // The local part only lower-cased, whatever it holds.
    ['Jürgen@münchen.de', 'jürgen@xn--mnchen-3ya.de'],
    // An ASCII domain is left to the ASCII rules: no IPv4 reading of `0x7f.1`, no bracket parsing.
    ['x@0x7f.1', 'x@0x7f.1'],
    ['x@[192.168.0.1]', 'x@[192.168.0.1]'],
  ])('writes the domain of %s in Punycode: %s', (input, expected) => {
    expect(normaliseEmail(input)).toBe(expected);
  });

  it('keeps as written a domain Punycode cannot take, or would make longer than SMTP carries', () => {
    expect(normaliseEmail('x@ü%.de')).toBe('x@ü%.de');
    const long = `${'a'.repeat(60)}@${'ü'.repeat(60)}.${'ü'.repeat(60)}.${'ü'.repeat(60)}.de`;
    expect(long.length).toBeLessThanOrEqual(MAX_EMAIL_CHARS);
    expect(normaliseEmail(long)).toBe(long);
  });

  it('reads a Punycode domain back as people write it', () => {
    expect(unicodeEmail('user@xn--mnchen-3ya.de')).toBe('user@münchen.de');
    expect(unicodeEmail('user@example.com')).toBe('user@example.com');
    expect(earlierIdentities({ kind: 'email', value: 'user@xn--mnchen-3ya.de' })).toEqual([
      { kind: 'email', value: 'user@münchen.de' },
    ]);
    expect(earlierIdentities({ kind: 'email', value: 'user@example.com' })).toEqual([]);
  });

  it.each([['a@b'], ['a@.b'], ['a@b.'], ['@b.c'], ['a@@b.c'], ['a b@c.d'], ['a@b.c@'], ['<a@b>'], ['']])(
    'refuses %s',
    (input) => {
      expect(normaliseEmail(input)).toBeUndefined();
    },
  );

  it('answers as the former pattern did on every address of a plausible length', () => {
    const former = (input: string) => {
      const address = (/<([^<>]+)>/.exec(input)?.[1] ?? input).trim().toLowerCase();
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address) ? address : undefined;
    };
    const text = fc.string({ unit: fc.constantFrom('a', 'B', '.', '@', ' ', '<', '>', '"'), maxLength: 40 });
    fc.assert(
      fc.property(text, (input) => {
        expect(normaliseEmail(input)).toBe(former(input));
      }),
      { numRuns: 2000 },
    );
  });

  describe('on an address a sender crafted', () => {
    const crafted = `a@${'a.'.repeat(30_000)}@`;

    it.each([
      ['bare', crafted],
      ['in angle brackets', `x <${crafted}>`],
      ['in a From header', `"${'x'.repeat(60_000)}" <${crafted}>`],
    ])(
      'refuses 60,000 characters (%s) without running a pattern on more than an address',
      async (_, input) => {
        expect(input.length).toBeGreaterThanOrEqual(60_000);
        const { result, longest } = await withPatternInputs(() => normaliseEmail(input));
        expect(result).toBeUndefined();
        expect(longest).toBeLessThanOrEqual(MAX_EMAIL_CHARS);
      },
    );

    it('still reads an address of the longest length SMTP carries', () => {
      const longest = `${'a'.repeat(64)}@${'b'.repeat(MAX_EMAIL_CHARS - 64 - 5)}.com`;
      expect(longest).toHaveLength(MAX_EMAIL_CHARS);
      expect(normaliseEmail(`X <${longest}>`)).toBe(longest);
      expect(normaliseEmail(`X <a${longest}>`)).toBeUndefined();
    });
  });
});
