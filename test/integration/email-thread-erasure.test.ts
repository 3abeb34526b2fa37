import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { privacyRepository } from '#shared/store/privacy-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { deliver, sesReceived, signedSes, snsNotification } from '../support/webhooks.js';

const TOKEN = agentToken('thread-erasure-admin-token');
const EVE = 'eve.erased@acme.example';
const IDA = 'ida.erased@acme.example';

/**
 * A customer we answered by email is erased, then writes again in the thread of our answer. The
 * thread link of our reply (keyed on the Message-ID we wrote) went with the erasure, so the new mail
 * names nobody: no merge suggestion with the erased customer, nothing written under their id. QA: the
 * link outlived the erasure, and the new mail put a `same_thread` suggestion, the person's address as
 * its evidence, back in the erased customer's partition.
 */
describe('email threads of an erased customer', () => {
  let runtime: LocalRuntime;
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `admin-thread-erasure:${TOKEN}:admin` },
      manualTime: manual,
    });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const api = agentCaller(() => runtime.url, TOKEN);
  const reads = customerReads(api);
  const email = async (sesId: string, inReplyTo?: string, address = EVE) => {
    manual.advance(1000);
    const at = new Date(manual.now()).toISOString();
    const notification = sesReceived({
      sesId,
      at,
      from: `Eve <${address}>`,
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

  it('leaves no thread link to the erased customer, and the next mail in the thread names nobody', async () => {
    await email('eve-1');
    const eve = await reads.find(EVE);
    manual.advance(1000);
    await api('POST', `/api/conversations/${eve.openConversationId}/replies`, { text: 'Refund sent.' });
    await runtime.idle();
    const ours = runtime.outbox.entries().find((e) => e.message.text === 'Refund sent.')?.message;
    const ourMessageId = `<${ours?.id}@outbox.threadline.local>`;

    manual.advance(1000);
    await api('DELETE', `/api/customers/${eve.id}`);
    expect((await naming(eve.id)).map((i) => i.pk)).toEqual([]);

    await email('eve-2', ourMessageId);
    const again = await reads.find(EVE);
    expect(again.id).not.toBe(eve.id);
    expect((await api<{ items: unknown[] }>('GET', `/api/customers/${again.id}/suggestions`)).items).toEqual(
      [],
    );
    expect((await naming(eve.id)).map((i) => i.pk)).toEqual([]);
  });

  /**
   * A heavy customer's erasure takes several calls, and their new mail starts a new customer as soon
   * as their identities are gone. Their thread links go before the identities, so an answer to our
   * email in that time names nobody either. QA: the links went only with the timeline, a later step,
   * and the answer put a `same_thread` suggestion on the customer being erased after its suggestions
   * step had run: it outlived the erasure, naming them beside the person's address.
   */
  it('deletes the thread links before the identities: an answer between two erase calls names nobody', async () => {
    await email('ida-1', undefined, IDA);
    const ida = await reads.find(IDA);
    manual.advance(1000);
    await api('POST', `/api/conversations/${ida.openConversationId}/replies`, { text: 'Refund on its way.' });
    await runtime.idle();
    const ours = runtime.outbox.entries().find((e) => e.message.text === 'Refund on its way.')?.message;

    // The first call of a heavy erasure: it stops after 5 deletes, past the identity (the two thread
    // links, the erased markers of the mail's and the reply's provider references, the identity).
    const client = inspectionClient(runtime.dynamoEndpoint);
    const repos = dynamoRepositories(documentClient(client), 'threadline');
    const first = privacyRepository({ doc: documentClient(client), table: 'threadline' }, repos, {
      deletesPerCall: 5,
    });
    manual.advance(1000);
    expect(
      await first.erase(ida.id, 'admin-thread-erasure', new Date(manual.now()).toISOString()),
    ).toMatchObject({ complete: false });
    client.destroy();
    expect((await naming(ida.id)).some((i) => String(i.pk).startsWith('IDENTITY#'))).toBe(false);

    await email('ida-2', `<${ours?.id}@outbox.threadline.local>`, IDA);
    const again = await reads.find(IDA);
    expect(again.id).not.toBe(ida.id);
    expect(await api('DELETE', `/api/customers/${ida.id}`)).toMatchObject({ complete: true });
    expect((await api<{ items: unknown[] }>('GET', `/api/customers/${again.id}/suggestions`)).items).toEqual(
      [],
    );
    expect((await naming(ida.id)).map((i) => i.pk)).toEqual([]);
  });
});
