import { describe, expect, it } from 'vitest';
import { MAX_TEXT_BYTES } from '#shared/channels/bounded-envelope.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { deliver, messengerMessage, signedMeta, whatsappText } from '../support/webhooks.js';

const SECRET = 'oversized-event-secret';
const TOKEN = agentToken('oversized-event-agent');
const PAGE = '1000001';

/**
 * One event of a batch with a text far longer than any Meta product sends (600,000 characters, a body
 * well under MAX_BODY_BYTES): the batch is taken (200), the other customer's message is kept, and the
 * long one too, its text cut with a mark. Before, the body was answered 413 (the envelope was too large
 * for SQS), the other customer's message was lost with it, and Meta sent the batch again forever.
 */
describe('local runtime: one over-long text in a webhook batch is cut, not the batch lost', () => {
  const runtime = useTestRuntime({
    env: { META_APP_SECRET: SECRET, AGENT_TOKENS: `agent-o:${TOKEN}` },
    routing: false,
  });
  const long = `Start ${'words and more '.repeat(40_000)}`.slice(0, 600_000);

  const itemsOf = async (identity: { kind: 'messenger' | 'whatsapp' | 'phone'; value: string }) => {
    const id = await runtime.store.customers.findCustomerId(identity, { consistent: true });
    if (!id) return [];
    const res = await fetch(`${runtime.url}/api/customers/${id}/timeline`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return ((await res.json()) as { items: TimelineItem[] }).items;
  };

  it('Messenger: both messages kept, the long one cut with a mark', async () => {
    const ms = Date.now();
    const a = messengerMessage({
      page: PAGE,
      psid: '7100000000000001',
      ms,
      message: { mid: 'm_A1', text: 'Where is my order?' },
    });
    const b = messengerMessage({
      page: PAGE,
      psid: '7100000000000002',
      ms,
      message: { mid: 'm_B1', text: long },
    });
    const body = {
      object: 'page',
      entry: [...(a as { entry: unknown[] }).entry, ...(b as { entry: unknown[] }).entry],
    };
    const res = await deliver(signedMeta(runtime.url, '/webhooks/meta', body, SECRET));
    expect(res.status).toBe(200);
    await runtime.idle();
    const [first] = await itemsOf({ kind: 'messenger', value: `${PAGE}:7100000000000001` });
    expect(first?.text).toBe('Where is my order?');
    const [cut] = await itemsOf({ kind: 'messenger', value: `${PAGE}:7100000000000002` });
    expect(cut?.text?.startsWith('Start words and more')).toBe(true);
    expect(cut?.text?.endsWith('…')).toBe(true);
    expect(Buffer.byteLength(cut?.text ?? '', 'utf8')).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    expect(cut?.data).toMatchObject({ truncated: true, truncatedFields: ['text'], textLength: 600_000 });
  });

  it('WhatsApp: the same', async () => {
    const at = new Date().toISOString();
    const body = whatsappText({
      from: '447700900801',
      messages: [{ id: 'wamid.LONG1', at, text: long }],
    });
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRET));
    expect(res.status).toBe(200);
    await runtime.idle();
    const [cut] = await itemsOf({ kind: 'phone', value: '+447700900801' });
    expect(cut?.text?.endsWith('…')).toBe(true);
    expect(cut?.data).toMatchObject({ truncated: true, truncatedFields: ['text'] });
  });
});
