import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { deliver, signedMeta, whatsappText } from './webhooks.js';

/**
 * An agent of a local runtime and its outbox: the agent API with their token, a WhatsApp customer's
 * first message (signed with `secret`), the customer's reply as the timeline shows it, and how often
 * a text reached the outbox (`dataDir`'s outbox.jsonl: the local provider's acceptance).
 */
export function outboxAgent(options: {
  url: () => string;
  token: string;
  secret: string;
  dataDir: () => string;
  /** The runtime's time, in ms (a test may run it ahead of the process's). */
  now?: () => number;
}) {
  const now = options.now ?? Date.now;
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${options.url()}${path}`, {
      method,
      headers: { Authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const outboxLines = (text: string) =>
    readFileSync(join(options.dataDir(), 'outbox.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.includes(text)).length;
  /** A customer's open WhatsApp conversation, and their id; `settle` waits for the runtime's queues. */
  const conversationOf = async (from: string, settle: () => Promise<void> | undefined) => {
    const at = new Date(now() - 60_000).toISOString();
    const payload = whatsappText({ from, name: 'Ana', messages: [{ id: `wamid.${from}`, at, text: 'Hi' }] });
    expect(
      (await deliver(signedMeta(options.url(), '/webhooks/whatsapp', payload, options.secret))).status,
    ).toBe(200);
    await settle();
    const found = (await (await api('GET', `/api/customers?q=%2B${from}`)).json()) as { items: Customer[] };
    const customer = found.items[0] as Customer;
    return { customerId: customer.id, conversationId: customer.openConversationId as string };
  };
  const replyOf = async (customerId: string, text: string) => {
    const timeline = (await (await api('GET', `/api/customers/${customerId}/timeline`)).json()) as {
      items: TimelineItem[];
    };
    return timeline.items.find((item) => item.text === text);
  };
  return { api, outboxLines, conversationOf, replyOf };
}
