import { describe, expect, it } from 'vitest';
import { metaProfileName } from '#shared/channels/meta/profile.js';

const TOKEN = 'EAAB-page-token';
const messenger = { kind: 'messenger', value: '1000001:6543210987654321' } as const;
const instagram = { kind: 'instagram', value: '17841400000000000:1234567890123456' } as const;

/** A fetch that records each call and answers `status` with `body`. */
function answering(status: number, body: unknown) {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fetchFn = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { calls, fetchFn };
}

describe('metaProfileName', () => {
  it("asks Messenger for the PSID's first and last name with the Page token, at META_GRAPH_URL when set", async () => {
    const { calls, fetchFn } = answering(200, {
      first_name: 'Rae',
      last_name: 'Raced',
      id: '6543210987654321',
    });
    const name = await metaProfileName(messenger, {
      pageAccessToken: TOKEN,
      graphUrl: 'http://127.0.0.1:9911/',
      fetch: fetchFn,
    });
    expect(name).toBe('Rae Raced');
    expect(calls.map((c) => c.url)).toEqual([
      'http://127.0.0.1:9911/v23.0/6543210987654321?fields=first_name,last_name',
    ]);
    expect(calls[0]?.init?.headers).toEqual({ Authorization: `Bearer ${TOKEN}` });
  });

  it("asks Instagram for the IGSID's name, and takes the username when there is no name", async () => {
    const named = answering(200, { name: 'Lola Lopes', username: 'lolal' });
    expect(await metaProfileName(instagram, { pageAccessToken: TOKEN, fetch: named.fetchFn })).toBe(
      'Lola Lopes',
    );
    expect(named.calls[0]?.url).toBe(
      'https://graph.facebook.com/v23.0/1234567890123456?fields=name,username',
    );
    const handle = answering(200, { username: 'lolal' });
    expect(await metaProfileName(instagram, { pageAccessToken: TOKEN, fetch: handle.fetchFn })).toBe('lolal');
  });

  it('answers no name, never throwing, for a refusal, a blank answer, a timeout or a network failure', async () => {
    const refused = answering(400, { error: { code: 100, error_subcode: 2018218 } });
    expect(
      await metaProfileName(messenger, { pageAccessToken: TOKEN, fetch: refused.fetchFn }),
    ).toBeUndefined();
    const blank = answering(200, { first_name: ' \u200b', last_name: '' });
    expect(
      await metaProfileName(messenger, { pageAccessToken: TOKEN, fetch: blank.fetchFn }),
    ).toBeUndefined();
    // The time limit's abort, as AbortSignal.timeout gives it (no timer runs in the test).
    const late = (async () => {
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    }) as typeof fetch;
    expect(await metaProfileName(messenger, { pageAccessToken: TOKEN, fetch: late })).toBeUndefined();
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    expect(await metaProfileName(messenger, { pageAccessToken: TOKEN, fetch: down })).toBeUndefined();
  });

  it('asks nothing for another channel or an id that is not a scoped id', async () => {
    const { calls, fetchFn } = answering(200, { first_name: 'X' });
    const options = { pageAccessToken: TOKEN, fetch: fetchFn };
    expect(await metaProfileName({ kind: 'whatsapp', value: '14155550100' }, options)).toBeUndefined();
    expect(
      await metaProfileName({ kind: 'messenger', value: '1000001:user_ref:abc' }, options),
    ).toBeUndefined();
    expect(await metaProfileName({ kind: 'messenger', value: '1000001:../../me' }, options)).toBeUndefined();
    expect(calls).toEqual([]);
  });
});
