import { describe, expect, it } from 'vitest';
import { providerPhone } from '#shared/domain/addresses.js';
import { planImport } from '#shared/domain/customer-import.js';
import { canonicalIdentity, normalisePhone } from '#shared/domain/identity.js';
import { mentionedIdentities } from '#shared/domain/mentions.js';

const BR = { defaultRegion: 'BR' } as const;

/**
 * Brazilians write a mobile as its area code and number, no punctuation: `21988197564`. Those 11
 * digits were read as an international number (+21…, +1 198… for São Paulo's `11987650001`), so
 * search, a signature's mention and an import missed the customer, or keyed another country. Bare
 * digits are now a national number of DEFAULT_REGION when they are one as written there; a WhatsApp
 * `wa_id` (always with its country code) is read as international whatever the region.
 */
describe('a national number written as bare digits', () => {
  it.each([
    ['21988197564', '+5521988197564'],
    ['11987650001', '+5511987650001'],
    ['21975145138', '+5521975145138'],
    // With its country code, or punctuated, as before.
    ['5521988197564', '+5521988197564'],
    ['(11) 98765-0001', '+5511987650001'],
    ['+55 11 98765-0001', '+5511987650001'],
    // Not a Brazilian number: international, as before.
    ['447911123456', '+447911123456'],
  ])('reads %s in Brazil as %s', (written, e164) => {
    expect(normalisePhone(written, BR)).toBe(e164);
  });

  it('keeps what other regions read (a number that needs its trunk prefix at home stays international)', () => {
    const cases = [
      ['US', '16505551234', '+16505551234'],
      ['US', '4155550100', '+14155550100'],
      ['US', '447911123456', '+447911123456'],
      ['US', '5215512345678', '+5215512345678'],
      ['GB', '447911123456', '+447911123456'],
      ['GB', '4915112345678', '+4915112345678'],
      ['DE', '4915112345678', '+4915112345678'],
      ['DE', '447911123456', '+447911123456'],
      ['DE', '12015550123', '+12015550123'],
      ['DE', '0151 12345678', '+4915112345678'],
      ['MX', '14155550100', '+14155550100'],
      ['MX', '5215512345678', '+5215512345678'],
      ['AR', '5491123456789', '+5491123456789'],
      ['IN', '12015550123', '+12015550123'],
    ] as const;
    for (const [defaultRegion, written, e164] of cases) {
      expect([defaultRegion, written, normalisePhone(written, { defaultRegion })]).toEqual([
        defaultRegion,
        written,
        e164,
      ]);
    }
  });

  it('reads a WhatsApp id as international in Brazil, through the webhook and the resolver alike', () => {
    for (const waId of ['11987650001', '14155550100', '552188197564']) {
      expect(normalisePhone(waId, { ...BR, international: true })).toBe(`+${waId}`);
      const shaped = providerPhone(waId, { international: true }) as string;
      expect(canonicalIdentity({ kind: 'phone', value: shaped }, BR).value).toBe(
        waId === '552188197564' ? '+5521988197564' : `+${waId}`,
      );
    }
  });

  it('finds the number in an e-mail signature', () => {
    expect(mentionedIdentities('Att, Cliente Rio\nCel/WhatsApp: 21988197564', BR)).toEqual([
      { kind: 'phone', value: '+5521988197564' },
    ]);
  });

  it('imports it as the national number, and a wa_id as the international one', () => {
    const record = {
      externalId: 'loja-1',
      phones: ['21975145138'],
      whatsapp: ['11987650001'],
      emails: [],
      tags: [],
    };
    expect(planImport(record, BR)).toMatchObject({
      identities: [
        { kind: 'phone', value: '+5521975145138' },
        { kind: 'phone', value: '+11987650001' },
      ],
    });
  });
});
