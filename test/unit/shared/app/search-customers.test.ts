import { describe, expect, it } from 'vitest';
import { candidateIdentities, searchCustomers } from '#shared/app/search-customers.js';
import type { NamePage } from '#shared/domain/agent-ports.js';
import type { Identity } from '#shared/domain/envelope.js';
import { identityToken } from '#shared/domain/identity.js';
import { pageCursors } from '#shared/domain/page-cursor.js';
import type { Page } from '#shared/domain/paging.js';
import type { Customer } from '#shared/domain/timeline.js';

const customer = (id: string, name: string): Customer => ({
  id,
  name,
  identities: [],
  channels: [],
  createdAt: '2025-06-08T21:00:00.000Z',
  mergedFrom: [],
  tags: [],
  lastInboundByChannel: {},
});

describe('candidateIdentities', () => {
  it('reads an email with a display name as the bare lower-cased address', () => {
    expect(candidateIdentities('Jane <Jane@Example.COM>', {})).toContainEqual({
      kind: 'email',
      value: 'jane@example.com',
    });
  });

  it('reads an internationalised domain in Punycode, then as earlier versions kept it', () => {
    for (const q of ['ute@münchen.de', 'Ute <UTE@XN--MNCHEN-3YA.de>']) {
      expect(candidateIdentities(q, {}).filter((i) => i.kind === 'email')).toEqual([
        { kind: 'email', value: 'ute@xn--mnchen-3ya.de' },
        { kind: 'email', value: 'ute@münchen.de' },
      ]);
    }
  });

  it('reads either form of a Brazilian or Mexican mobile as its key, then the form earlier versions kept', () => {
    for (const q of ['+55 41 8888-7777', '+55 41 98888-7777']) {
      expect(candidateIdentities(q, {}).filter((i) => i.kind === 'phone')).toEqual([
        { kind: 'phone', value: '+5541988887777' },
        { kind: 'phone', value: '+554188887777' },
      ]);
    }
    // With its `+`, as the profile shows a Mexican WhatsApp address, spaced or not.
    for (const q of ['5215512345678', '+5215512345678', '+52 1 55 1234 5678']) {
      expect(candidateIdentities(q, {}).filter((i) => i.kind === 'phone')).toEqual([
        { kind: 'phone', value: '+525512345678' },
        { kind: 'phone', value: '+5215512345678' },
      ]);
    }
  });

  it('still reads no number from a `+` and digits that are no number of any plan', () => {
    for (const q of ['+5210000', '+999 1234 5678 9012', '+52 1 55 1234']) {
      expect(candidateIdentities(q, {}).filter((i) => i.kind === 'phone')).toEqual([]);
    }
  });

  it('reads a number typed in Arabic-Indic digits as the number (a Gulf customer wrote it so)', () => {
    for (const q of ['+٩٧١ ٥٠ ١٢٣ ٤٥٦٧', '+۹۷۱۵۰۱۲۳۴۵۶۷', '٠٠٩٧١ ٥٠ ١٢٣ ٤٥٦٧']) {
      expect(candidateIdentities(q, { defaultRegion: 'PT' }).filter((i) => i.kind === 'phone')).toEqual([
        { kind: 'phone', value: '+971501234567' },
      ]);
    }
  });

  it('reads a number typed in full-width characters as the number (a Japanese or Chinese keyboard)', () => {
    for (const q of ['＋９７１５０１２３４１１１', '＋９７１\u3000５０\u3000１２３\u3000４１１１']) {
      expect(candidateIdentities(q, { defaultRegion: 'PT' }).filter((i) => i.kind === 'phone')).toEqual([
        { kind: 'phone', value: '+971501234111' },
      ]);
    }
  });

  it('reads a phone in a local format as E.164 in the default region, and as a raw handle', () => {
    expect(candidateIdentities('(650) 555-1234', { defaultRegion: 'US' })).toEqual([
      { kind: 'phone', value: '+16505551234' },
    ]);
    expect(candidateIdentities('16505551234', { defaultRegion: 'US' })).toEqual([
      { kind: 'phone', value: '+16505551234' },
      { kind: 'messenger', value: '16505551234' },
      { kind: 'instagram', value: '16505551234' },
      { kind: 'whatsapp', value: '16505551234' },
    ]);
  });

  it('reads a Brazilian mobile typed as bare digits in Brazil, then with its `+` as before', () => {
    const phones = (q: string) =>
      candidateIdentities(q, { defaultRegion: 'BR' })
        .filter((i) => i.kind === 'phone')
        .map((i) => i.value);
    // The national number first (and the eight-digit form a WhatsApp id may be stored under).
    expect(phones('21988197564')).toEqual(['+5521988197564', '+552188197564', '+21988197564']);
    expect(phones('11987650001')).toEqual(['+5511987650001', '+551187650001', '+11987650001']);
    // A US number written with its 1 reads as Brazilian there (valid in Brazil's plan too): found either way.
    expect(phones('14155550100')).toEqual(['+5514155550100', '+14155550100']);
    // Punctuated, or with its country code: one reading.
    expect(phones('(21) 98819-7564')).toEqual(['+5521988197564', '+552188197564']);
    expect(phones('5521988197564')).toEqual(['+5521988197564', '+552188197564']);
  });

  it('tries no phone for text with fewer than four digits, and no handle for text with spaces', () => {
    expect(candidateIdentities('Sheena Nelson', { defaultRegion: 'US' })).toEqual([]);
    expect(candidateIdentities('abc123', { defaultRegion: 'US' }).map((i) => i.kind)).toEqual([
      'messenger',
      'instagram',
      'whatsapp',
    ]);
  });
});

