import { describe, expect, it } from 'vitest';
import { canonicalIdentity, earlierPhoneKeys, phoneIdentityKey } from '#shared/domain/identity.js';

describe('phoneIdentityKey', () => {
  it.each([
    // Brazil: WhatsApp ids registered before the ninth digit keep the old eight-digit mobile number.
    ['+554188887777', '+5541988887777'],
    ['+551187654321', '+5511987654321'],
    ['+559281723241', '+5592981723241'],
    // Already with its ninth digit: as it is.
    ['+5541988887777', '+5541988887777'],
    // A Brazilian landline (first digit 2 to 5) has eight digits and no ninth digit to add.
    ['+551132654321', '+551132654321'],
    ['+554133334444', '+554133334444'],
    // Mexico: WhatsApp ids of mobiles keep the `1` after 52 that dialling dropped in 2019.
    ['+5215512345678', '+525512345678'],
    ['+525512345678', '+525512345678'],
    // Argentina: WhatsApp ids (and calls from abroad) of mobiles carry a 9 after 54; texts do not.
    ['+5491158749895', '+541158749895'],
    ['+5492231234567', '+542231234567'],
    ['+5492966123456', '+542966123456'],
    ['+541158749895', '+541158749895'],
    // An Argentine landline, and a non-geographic number (no area code 1 to 3): as they are.
    ['+541141234567', '+541141234567'],
    ['+548001234567', '+548001234567'],
    // Everyone else, as libphonenumber gave it.
    ['+14155550100', '+14155550100'],
    ['+447911123456', '+447911123456'],
  ])('keys %s under %s', (e164, key) => {
    expect(phoneIdentityKey(e164)).toBe(key);
  });

  it('is the same key for both forms, whichever way it is read', () => {
    for (const [a, b] of [
      ['554188887777', '+55 41 98888-7777'],
      ['5215512345678', '+52 55 1234 5678'],
      ['5491123456789', '+54 11 2345-6789'],
    ] as const) {
      const fromWhatsApp = canonicalIdentity({ kind: 'phone', value: a }, { international: true });
      const fromSms = canonicalIdentity({ kind: 'phone', value: b });
      expect(fromWhatsApp).toEqual(fromSms);
    }
  });

  it('keys an Argentine mobile written with the domestic 15 (and 0) as its texts are keyed', () => {
    for (const written of [
      '011 15 2345-6789',
      '11 15 2345 6789',
      '+54 11 15 2345 6789',
      '+54 9 11 2345 6789',
    ]) {
      expect(canonicalIdentity({ kind: 'phone', value: written }, { defaultRegion: 'AR' })).toEqual({
        kind: 'phone',
        value: '+541123456789',
      });
    }
  });
});

describe('earlierPhoneKeys', () => {
  it.each([
    ['+5541988887777', ['+554188887777']],
    ['+525512345678', ['+5215512345678']],
    ['+541123456789', ['+5491123456789']],
    ['+548001234567', []],
    ['+551132654321', []],
    ['+14155550100', []],
    // A ninth digit that is not a 9 is no mobile of the old plan.
    ['+5541888877770', []],
  ])('finds identities stored before under %s as %j', (key, earlier) => {
    expect(earlierPhoneKeys(key)).toEqual(earlier);
  });
});
