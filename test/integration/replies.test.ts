import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappStatus, whatsappText } from '../support/webhooks.js';

const SECRET = 'replies-meta-secret';
const AGENT = agentToken('replies-agent-token');

describe('local runtime: an agent replies on WhatsApp and the statuses come back', () => {
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { META_APP_SECRET: SECRET, AGENT_TOKENS: `agent-ana:${AGENT}` },
      queue: { visibilityTimeoutMs: 1000 },
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  const hook = async (payload: unknown) => {
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRET));
    expect(res.status).toBe(200);
    await runtime.idle();
  };
  const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${runtime.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${AGENT}`, 'content-type': 'application/json', ...headers },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  it('sends once per idempotency key, and moves the reply to read with the provider’s callbacks', async () => {
    await hook(
      whatsappText({
        from: '447700900123',
        name: 'Ana',
        messages: [
          {
            id: 'wamid.ANA1',
            at: new Date(Date.now() - 120_000).toISOString(),
            text: 'Can I change my delivery address?',
          },
        ],
      }),
    );
    const customers = (await (await api('GET', '/api/customers?q=%2B447700900123')).json()) as {
      items: Customer[];
    };
    const conversationId = customers.items[0]?.openConversationId as string;
    expect(conversationId).toMatch(/^cv_/);

    const first = await api(
      'POST',
      `/api/conversations/${conversationId}/replies`,
      { text: 'Yes: reply with the new one.' },
      {
        'idempotency-key': 'ana-1',
      },
    );
    expect(first.status).toBe(202);
    const { reply } = (await first.json()) as { reply: TimelineItem };
    expect(reply).toMatchObject({ channel: 'whatsapp', status: 'queued' });
    await runtime.idle();

    const again = await api(
      'POST',
      `/api/conversations/${conversationId}/replies`,
      { text: 'Yes: reply with the new one.' },
      {
        'idempotency-key': 'ana-1',
      },
    );
    expect(again.status).toBe(200);
    // The key sent again with another text is refused, never answered with the first reply.
    const reused = await api(
      'POST',
      `/api/conversations/${conversationId}/replies`,
      { text: 'No: call us instead.' },
      { 'idempotency-key': 'ana-1' },
    );
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ error: { code: 'idempotency_key_reused' } });
    await runtime.idle();
    const outbox = runtime.outbox.entries();
    expect(outbox.map((e) => [e.message.channel, e.message.to.value, e.message.text])).toEqual([
      ['whatsapp', '+447700900123', 'Yes: reply with the new one.'],
    ]);
    const wamid = outbox[0]?.providerMessageId as string;
    // WhatsApp hands back on every status the key the send carried (biz_opaque_callback_data).
    const callbackData = outbox[0]?.replyKey;
    expect(callbackData).toBeDefined();

    // The provider's callbacks, out of order: read before delivered.
    const at = new Date().toISOString();
    await hook(whatsappStatus({ id: wamid, status: 'read', at, recipient: '447700900123', callbackData }));
    await hook(
      whatsappStatus({ id: wamid, status: 'delivered', at, recipient: '447700900123', callbackData }),
    );
    const timeline = (await (
      await api('GET', `/api/customers/${customers.items[0]?.id}/timeline`)
    ).json()) as {
      items: TimelineItem[];
    };
    // The agent's reply took the unassigned conversation: the assignment is on the timeline too.
    expect(
      timeline.items.map((i) => [i.event ?? i.direction, i.status ?? null, i.providerMessageId ?? null]),
    ).toEqual([
      ['inbound', null, 'wamid.ANA1'],
      ['assigned', null, null],
      ['outbound', 'read', wamid],
    ]);
  });

  it('refuses a WhatsApp reply outside the 24-hour window without a template, saying what to do', async () => {
    await hook(
      whatsappText({
        from: '447700900999',
        name: 'Old',
        messages: [
          {
            id: 'wamid.OLD1',
            at: new Date(Date.now() - 3 * 86_400_000).toISOString(),
            text: 'Hello from three days ago',
          },
        ],
      }),
    );
    const customers = (await (await api('GET', '/api/customers?q=%2B447700900999')).json()) as {
      items: Customer[];
    };
    const conversationId = customers.items[0]?.openConversationId as string;
    const refused = await api('POST', `/api/conversations/${conversationId}/replies`, { text: 'Hi!' });
    expect(refused.status).toBe(422);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('whatsapp_window_closed');
    expect(body.error.message).toContain('template');
    const request = { template: { name: 'order_update', language: 'en_GB', parameters: ['Old', 'A-17'] } };
    const key = { 'Idempotency-Key': 'template-old-1' };
    const path = `/api/conversations/${conversationId}/replies`;
    const templated = await api('POST', path, request, key);
    expect(templated.status).toBe(202);
    // Agents and integrators read what went out: the template, and a line that says it.
    const { reply } = (await templated.json()) as { reply: TimelineItem };
    expect(reply).toMatchObject({
      text: 'Template order_update (en_GB): Old, A-17',
      data: { template: request.template },
    });
    // A retry gets the same reply back, and the send is still the template alone (no text beside it).
    const again = (await (await api('POST', path, request, key)).json()) as { reply: TimelineItem };
    expect(again.reply).toMatchObject({ id: reply.id, text: reply.text });
    await runtime.idle();
    const sent = runtime.outbox.entries().filter((e) => `reply:${e.message.id}` === reply.id);
    expect(sent.map((e) => [e.message.template, e.message.text])).toEqual([[request.template, undefined]]);
  });

  it('assigns, notes, resolves, and reopens when the customer writes again within the window', async () => {
    const customers = (await (await api('GET', '/api/customers?q=%2B447700900123')).json()) as {
      items: Customer[];
    };
    const customer = customers.items[0] as Customer;
    const conversationId = customer.openConversationId as string;

    expect((await api('POST', `/api/conversations/${conversationId}/assign`, { agentId: 'me' })).status).toBe(
      200,
    );
    const mine = (await (await api('GET', '/api/conversations?assignee=me')).json()) as {
      items: { id: string }[];
    };
    // Also the conversation the agent answered with a template (their reply took it).
    const old = (await (await api('GET', '/api/customers?q=%2B447700900999')).json()) as {
      items: Customer[];
    };
    expect(mine.items.map((c) => c.id).sort()).toEqual(
      [conversationId, old.items[0]?.openConversationId as string].sort(),
    );
    const byChannel = async (channel: string) =>
      (
        (await (await api('GET', `/api/conversations?channel=${channel}`)).json()) as {
          items: { id: string }[];
        }
      ).items.map((c) => c.id);
    expect(await byChannel('whatsapp')).toContain(conversationId);
    expect(await byChannel('email')).not.toContain(conversationId);
    expect(
      (await api('POST', `/api/conversations/${conversationId}/notes`, { text: 'Address change approved' }))
        .status,
    ).toBe(201);
    expect((await api('POST', `/api/conversations/${conversationId}/resolve`)).status).toBe(200);
    const open = (await (await api('GET', '/api/conversations?status=open')).json()) as {
      items: { id: string }[];
    };
    expect(open.items.map((c) => c.id)).not.toContain(conversationId);

    await hook(
      whatsappText({
        from: '447700900123',
        name: 'Ana',
        messages: [
          { id: 'wamid.ANA2', at: new Date(Date.now() + 1000).toISOString(), text: 'One more thing' },
        ],
      }),
    );
    const reopened = (await (await api('GET', '/api/conversations?status=open')).json()) as {
      items: { id: string; assignee?: string }[];
    };
    expect(reopened.items.find((c) => c.id === conversationId)).toMatchObject({ assignee: 'agent-ana' });
    const timeline = (await (await api('GET', `/api/customers/${customer.id}/timeline`)).json()) as {
      items: TimelineItem[];
    };
    expect(timeline.items.map((i) => i.event ?? i.type).slice(-4)).toEqual([
      'assigned',
      'note',
      'resolved',
      'message',
    ]);
  }, 30_000);

  it('stores and sends a reply’s lone surrogates as U+FFFD, never as it came: its text, its file’s link and type', async () => {
    await hook(
      whatsappText({
        from: '447700900555',
        name: 'Lu',
        messages: [{ id: 'wamid.LU1', at: new Date(Date.now() - 60_000).toISOString(), text: 'Hi' }],
      }),
    );
    const customers = (await (await api('GET', '/api/customers?q=%2B447700900555')).json()) as {
      items: Customer[];
    };
    const customer = customers.items[0] as Customer;
    // JSON.stringify writes the lone surrogate as the escape `\ud800`: valid JSON, as a client sends it.
    // Before, the body reader let the file's link and type through as they came (no schema mended them).
    const file = { url: 'https://files.example.com/a\ud800.pdf', mimeType: 'application/pdf\udc00' };
    const sent = await api('POST', `/api/conversations/${customer.openConversationId}/replies`, {
      text: 'Done \ud800 ok',
      attachments: [file],
    });
    expect(sent.status).toBe(202);
    await runtime.idle();
    const mended = { url: 'https://files.example.com/a\ufffd.pdf', mimeType: 'application/pdf\ufffd' };
    const outbox = runtime.outbox.entries().filter((e) => e.message.to.value === '+447700900555');
    expect(outbox.map((e) => [e.message.text, e.message.attachments])).toEqual([
      ['Done \ufffd ok', [expect.objectContaining(mended)]],
    ]);
    const timeline = (await (await api('GET', `/api/customers/${customer.id}/timeline`)).json()) as {
      items: TimelineItem[];
    };
    const replies = timeline.items.filter((i) => i.direction === 'outbound');
    expect(replies.map((i) => [i.text, i.data?.attachments])).toEqual([
      ['Done \ufffd ok', [expect.objectContaining(mended)]],
    ]);
  });
});
