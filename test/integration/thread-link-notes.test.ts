import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { noteThreadLinks } from '#shared/store/thread-link-notes.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { deliver, sesReceived, signedSes, snsNotification } from '../support/webhooks.js';

const TOKEN = agentToken('thread-notes-admin-token');

/**
 * Replies sent before replies kept the Message-ID we wrote (`messageIdHeader`) leave their thread link
 * through an erasure: nothing the erasure walks names it. The upgrade's one-off `note-thread-links`
 * notes each link under the customer it names (or deletes it when that customer is already erased),
 * and the erasure deletes the noted links. A reply "from before" is made here by taking
 * `messageIdHeader` off the reply's item, as that version wrote it.
 */
describe('note-thread-links: thread links of replies sent before they kept their Message-ID', () => {
  let runtime: LocalRuntime;
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `admin-thread-notes:${TOKEN}:admin` },
      manualTime: manual,
    });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const api = agentCaller(() => runtime.url, TOKEN);
  const reads = customerReads(api);
  const email = async (from: string, sesId: string, inReplyTo?: string) => {
    manual.advance(1000);
    const at = new Date(manual.now()).toISOString();
    const notification = sesReceived({
      sesId,
      at,
      from,
      messageId: `<${sesId}@acme.example>`,
      subject: 'Refund',
      text: `Message ${sesId}`,
      ...(inReplyTo ? { inReplyTo } : {}),
    });
    const res = await deliver(
      signedSes(runtime.url, snsNotification(notification, { snsId: `sns-${sesId}`, at })),
    );
    expect(res.status).toBe(200);
    await runtime.idle();
  };
  const inspect = async <T>(use: (doc: ReturnType<typeof documentClient>) => Promise<T>): Promise<T> => {
    const client = inspectionClient(runtime.dynamoEndpoint);
    try {
      return await use(documentClient(client));
    } finally {
      client.destroy();
    }
  };
  /** Every item of the table that names the customer, but the erasure's own tombstone and audit. */
  const naming = async (customerId: string) => {
    const client = inspectionClient(runtime.dynamoEndpoint);
    const items = await scanTable(client, 'threadline');
    client.destroy();
    return items.filter(
      (item) =>
        item.entity !== 'erased_customer' &&
        !String(item.pk).startsWith('AUDIT') &&
        JSON.stringify(item, (_k, v: unknown) => (v instanceof Set ? [...v] : v)).includes(customerId),
    );
  };
  /** An agent's email reply to the customer, as a version before `messageIdHeader` kept it: its Message-ID. */
  const oldReply = async (address: string, text: string) => {
    const customer = await reads.find(address);
    manual.advance(1000);
    await api('POST', `/api/conversations/${customer.openConversationId}/replies`, { text });
    await runtime.idle();
    const sent = runtime.outbox.entries().find((e) => e.message.text === text)?.message;
    const messageIdHeader = `<${sent?.id}@outbox.threadline.local>`;
    const item = (await naming(customer.id)).find((i) => i.messageIdHeader === messageIdHeader);
    await inspect((doc) =>
      doc.send(
        new UpdateCommand({
          TableName: 'threadline',
          Key: { pk: item?.pk, sk: item?.sk },
          UpdateExpression: 'REMOVE messageIdHeader',
        }),
      ),
    );
    return { customer, messageIdHeader };
  };
  /** The command's work, page by page from each cursor it gives, as an operator resuming it would. */
  const migrate = async (limit: number) => {
    const totals = { noted: 0, deleted: 0, pages: 0 };
    let from: string | undefined;
    do {
      const done = await inspect((doc) =>
        noteThreadLinks({ doc, table: 'threadline' }, (input) => doc.scan(input), { from, limit, pages: 1 }),
      );
      totals.noted += done.noted;
      totals.deleted += done.deleted;
      totals.pages += done.pages;
      from = done.cursor;
    } while (from);
    return totals;
  };

  it('notes the link under its customer, so their erasure deletes it; a second run notes nothing more', async () => {
    await email('Fay <fay@acme.example>', 'fay-1');
    const { customer: fay, messageIdHeader } = await oldReply('fay@acme.example', 'Refund on its way.');

    const first = await migrate(3);
    expect(first.noted).toBeGreaterThanOrEqual(1);
    expect(first.pages).toBeGreaterThan(1);
    expect(first.deleted).toBe(0);
    expect((await migrate(1000)).noted).toBe(0);

    manual.advance(1000);
    await api('DELETE', `/api/customers/${fay.id}`);
    expect((await naming(fay.id)).map((i) => i.pk)).toEqual([]);

    await email('Fay <fay@acme.example>', 'fay-2', messageIdHeader);
    const again = await reads.find('fay@acme.example');
    expect(again.id).not.toBe(fay.id);
    expect((await api<{ items: unknown[] }>('GET', `/api/customers/${again.id}/suggestions`)).items).toEqual(
      [],
    );
    expect((await naming(fay.id)).map((i) => i.pk)).toEqual([]);
  });

  it("deletes the link an erasure before the upgrade left behind (its customer's tombstone)", async () => {
    await email('Gus <gus@acme.example>', 'gus-1');
    const { customer: gus, messageIdHeader } = await oldReply('gus@acme.example', 'Parcel found.');
    manual.advance(1000);
    await api('DELETE', `/api/customers/${gus.id}`);
    expect((await naming(gus.id)).map((i) => i.pk)).toEqual([`MESSAGE#email#${messageIdHeader}`]);

    expect((await migrate(1000)).deleted).toBe(1);
    expect((await naming(gus.id)).map((i) => i.pk)).toEqual([]);
    expect((await migrate(1000)).deleted).toBe(0);
  });
});
