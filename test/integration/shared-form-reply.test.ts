import { describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { agentCaller, agentFetcher } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { receiveSes } from '../support/ses-mail.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { sesReceived } from '../support/webhooks.js';

const TOKEN = agentToken('shared-form-reply-token');
const FORM = 'Shop Contact Form <noreply@forms.example>';

/**
 * A contact form not named in EMAIL_FORM_SENDERS sends every visitor's message from its own address,
 * the visitor in Reply-To: all land on one customer (the form), in one conversation. QA: the agent's
 * answer to Alice went to Bob, whose message came last. A reply there is refused (409
 * `ambiguous_recipient`, the addresses named, nothing sent) rather than sent to whoever wrote last.
 */
describe('a reply where one sender named several Reply-To addresses', () => {
  const runtime = useTestRuntime({ env: { AGENT_TOKENS: `agent-sfr:${TOKEN}:admin` } });
  const api = agentCaller(() => runtime.url, TOKEN);
  const post = agentFetcher(() => runtime.url, TOKEN);
  let deliveries = 0;

  const form = async (sesId: string, replyTo: string, text: string) => {
    const at = new Date(Date.now() - 1000 + deliveries).toISOString();
    const notification = sesReceived({
      sesId,
      at,
      from: FORM,
      replyTo,
      messageId: `<${sesId}@forms.example>`,
      text,
    });
    await receiveSes(runtime, notification, {
      snsId: `sns-${sesId}-${++deliveries}`,
      at: new Date().toISOString(),
    });
  };
  const conversation = async () => {
    const { items } = await api<{ items: Customer[] }>('GET', '/api/customers?q=noreply%40forms.example');
    return items[0]?.openConversationId as string;
  };

  it("answers the one visitor at her address, and refuses when a second visitor's mail came in the same conversation", async () => {
    await form('sfr-alice', 'Alice <alice@visitor.example>', 'Alice here: my invoice 7 is wrong.');
    const id = await conversation();
    const first = await post('POST', `/api/conversations/${id}/replies`, {
      text: 'Alice, invoice 7 is fixed.',
      channel: 'email',
    });
    expect(first.status).toBe(202);
    const { reply } = (await first.json()) as { reply: TimelineItem };
    expect(reply.to).toEqual({ kind: 'email', value: 'alice@visitor.example' });
    await runtime.idle();

    await form('sfr-bob', 'Bob <bob@visitor.example>', 'Bob here: where is my parcel?');
    expect(await conversation()).toBe(id);
    const sent = runtime.outbox.entries().length;
    const second = await post('POST', `/api/conversations/${id}/replies`, {
      text: 'Alice, your refund of 40 EUR is on its way.',
      channel: 'email',
    });
    expect(second.status).toBe(409);
    const { error } = (await second.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('ambiguous_recipient');
    expect(error.message).toContain('alice@visitor.example');
    expect(error.message).toContain('bob@visitor.example');
    expect(error.message).toContain('EMAIL_FORM_SENDERS');
    await runtime.idle();
    expect(runtime.outbox.entries()).toHaveLength(sent);
  });
});
