import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { meterClient } from '../support/capacity-meter.js';
import { stillTimers } from '../support/manual-timers.js';
import { newCustomer, type PipelineProbe, sendWhatsApp } from '../support/pipeline-cost.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const TOKEN = agentToken('timeline-resume-token');

type Page = { items: TimelineItem[]; cursor: string | null; resume?: string | null };

/**
 * An integrator tailing a customer's timeline oldest first: the last page answers `cursor: null` (no
 * more now, as every list does) and `resume`, a cursor after its last item, which read later answers
 * what was added since, and nothing read before. Before, the last page gave no place to carry on from:
 * the integrator read the whole timeline again.
 */
describe('local runtime: a customer timeline read oldest first, resumed later', () => {
  let runtime: LocalRuntime;
  let probe: PipelineProbe;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `agent-resume:${TOKEN}` },
      timers: stillTimers(),
      dynamoClient: (c) => {
        probe = { runtime, meter: meterClient(c), metaSecret: SECRETS.meta, table: 'threadline' };
        return c;
      },
    });
    probe.runtime = runtime;
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  const read = async (customerId: string, query: Record<string, string>) => {
    const res = await fetch(
      `${runtime.url}/api/customers/${customerId}/timeline?${new URLSearchParams(query)}`,
      { headers: { authorization: `Bearer ${TOKEN}` } },
    );
    expect(res.status).toBe(200);
    return (await res.json()) as Page;
  };
  /** Every page from `cursor` on (none: the start); the items, and the last page's `resume`. */
  const readToEnd = async (customerId: string, from?: string) => {
    const items: TimelineItem[] = [];
    let page = await read(customerId, { limit: '2', ...(from ? { cursor: from } : {}) });
    items.push(...page.items);
    while (page.cursor) {
      // Every page carries `resume`; before the last it is the page's own cursor.
      expect(page.resume).toBe(page.cursor);
      page = await read(customerId, { limit: '2', cursor: page.cursor });
      items.push(...page.items);
    }
    return { items, resume: page.resume };
  };

  it('answers on the last page a cursor that reads, later, only the items added since', async () => {
    const customer = await newCustomer(probe, '447700900411', 'First question');
    await sendWhatsApp(probe, customer.phone, 'Second question');
    const first = await readToEnd(customer.customerId);
    expect(first.items.map((i) => i.text)).toEqual(
      expect.arrayContaining(['First question', 'Second question']),
    );
    expect(first.resume).toEqual(expect.any(String));

    // Nothing added: the resume point answers an empty page, no more, and the same place to resume.
    const quiet = await read(customer.customerId, { cursor: first.resume as string });
    expect(quiet).toEqual({ items: [], cursor: null, resume: first.resume });

    await sendWhatsApp(probe, customer.phone, 'Third question');
    const later = await readToEnd(customer.customerId, first.resume as string);
    const seen = new Set(first.items.map((i) => i.id));
    expect(later.items.map((i) => i.text)).toContain('Third question');
    expect(later.items.filter((i) => seen.has(i.id))).toEqual([]);
    // Together, what a read from the start answers now.
    const all = await readToEnd(customer.customerId);
    expect([...first.items, ...later.items].map((i) => i.id)).toEqual(all.items.map((i) => i.id));
    expect(later.resume).toBe(all.resume);
  }, 60_000);

  it('resumes with a message of the last second read that came later, and pages in one order whatever the size', async () => {
    const waId = '447700900413';
    const second = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000).toISOString();
    const whatsapp = async (id: string) => {
      const body = whatsappText({ from: waId, messages: [{ id, at: second, text: `text ${id}` }] });
      expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status).toBe(
        200,
      );
      await runtime.idle();
    };
    // One second, in this order; their ids sort otherwise.
    for (const id of ['wamid.T5', 'wamid.T10', 'wamid.T25']) await whatsapp(id);
    const customerId = await runtime.store.customers.findCustomerId(
      { kind: 'phone', value: `+${waId}` },
      { consistent: true },
    );
    if (!customerId) throw new Error('no customer');
    const first = await read(customerId, { limit: '200' });
    expect(first.cursor).toBeNull();
    // Then a message of the same second, whose id sorts before every other.
    await whatsapp('wamid.A0');
    const later = await read(customerId, { cursor: first.resume as string });
    expect(later.items.map((i) => i.providerMessageId)).toEqual(['wamid.A0']);
    const whole = (await read(customerId, { limit: '200' })).items.map((i) => i.id);
    expect([...first.items, ...later.items].map((i) => i.id)).toEqual(whole);
    for (const limit of ['1', '2', '3']) {
      const paged: string[] = [];
      let page = await read(customerId, { limit });
      paged.push(...page.items.map((i) => i.id));
      while (page.cursor) {
        page = await read(customerId, { limit, cursor: page.cursor });
        paged.push(...page.items.map((i) => i.id));
      }
      expect(paged, `limit ${limit}`).toEqual(whole);
    }
  }, 60_000);

  it('answers a resume point on a one-page timeline, and none for order=newest (its first page shows what is new)', async () => {
    const customer = await newCustomer(probe, '447700900412', 'Hello');
    const newest = await read(customer.customerId, { order: 'newest' });
    expect(newest.resume).toBeUndefined();
    const oldest = await read(customer.customerId, {});
    expect(oldest.cursor).toBeNull();
    expect(oldest.resume).toEqual(expect.any(String));
  }, 60_000);
});
