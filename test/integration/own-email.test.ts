import { describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { receiveSes } from '../support/ses-mail.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { sesReceived } from '../support/webhooks.js';

const TOKEN = agentToken('own-email-token');

/**
 * Mail from the address it was received at (support@shop.example, also SES_FROM_ADDRESS) is the
 * business's own, not a customer's: no customer, no conversation, no answer from the AI, so the AI
 * never answers itself when its own answer comes back.
 */
describe('email from our own address', () => {
  const runtime = useTestRuntime({
    env: {
      AGENT_TOKENS: `agent-own:${TOKEN}:admin`,
      SES_FROM_ADDRESS: 'Shop Support <support@shop.example>',
    },
    routing: true,
    queue: { visibilityTimeoutMs: 1000 },
  });
  const api = agentCaller(() => runtime.url, TOKEN);
  const find = async (q: string) =>
    (await api<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(q)}`)).items;

  const email = async (sesId: string, from: string, inReplyTo?: string) => {
    const notification = sesReceived({
      sesId,
      at: new Date(Date.now() - 1000).toISOString(),
      from,
      messageId: `<${sesId}@shop.example>`,
      subject: 'What payment methods do you accept?',
      text: 'What payment methods do you accept? Can I pay with PayPal?',
      ...(inReplyTo ? { inReplyTo } : {}),
    });
    await receiveSes(runtime, notification, { snsId: `sns-${sesId}`, at: new Date().toISOString() });
  };

  it.each([
    ['with its name', 'ses-own-named', 'Shop Support <support@shop.example>'],
    ['bare, as our reply comes back', 'ses-own-bare', 'support@shop.example'],
  ])('%s makes no customer, so no conversation for the AI to answer', async (_name, sesId, from) => {
    await email(sesId, from);
    await email(`${sesId}-again`, from, `<${sesId}@shop.example>`);
    await runtime.idle();
    const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
    expect(await find(address)).toEqual([]);
  });

  it('makes a customer of someone else asking the same', async () => {
    await email('ses-own-carla', 'Carla Client <carla@client.example>');
    await runtime.idle();
    const [carla] = await find('carla@client.example');
    expect(carla?.name).toBe('Carla Client');
    expect(carla?.openConversationId).toBeDefined();
  });
});
