import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseEmail, providerPhone } from '#shared/domain/addresses.js';
import { canonicalIdentity, normalisePhone } from '#shared/domain/identity.js';

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
    // resolver's canonicalisation, is the identity normalisePhone gives the raw input directly.
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
        expect(canonical).toBe(normalisePhone(input, options) ?? shaped);
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
});
