import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { visitorClient } from '../support/webchat.js';

const AGENT = agentToken('webchat-attachments-agent-token');
const SITE = 'http://shop.example';
const INVOICE = 'https://files.shop.example/invoice-4711.pdf';

type Attachment = { url: string; kind: string; name: string };
type Message = { id: string; author: string; text: string; attachments?: Attachment[] };
type Frame = { type: string; message?: Message };

/**
 * QA: an agent's file in a web-chat reply (an invoice) was dropped, the reply reported `delivered`, and
 * a reply with only the file never showed at all. The visitor now gets each file as a link to open.
 */
describe('files in a web-chat reply', () => {
  const runtime = useTestRuntime({
    webchatLive: true,
    env: { AGENT_TOKENS: `agent-files:${AGENT}`, WEBCHAT_ALLOWED_ORIGINS: SITE },
  });
  const api = agentCaller(() => runtime.url, AGENT);
  const visitor = () => visitorClient(runtime.url, SITE);

  it('shows the visitor each file as a link, live and in the history, with or without text', async () => {
    const { sessionToken } = (await (await visitor().session({ name: 'Ines' })).json()) as {
      sessionToken: string;
    };
    const frames: Frame[] = [];
    const socket = new WebSocket(`${runtime.url.replace('http', 'ws')}/webchat/live?session=${sessionToken}`);
    socket.on('message', (data) => frames.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));
    await visitor().send(sessionToken, 'Please send me the invoice');
    await runtime.idle();
    const page = async () =>
      (await (await visitor().history(sessionToken)).json()) as { customerId: string; messages: Message[] };
    const history = async () => (await page()).messages;
    // The conversation by its own id, as the agent sees it (the visitor is shown an opaque one).
    const { customerId } = await page();
    const conversationId = (await api<{ openConversationId: string }>('GET', `/api/customers/${customerId}`))
      .openConversationId;

    const file = {
      url: INVOICE,
      kind: 'document',
      filename: 'invoice-4711.pdf',
      mimeType: 'application/pdf',
    };
    await api('POST', `/api/conversations/${conversationId}/replies`, { attachments: [file] });
    await api('POST', `/api/conversations/${conversationId}/replies`, {
      text: 'Here is your invoice:',
      attachments: [{ url: INVOICE, kind: 'document' }],
    });
    await runtime.idle();
    const replies = (await history()).filter((m) => m.author === 'agent');
    expect(replies.map((m) => [m.text, m.attachments])).toEqual([
      ['', [{ url: INVOICE, kind: 'document', name: 'invoice-4711.pdf' }]],
      ['Here is your invoice:', [{ url: INVOICE, kind: 'document', name: 'invoice-4711.pdf' }]],
    ]);
    await expect
      .poll(() => frames.filter((f) => f.message?.attachments?.[0]?.url === INVOICE).length, {
        timeout: 30_000,
      })
      .toBeGreaterThanOrEqual(2);
    socket.close();
  });

  it('refuses a file the visitor could not open safely: only https links', async () => {
    const { sessionToken } = (await (await visitor().session({})).json()) as { sessionToken: string };
    await visitor().send(sessionToken, 'hello');
    await runtime.idle();
    const history = (await (await visitor().history(sessionToken)).json()) as { customerId: string };
    const customer = await api<{ openConversationId: string }>('GET', `/api/customers/${history.customerId}`);
    const res = await fetch(`${runtime.url}/api/conversations/${customer.openConversationId}/replies`, {
      method: 'POST',
      headers: { authorization: `Bearer ${AGENT}`, 'content-type': 'application/json' },
      body: JSON.stringify({ attachments: [{ url: 'http://files.shop.example/a.pdf', kind: 'file' }] }),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'webchat_attachment_not_https',
    );
  });
});
