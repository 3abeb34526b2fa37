import { describe, expect, it } from 'vitest';
import type { OutboxEntry } from '#shared/domain/outbox.js';
import { agentToken } from '../support/agent-token.js';
import { openConversationOf } from '../support/open-conversation.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { deliver, signedMeta, whatsappStatus, whatsappText } from '../support/webhooks.js';

const SECRET = 'window-failure-secret';
const TOKEN = agentToken('window-failure-token');

/** Meta's failure of a message sent once the customer's 24 hours were over, as its status carries it. */
const REENGAGEMENT = {
  code: 131047,
  title: 'Re-engagement message',
  message: 'Re-engagement message',
  error_data: {
    details:
      'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  },
};
const UNDELIVERABLE = { code: 131026, title: 'Message Undeliverable.', message: 'Message Undeliverable.' };

/**
 * WhatsApp reports later, on a reply's `failed` status, that the customer's 24-hour window had closed
 * (131047): the customer's WhatsApp is template-only from then until they write again, as after 24 hours
 * (QA: the channels still said open, and the console offered a free-text Send). A failed status shows
 * its code's hint beside Meta's words.
 */
describe('local runtime: a reply WhatsApp failed as outside its 24 hours closes the window', () => {
  const runtime = useTestRuntime({
    env: { META_APP_SECRET: SECRET, AGENT_TOKENS: `agent-w:${TOKEN}` },
    routing: false,
  });
  let phone = 447700900500;

  const post = async (payload: unknown) => {
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRET));
    expect(res.status).toBe(200);
    await runtime.idle();
  };
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${runtime.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  // WhatsApp times a message to the second: the customer's next one comes a little after the reply.
  const write = async (waId: string, id: string, afterMs = 0) =>
    post(
      whatsappText({
        from: waId,
        name: 'Wen Window',
        messages: [{ id, at: new Date(Date.now() + afterMs).toISOString(), text: 'Hi' }],
      }),
    );
  const reply = async (conversationId: string, text: string): Promise<OutboxEntry> => {
    const res = await call('POST', `/api/conversations/${conversationId}/replies`, { text });
    expect(res.status).toBe(202);
    await runtime.idle();
    const entry = runtime.outbox
      .entries()
      .filter((e) => e.message.conversationId === conversationId)
      .at(-1);
    if (!entry) throw new Error('no reply sent');
    return entry;
  };
  const failed = (entry: OutboxEntry, waId: string, error: Record<string, unknown>) =>
    post(
      whatsappStatus({
        id: entry.providerMessageId,
        status: 'failed',
        at: new Date().toISOString(),
        recipient: waId,
        callbackData: entry.replyKey,
        errors: [error],
      }),
    );
  const channels = async (customerId: string) =>
    (await (await call('GET', `/api/customers/${customerId}/channels`)).json()) as Array<
      Record<string, unknown>
    >;

  /** A new customer's message and an agent's reply the outbox took. */
  const answered = async () => {
    const waId = String(++phone);
    await write(waId, `wamid.WIN${phone}a`);
    const conversationId = await openConversationOf(runtime, waId);
    const entry = await reply(conversationId, 'Checking now');
    return { waId, conversationId, entry, customerId: entry.message.customerId };
  };

  it('offers templates only after a 131047, until the customer writes again', async () => {
    const { waId, conversationId, entry, customerId } = await answered();
    expect(await channels(customerId)).toMatchObject([{ channel: 'whatsapp', available: true }]);
    expect((await channels(customerId))[0]?.needsTemplate).toBeUndefined();

    await failed(entry, waId, REENGAGEMENT);
    expect(await channels(customerId)).toMatchObject([
      { channel: 'whatsapp', available: true, reason: 'whatsapp_window_closed', needsTemplate: true },
    ]);
    const refused = await call('POST', `/api/conversations/${conversationId}/replies`, {
      text: 'Still there?',
    });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ error: { code: 'whatsapp_window_closed' } });

    // The customer writes again: their window is open.
    await write(waId, `wamid.WIN${phone}b`, 2000);
    expect((await channels(customerId))[0]).toMatchObject({ channel: 'whatsapp', available: true });
    expect((await channels(customerId))[0]?.needsTemplate).toBeUndefined();
  });

  it('leaves the window as it was for another failure, and shows each failure with its hint', async () => {
    const { waId, entry, customerId } = await answered();
    await failed(entry, waId, UNDELIVERABLE);
    expect((await channels(customerId))[0]?.needsTemplate).toBeUndefined();
    const page = (await (await call('GET', `/api/customers/${customerId}/timeline?limit=50`)).json()) as {
      items: Array<Record<string, unknown>>;
    };
    const item = page.items.find((i) => i.providerMessageId === entry.providerMessageId);
    expect(item).toMatchObject({
      status: 'failed',
      errors: [
        {
          code: '131026',
          message: 'Message Undeliverable.',
          hint: expect.stringContaining('undeliverable'),
        },
      ],
    });
  });
});
