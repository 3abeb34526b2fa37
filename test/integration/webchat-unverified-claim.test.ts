import { describe, expect, it } from 'vitest';
import type { Suggestion } from '#shared/domain/suggestions.js';
import { signIdentityToken } from '#shared/domain/webchat/identity-token.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { receiveMail } from '../support/ses-mail.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { identityToken, visitorClient, WEBCHAT_SECRET } from '../support/webchat.js';

const AGENT = agentToken('unverified-claim-agent-token');
const SITE = 'http://shop.example';
const VERA = 'vera.claims@example.net';

type History = { customerId?: string; messages: Array<{ author: string; channel?: string; text: string }> };

/**
 * QA (security): a site lets anyone register with any email and signs its users' tokens with that
 * email, saying it is not confirmed (`email_verified: false`, as OpenID Connect says it). A stranger
 * who registered with a customer's address was the customer in the chat: their past emails, and our
 * answers, in the history. An email the token says is not verified is now what a guest types: evidence
 * for a merge suggestion, never the customer.
 */
describe('a signed-in visitor whose token says the email is not verified', () => {
  const runtime = useTestRuntime({
    env: {
      AGENT_TOKENS: `agent-claims:${AGENT}:admin`,
      WEBCHAT_IDENTITY_SECRET: WEBCHAT_SECRET,
      WEBCHAT_ALLOWED_ORIGINS: SITE,
    },
  });
  const api = agentCaller(() => runtime.url, AGENT);
  const reads = customerReads(api);
  const visitor = () => visitorClient(runtime.url, SITE);
  const historyOf = async (token: string) => (await (await visitor().history(token)).json()) as History;
  const claims = (sub: string, verified: boolean) =>
    signIdentityToken(
      { sub, email: VERA, email_verified: verified, exp: Math.floor(Date.now() / 1000) + 3600 },
      WEBCHAT_SECRET,
    );

  it('is not the customer of that email: no history of theirs, a suggestion with the typed evidence', async () => {
    const at = new Date(Date.now() - 60_000).toISOString();
    await receiveMail(runtime, {
      sesId: 'vera-1',
      at,
      from: `Vera <${VERA}>`,
      subject: 'Refund',
      text: 'My card ending 4242 was charged twice.',
    });
    const vera = await reads.find(VERA);

    const started = await visitor().session({ identityToken: claims('stranger-1', false) });
    expect(started.status).toBe(201);
    const stranger = (await started.json()) as {
      sessionToken: string;
      customerId?: string;
      verified: boolean;
    };
    expect(stranger.customerId).toBeUndefined();
    await visitor().send(stranger.sessionToken, 'Hello, where is my refund?');
    await runtime.idle();
    const history = await historyOf(stranger.sessionToken);
    expect(history.customerId).not.toBe(vera.id);
    expect(history.messages.map((m) => m.text)).toEqual(['Hello, where is my refund?']);
    const suggestions = await api<{ items: Suggestion[] }>(
      'GET',
      `/api/customers/${history.customerId}/suggestions`,
    );
    expect(suggestions.items.map((s) => [s.otherId, s.evidence.map((e) => e.reason)])).toEqual([
      [vera.id, ['typed_in_chat']],
    ]);

    // The same site's token saying the email is verified (or saying nothing of it) is the customer, as before.
    for (const token of [claims('vera-site', true), identityToken({ sub: 'vera-site-2', email: VERA })]) {
      const owner = (await (await visitor().session({ identityToken: token })).json()) as {
        sessionToken: string;
      };
      const own = await historyOf(owner.sessionToken);
      expect(own.customerId).toBe(vera.id);
      expect(own.messages.map((m) => m.text)).toContain('My card ending 4242 was charged twice.');
    }
  });
});
