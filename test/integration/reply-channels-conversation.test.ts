import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentFetcher } from '../support/agent-api.js';
import { customerIdOf, openConversationOf } from '../support/open-conversation.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const ADMIN = 'reply-channels-conversation-admin';

/**
 * QA: `GET /api/customers/{id}/channels?conversation=` answered 200 for any conversation id, another
 * customer's or one that does not exist, where the other routes answer 404 for a conversation that is
 * not the customer's. A conversation of a customer merged into them counts as theirs.
 */
describe('local runtime: the reply channels of a conversation that is not the customer’s', () => {
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime({ routing: false, env: { AGENT_TOKENS: `admin-cleo:${ADMIN}:admin` } });
  }, 60_000);
  afterAll(async () => {
    await runtime?.close();
  }, 60_000);

  const api = agentFetcher(() => runtime.url, ADMIN);
  const whatsapp = async (from: string) => {
    const body = whatsappText({
      from,
      messages: [{ id: `wamid.ch${from}`, at: new Date().toISOString(), text: 'hi' }],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status).toBe(
      200,
    );
    await runtime.idle();
    return { id: await customerIdOf(runtime, from), conversation: await openConversationOf(runtime, from) };
  };
  const channels = (customerId: string, conversation: string) =>
    api('GET', `/api/customers/${customerId}/channels?conversation=${conversation}`);

  it('answers 404 for another customer’s conversation or none, 200 for theirs and a merged one’s', async () => {
    const [ada, ben] = [await whatsapp('4915170000001'), await whatsapp('4915170000002')];
    expect((await channels(ada.id, ada.conversation)).status).toBe(200);
    const other = await channels(ada.id, ben.conversation);
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect((await channels(ada.id, 'cv_AAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);

    expect((await api('POST', `/api/customers/${ada.id}/merge`, { customerId: ben.id })).status).toBe(200);
    // Ben's conversation is now Ada's customer's (merged into it), asked through either id.
    expect((await channels(ada.id, ben.conversation)).status).toBe(200);
    expect((await channels(ben.id, ada.conversation)).status).toBe(200);
  }, 60_000);
});
