import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KeptStorage } from '../../../../functions/webchat/widget/outbox.js';
import { endPreviousUser } from '../../../../functions/webchat/widget/user-change.js';

const ORIGIN = 'https://threadline.example.com';

/** An identity token as the page would hold it: only its payload's `sub` matters here. */
const token = (sub: string, n = 1) =>
  `e30.${Buffer.from(JSON.stringify({ sub, n })).toString('base64url')}.signature`;

function store(): KeptStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

describe('endPreviousUser', () => {
  const ended: Array<{ url: string; init: RequestInit | undefined }> = [];
  let site: ReturnType<typeof store>;
  let tab: ReturnType<typeof store>;

  beforeEach(() => {
    ended.splice(0);
    site = store();
    tab = store();
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        ended.push({ url, init });
        return new Response(null, { status: 204 });
      }),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  const keep = (key: string, sessionToken: string) => {
    site.setItem(key, JSON.stringify({ sessionToken, expiresAt: '2099-01-01T00:00:00.000Z' }));
    for (const part of [':outbox', ':draft', ':start']) site.setItem(key + part, 'x');
    tab.setItem(`${key}:seen`, '[]');
  };

  it("notes the first page's user and ends nothing", () => {
    keep('threadline-chat:user:ann', 'wcs_ann');
    expect(endPreviousUser(ORIGIN, site, tab, token('ann'))).toBe(false);
    expect(site.getItem('threadline-chat:who')).toBe('threadline-chat:user:ann');
    expect(ended).toEqual([]);
  });

  it('keeps the session for a fresh token of the same user', () => {
    keep('threadline-chat:user:ann', 'wcs_ann');
    endPreviousUser(ORIGIN, site, tab, token('ann', 1));
    expect(endPreviousUser(ORIGIN, site, tab, token('ann', 2))).toBe(false);
    expect(site.getItem('threadline-chat:user:ann')).toContain('wcs_ann');
    expect(ended).toEqual([]);
  });

  it("ends and forgets the previous user's session and the anonymous one when another signs in", () => {
    endPreviousUser(ORIGIN, site, tab, token('ann'));
    keep('threadline-chat:user:ann', 'wcs_ann');
    keep('threadline-chat:anonymous', 'wcs_guest');
    keep('threadline-chat:user:bo', 'wcs_bo');
    expect(endPreviousUser(ORIGIN, site, tab, token('bo'))).toBe(true);
    expect(
      ended.map((e) => [
        e.url,
        e.init?.method,
        (e.init?.headers as Record<string, string> | undefined)?.authorization,
      ]),
    ).toEqual([
      [`${ORIGIN}/webchat/sessions`, 'DELETE', 'Bearer wcs_ann'],
      [`${ORIGIN}/webchat/sessions`, 'DELETE', 'Bearer wcs_guest'],
    ]);
    expect([...site.items.keys()].sort()).toEqual([
      'threadline-chat:user:bo',
      'threadline-chat:user:bo:draft',
      'threadline-chat:user:bo:outbox',
      'threadline-chat:user:bo:start',
      'threadline-chat:who',
    ]);
    expect([...tab.items.keys()]).toEqual(['threadline-chat:user:bo:seen']);
    expect(site.getItem('threadline-chat:who')).toBe('threadline-chat:user:bo');
  });

  it('ends the signed-out user’s session when the page has no token', () => {
    endPreviousUser(ORIGIN, site, tab, token('ann'));
    keep('threadline-chat:user:ann', 'wcs_ann');
    expect(endPreviousUser(ORIGIN, site, tab, undefined)).toBe(true);
    expect(ended).toHaveLength(1);
    expect(site.getItem('threadline-chat:user:ann')).toBeNull();
  });

  it('forgets a session whose stored value is not JSON without calling, and touches no key not its own', () => {
    site.setItem('threadline-chat:who', 'threadline-chat:user:ann');
    site.setItem('threadline-chat:user:ann', '{not json');
    expect(endPreviousUser(ORIGIN, site, tab, token('bo'))).toBe(true);
    expect(site.getItem('threadline-chat:user:ann')).toBeNull();
    expect(ended).toEqual([]);
    site.setItem('threadline-chat:who', 'cart');
    site.setItem('cart', 'the shop’s own');
    expect(endPreviousUser(ORIGIN, site, tab, token('cy'))).toBe(false);
    expect(site.getItem('cart')).toBe('the shop’s own');
  });
});