describe('searchCustomers', () => {
  const sheena = customer('cu_1', 'Sheena Nelson');
  const shea = customer('cu_2', 'Shea Park');
  const sheila = customer('cu_3', 'Sheila Moss');
  const identities = new Map([
    [identityToken({ kind: 'phone', value: '+16505551234' }), 'cu_1'],
    [identityToken({ kind: 'whatsapp', value: '16505551234' }), 'cu_1'],
    [identityToken({ kind: 'instagram', value: 'she' }), 'cu_3'],
  ]);
  const looked: Identity[] = [];
  const pages: NamePage[] = [];
  /** Names by prefix, a page at a time: the fake's cursor is the index of the next name. */
  const store = {
    findCustomerId: async (identity: Identity) => {
      looked.push(identity);
      return identities.get(identityToken(identity));
    },
    getCustomer: async (id: string) => [sheena, shea, sheila].find((c) => c.id === id),
    findCustomersByName: async (prefix: string, page: NamePage): Promise<Page<Customer>> => {
      pages.push(page);
      const skip = new Set(page.skip ?? []);
      const from = Number(page.cursor ?? 0);
      const names = [sheena, shea, sheila].filter(
        (c) => c.name?.toLowerCase().startsWith(prefix.toLowerCase()) && !skip.has(c.id),
      );
      const to = from + page.limit;
      return { items: names.slice(from, to), cursor: to < names.length ? String(to) : null };
    },
  };
  const deps = { store, phone: { defaultRegion: 'US' as const }, cursors: pageCursors(undefined) };

  it('answers each customer once, whether found by several identities or by name', async () => {
    const found = await searchCustomers(deps, '16505551234', { limit: 25 });
    expect(found).toEqual({ items: [sheena], cursor: null });
    expect(looked.length).toBeGreaterThan(1);
  });

  it('answers a number with the customers holding it only: never one merely named it (a stranger typed it as their name)', async () => {
    const named = customer('cu_4', '+1 650-555-1234');
    const typed = { ...store, getCustomer: async (id: string) => [sheena, named].find((c) => c.id === id) };
    const byName = async (): Promise<Page<Customer>> => ({ items: [named], cursor: null });
    pages.length = 0;
    for (const q of ['+16505551234', '+1 650-555-1234', '(650) 555-1234']) {
      const found = await searchCustomers(
        { store: { ...typed, findCustomersByName: byName }, phone: deps.phone, cursors: deps.cursors },
        q,
        {
          limit: 25,
        },
      );
      expect(found).toEqual({ items: [sheena], cursor: null });
    }
    const unknown = await searchCustomers(
      { store: { ...typed, findCustomersByName: byName }, phone: deps.phone, cursors: deps.cursors },
      '+1 650-555-9999',
      {
        limit: 25,
      },
    );
    expect(unknown).toEqual({ items: [], cursor: null });
  });

  it('finds by name prefix when no identity matches', async () => {
    const found = await searchCustomers({ store, phone: {}, cursors: pageCursors(undefined) }, 'She', {
      limit: 25,
    });
    expect(found.items.map((c) => c.id)).toEqual(['cu_1', 'cu_2', 'cu_3']);
  });

  it('answers the identity match first, then names up to the limit, and leaves it out of the names', async () => {
    pages.length = 0;
    const first = await searchCustomers(deps, 'she', { limit: 2 });
    expect(first.items.map((c) => c.id)).toEqual(['cu_3', 'cu_1']);
    expect(pages).toEqual([{ limit: 1, skip: ['cu_3'] }]);
    expect(deps.cursors.open(first.cursor ?? '', ['customer-search', 'she'])).toBe('1');
  });

  it('reads a later page by the cursor alone: names only, no identity looked up again', async () => {
    looked.length = 0;
    pages.length = 0;
    const cursor = deps.cursors.seal('next', ['customer-search', 'she']) ?? '';
    const next = await searchCustomers(deps, 'she', { limit: 2, cursor });
    expect(looked).toEqual([]);
    expect(pages).toEqual([{ limit: 2, cursor: 'next' }]);
    expect(next.cursor).toBeNull();
  });

  it('asks for no name when the identity matches fill the page, the cursor starting the names', async () => {
    pages.length = 0;
    const first = await searchCustomers(deps, 'she', { limit: 1 });
    expect(first.items.map((c) => c.id)).toEqual(['cu_3']);
    expect(pages).toEqual([{ limit: 0, skip: ['cu_3'] }]);
  });

  it('finds a Messenger or Instagram customer by their bare page-scoped id, with two more lookups at most', async () => {
    const psid = customer('cu_5', 'Page Person');
    const igsid = customer('cu_6', 'Insta Person');
    const byMeta = new Map([
      [identityToken({ kind: 'messenger', value: '1000001:6543210987654321' }), 'cu_5'],
      [identityToken({ kind: 'instagram', value: '1780000:17841400000000001' }), 'cu_6'],
    ]);
    const meta = {
      ...store,
      findCustomerId: async (identity: Identity) => {
        looked.push(identity);
        return byMeta.get(identityToken(identity));
      },
      getCustomer: async (id: string) => [psid, igsid].find((c) => c.id === id),
    };
    const metaAccounts = { messenger: '1000001', instagram: '1780000' };
    for (const [q, who] of [
      ['6543210987654321', psid],
      ['17841400000000001', igsid],
    ] as const) {
      looked.length = 0;
      const without = await searchCustomers({ store: meta, phone: {}, cursors: pageCursors(undefined) }, q, {
        limit: 25,
      });
      const lookups = looked.length;
      expect(without.items).toEqual([]);
      looked.length = 0;
      const found = await searchCustomers(
        { store: meta, phone: {}, metaAccounts, cursors: pageCursors(undefined) },
        q,
        { limit: 25 },
      );
      expect(found.items).toEqual([who]);
      expect(looked.length).toBe(lookups + 2);
    }
    looked.length = 0;
    await searchCustomers(
      { store: meta, phone: {}, metaAccounts, cursors: pageCursors(undefined) },
      'abc123',
      { limit: 25 },
    );
    expect(looked.map((i) => i.value)).not.toContain('1000001:abc123');
  });
});
