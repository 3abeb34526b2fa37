import { describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import { signIdentityToken } from '#shared/domain/webchat/identity-token.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { identityToken, visitorClient, WEBCHAT_SECRET } from '../support/webchat.js';

const AGENT = agentToken('webchat-sites-agent-token');
const BRAND_A = 'https://brand-a.example';
const BRAND_B = 'https://brand-b.example';
/** Brand A's other origin: one sign-in, one user database with brand A. */
const WWW_A = 'https://www.brand-a.example';
/** Brand B's own secret: its users are its own user database's. */
const BRAND_B_SECRET = 'brand-b-identity-secret-0123456789abcdef';

type Started = { sessionToken: string; customerId?: string; name?: string };
type History = { customerId?: string; messages: Array<{ author: string; text: string }> };

/**
 * QA (multi-brand business): two brands, each with its own user database, embed the widget. Their user
 * ids overlap: `user-42` is Alice on brand A and Bob on brand B. Bob, signed in on brand B, was Alice's
 * customer: her messages in his history, his and our answer in hers, and the customer still named
 * Alice; nothing let the business say the two sites' users are not one. A site may now have its own
 * secret (WEBCHAT_IDENTITY_SECRET's per-site form): its `sub`s are its own users, and only its secret
 * signs for its pages; brand A keeps the secret it had, and its customers. A token's `aud` names the
 * site it is for.
 */
describe('web chat on several sites', () => {
  const runtime = useTestRuntime({
    env: {
      AGENT_TOKENS: `agent-sites:${AGENT}`,
      WEBCHAT_IDENTITY_SECRET: `${BRAND_B}=${BRAND_B_SECRET}, ${WEBCHAT_SECRET}`,
      WEBCHAT_ALLOWED_ORIGINS: `${BRAND_A},${WWW_A},${BRAND_B}`,
    },
  });
  const api = agentCaller(() => runtime.url, AGENT);
  const on = (site: string) => visitorClient(runtime.url, site);
  const bTokenOf = (claims: Record<string, unknown>) =>
    signIdentityToken({ exp: Math.floor(Date.now() / 1000) + 3600, ...claims }, BRAND_B_SECRET);
  const start = async (site: string, claims: Parameters<typeof identityToken>[0]) => {
    const token = site === BRAND_B ? bTokenOf(claims) : identityToken(claims);
    const res = await on(site).session({ identityToken: token });
    expect(res.status).toBe(201);
    return (await res.json()) as Started;
  };
  const historyOf = async (site: string, token: string) =>
    (await (await on(site).history(token)).json()) as History;
  const texts = (history: History) => history.messages.map((m) => [m.author, m.text]);

  it("keeps a site's user of its own secret apart from another site's user of the same sub", async () => {
    const alice = await start(BRAND_A, { sub: 'user-42', name: 'Alice' });
    await on(BRAND_A).send(alice.sessionToken, 'My address is 1 Elm Street, my card ends 4242.');
    await runtime.idle();
    const aliceId = (await historyOf(BRAND_A, alice.sessionToken)).customerId;

    const bob = await start(BRAND_B, { sub: 'user-42', name: 'Bob' });
    expect(bob.customerId).toBeUndefined();
    expect(bob.name).toBe('Bob');
    expect(texts(await historyOf(BRAND_B, bob.sessionToken))).toEqual([]);

    await on(BRAND_B).send(bob.sessionToken, 'Hi, Bob here.');
    await runtime.idle();
    const bobsHistory = await historyOf(BRAND_B, bob.sessionToken);
    expect(bobsHistory.customerId).toBeDefined();
    expect(bobsHistory.customerId).not.toBe(aliceId);
    const bobs = await api<Customer>('GET', `/api/customers/${bobsHistory.customerId}`);
    expect(bobs.name).toBe('Bob');
    await api('POST', `/api/conversations/${bobs.openConversationId}/replies`, { text: 'Hello Bob.' });
    await runtime.idle();

    expect(texts(await historyOf(BRAND_B, bob.sessionToken))).toEqual([
      ['visitor', 'Hi, Bob here.'],
      ['agent', 'Hello Bob.'],
    ]);
    expect(texts(await historyOf(BRAND_A, alice.sessionToken))).toEqual([
      ['visitor', 'My address is 1 Elm Street, my card ends 4242.'],
    ]);
    const alices = await api<Customer>('GET', `/api/customers/${aliceId}`);
    expect(alices.name).toBe('Alice');
    // Brand A's users keep the key they had before brand B had its own secret: the same customers.
    expect(alices.identities).toEqual([{ kind: 'webchat_user', value: 'user-42' }]);
    expect(bobs.identities).toEqual([{ kind: 'webchat_user', value: `${BRAND_B}|user-42` }]);

    // One site's token is no good on the other's pages: another secret signs there.
    const alicesToken = identityToken({ sub: 'user-42' });
    expect((await on(BRAND_B).session({ identityToken: alicesToken })).status).toBe(401);
    expect((await on(BRAND_A).session({ identityToken: bTokenOf({ sub: 'user-42' }) })).status).toBe(401);
  });

  /**
   * QA (pen test): a brand-A user (the secret without an origin) whose `sub` read
   * `https://brand-b.example|user-55` was keyed as brand B's user-55: verified as them, with their history.
   */
  it("refuses the other sites' secret a sub that names a site's user: 401, nothing of theirs", async () => {
    const bea = await start(BRAND_B, { sub: 'user-55', name: 'Bea' });
    await on(BRAND_B).send(bea.sessionToken, 'My card ends 4242, private to brand B.');
    await runtime.idle();
    const forged = identityToken({ sub: `${BRAND_B}|user-55`, name: 'Mallory' });
    const res = await on(BRAND_A).session({ identityToken: forged });
    const answer = JSON.stringify(await res.json());
    expect(res.status).toBe(401);
    expect(answer).toContain('identity_sub_reserved');
    expect(answer).not.toContain((await historyOf(BRAND_B, bea.sessionToken)).customerId);
    // A sub with a `|` that names no site (an Auth0 user's) is brand A's user as before.
    expect((await start(BRAND_A, { sub: 'auth0|55' })).sessionToken).toBeDefined();
  });

  it('refuses a token on a site its aud does not name, with 401', async () => {
    const token = identityToken({ sub: 'user-9', aud: [BRAND_A] });
    for (const [origin, status] of [
      [WWW_A, 401],
      [undefined, 401],
      [BRAND_A, 201],
    ] as const) {
      const res = await visitorClient(runtime.url, origin).session({ identityToken: token });
      expect(res.status).toBe(status);
      if (status === 401) expect(JSON.stringify(await res.json())).toMatch(/aud/);
    }
  });

  it('keeps the sites of one secret one user database: one customer on both, as before', async () => {
    const here = await start(BRAND_A, { sub: 'shared-7', name: 'Sam' });
    await on(BRAND_A).send(here.sessionToken, 'Asked on brand A.');
    await runtime.idle();
    const res = await on(WWW_A).session({ identityToken: identityToken({ sub: 'shared-7' }) });
    const there = (await res.json()) as Started;
    expect(there.customerId).toBe((await historyOf(BRAND_A, here.sessionToken)).customerId);
    expect(texts(await historyOf(WWW_A, there.sessionToken))).toEqual([['visitor', 'Asked on brand A.']]);
  });
});
