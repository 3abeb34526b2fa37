import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { type LocalRuntime, startLocalRuntime } from '#shared/local/runtime.js';
import { whatsappBody } from '../support/webhooks.js';

const SECRET = 'replies-meta-secret';
const AGENT = 'replies-agent-token';

/** A WhatsApp Cloud API webhook body with one change value. */
function whatsapp(value: Record<string, unknown>): string {
  return JSON.stringify(whatsappBody(value));
}

describe('local runtime: an agent replies on WhatsApp and the statuses come back', () => {
  let dataDir: string;
  let runtime: LocalRuntime;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-replies-'));
    runtime = await startLocalRuntime({
      config: loadConfig({
        PORT: '0',
        DATA_DIR: dataDir,
        META_APP_SECRET: SECRET,
        META_VERIFY_TOKEN: 'v',
        TWILIO_AUTH_TOKEN: 't',
        AGENT_TOKENS: `agent-ana:${AGENT}`,
      }),
      persist: false,
      queue: { visibilityTimeoutMs: 1000, pollIntervalMs: 5 },
    });
  });

  afterAll(async () => {
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const hook = async (body: string) => {
    const res = await fetch(`${runtime.url}/webhooks/whatsapp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
      body,
    });
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
      whatsapp({
        contacts: [{ profile: { name: 'Ana' }, wa_id: '447700900123' }],
        messages: [
          {
            from: '447700900123',
            id: 'wamid.ANA1',
            timestamp: String(Math.floor(Date.now() / 1000) - 120),
            type: 'text',
            text: { body: 'Can I change my delivery address?' },
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
    await runtime.idle();
    const outbox = runtime.outbox.entries();
    expect(outbox.map((e) => [e.message.channel, e.message.to.value, e.message.text])).toEqual([
      ['whatsapp', '+447700900123', 'Yes: reply with the new one.'],
    ]);
    const wamid = outbox[0]?.providerMessageId as string;

    // The provider's callbacks, out of order: read before delivered.
    const stamp = String(Math.floor(Date.now() / 1000));
    await hook(
      whatsapp({ statuses: [{ id: wamid, status: 'read', timestamp: stamp, recipient_id: '447700900123' }] }),
    );
    await hook(
      whatsapp({
        statuses: [{ id: wamid, status: 'delivered', timestamp: stamp, recipient_id: '447700900123' }],
      }),
    );
    const timeline = (await (
      await api('GET', `/api/customers/${customers.items[0]?.id}/timeline`)
    ).json()) as {
      items: TimelineItem[];
    };
    expect(timeline.items.map((i) => [i.direction, i.status ?? null, i.providerMessageId ?? null])).toEqual([
      ['inbound', null, 'wamid.ANA1'],
      ['outbound', 'read', wamid],
    ]);
  });

  it('refuses a WhatsApp reply outside the 24-hour window without a template, saying what to do', async () => {
    await hook(
      whatsapp({
        contacts: [{ profile: { name: 'Old' }, wa_id: '447700900999' }],
        messages: [
          {
            from: '447700900999',
            id: 'wamid.OLD1',
            timestamp: String(Math.floor(Date.now() / 1000) - 3 * 86_400),
            type: 'text',
            text: { body: 'Hello from three days ago' },
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
    const templated = await api('POST', `/api/conversations/${conversationId}/replies`, {
      template: { name: 'order_update', language: 'en_GB', parameters: ['Old'] },
    });
    expect(templated.status).toBe(202);
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
    expect(mine.items.map((c) => c.id)).toEqual([conversationId]);
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
      whatsapp({
        contacts: [{ profile: { name: 'Ana' }, wa_id: '447700900123' }],
        messages: [
          {
            from: '447700900123',
            id: 'wamid.ANA2',
            timestamp: String(Math.floor(Date.now() / 1000) + 1),
            type: 'text',
            text: { body: 'One more thing' },
          },
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
  });
});
