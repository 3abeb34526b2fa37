import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelSender, OutboundMessage, SendResult } from '#shared/domain/outbound.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { privacyRepository } from '#shared/store/privacy-repository.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { deliver, sesReceived, signedSes, snsNotification, waitUntil } from '../support/webhooks.js';

const TOKEN = agentToken('mid-erasure-admin-token');
const ADMIN = 'admin-mid-erasure';
const ZOE = 'zoe.midway@acme.example';
const ALEX = 'alex.midway@acme.example';
/** The Message-ID our held reply is sent with: the thread link the send writes is keyed on it. */
const HELD_MESSAGE_ID = '<held-reply@threadline.example>';

/** SES standing in: each send waits for the test to let it go, so an erasure can run in between. */
class HeldEmailSender implements ChannelSender {
  readonly sent: OutboundMessage[] = [];
  #release: (() => void) | undefined;
  readonly #held = new Promise<void>((resolve) => {
    this.#release = resolve;
  });

  async send(message: OutboundMessage): Promise<SendResult> {
    this.sent.push(message);
    await this.#held;
    return { providerMessageId: `ses-${message.id}`, messageIdHeader: HELD_MESSAGE_ID };
  }

  release(): void {
    this.#release?.();
  }
}

/**
 * What reaches a customer between two calls of a heavy erasure (the first call stopped past their
 * identities, the rest not done yet) brings nothing of them back.
 */
describe('between two calls of an erasure', () => {
  let runtime: LocalRuntime;
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  const ses = new HeldEmailSender();

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `${ADMIN}:${TOKEN}:admin` },
      manualTime: manual,
      senders: { email: ses },
    });
  });
  afterAll(async () => {
    ses.release();
    await runtime?.close();
  });

  const api = agentCaller(() => runtime.url, TOKEN);
  const reads = customerReads(api);
  const now = () => new Date(manual.now()).toISOString();
  const email = async (sesId: string, snsId: string, address: string) => {
    const at = now();
    const notification = sesReceived({
      sesId,
      at,
      from: `Someone <${address}>`,
      messageId: `<${sesId}@acme.example>`,
      subject: 'My order',
      text: `Message ${sesId}`,
    });
    const res = await deliver(signedSes(runtime.url, snsNotification(notification, { snsId, at })));
    expect(res.status).toBe(200);
    await runtime.idle();
  };
  const table = async () => {
    const client = inspectionClient(runtime.dynamoEndpoint);
    const items = await scanTable(client, 'threadline');
    client.destroy();
    return items;
  };
  /** Every item of the table that names the customer, but the erasure's own tombstone and audit. */
  const naming = async (customerId: string) =>
    (await table()).filter(
      (item) =>
        item.entity !== 'erased_customer' &&
        !String(item.pk).startsWith('AUDIT') &&
        JSON.stringify(item, (_k, v: unknown) => (v instanceof Set ? [...v] : v)).includes(customerId),
    );
  /** The first call of a heavy erasure, stopped after `deletes` deletes. */
  const eraseInPart = async (customerId: string, deletes: number) => {
    const client = inspectionClient(runtime.dynamoEndpoint);
    const repos = dynamoRepositories(documentClient(client), 'threadline');
    const privacy = privacyRepository({ doc: documentClient(client), table: 'threadline' }, repos, {
      deletesPerCall: deletes,
    });
    const report = await privacy.erase(customerId, ADMIN, now());
    client.destroy();
    return report;
  };

  /**
   * SES delivers a mail again (another SNS message of the same SES id) while the erasure has taken the
   * identities but not yet the timeline. QA: the erased markers were written with the timeline, so the
   * redelivery found no identity and no marker, and started a new customer with the erased mail.
   */
  it('drops an SES redelivery of an erased mail that comes after the identities went', async () => {
    manual.advance(1000);
    await email('zoe-1', 'sns-zoe-1', ZOE);
    const zoe = await reads.find(ZOE);
    manual.advance(1000);
    expect(await eraseInPart(zoe.id, 3)).toMatchObject({ complete: false });
    const left = await naming(zoe.id);
    expect(left.some((i) => String(i.pk).startsWith('IDENTITY#'))).toBe(false);
    // The timeline is still there: the first call stopped before it.
    expect(left.some((i) => String(i.sk).startsWith('TIMELINE#'))).toBe(true);

    manual.advance(1000);
    await email('zoe-1', 'sns-zoe-1-again', ZOE);
    expect(
      (await api<{ items: unknown[] }>('GET', `/api/customers?q=${encodeURIComponent(ZOE)}`)).items,
    ).toEqual([]);
    expect(await api('DELETE', `/api/customers/${zoe.id}`)).toMatchObject({ complete: true });
    expect((await naming(zoe.id)).map((i) => i.pk)).toEqual([]);
    expect(JSON.stringify(await table())).not.toContain('Message zoe-1');
  });

  /**
   * The race: a reply queued before the erasure, its send under way (the sender found the customer
   * there), the erasure's first call past its thread-link step, then the provider answers and the
   * sender records the send with the Message-ID it wrote. QA: the thread link that write made named the
   * customer after their links were deleted, and outlived the erasure.
   */
  it('takes back the thread link of a reply whose send the erasure overtook', async () => {
    manual.advance(1000);
    await email('alex-1', 'sns-alex-1', ALEX);
    const alex = await reads.find(ALEX);
    manual.advance(1000);
    await api('POST', `/api/conversations/${alex.openConversationId}/replies`, { text: 'On its way.' });
    await waitUntil(() => ses.sent.length === 1, 'the reply reaches the provider');

    manual.advance(1000);
    expect(await eraseInPart(alex.id, 4)).toMatchObject({ complete: false });
    expect((await naming(alex.id)).some((i) => String(i.pk).startsWith('IDENTITY#'))).toBe(false);
    ses.release();
    await runtime.idle();

    const links = (await table()).filter((item) => item.pk === `MESSAGE#email#${HELD_MESSAGE_ID}`);
    expect(links).toEqual([]);
    expect(await api('DELETE', `/api/customers/${alex.id}`)).toMatchObject({ complete: true });
    expect((await naming(alex.id)).map((i) => i.pk)).toEqual([]);
  });
});
