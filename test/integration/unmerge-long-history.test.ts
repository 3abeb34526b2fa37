import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { writeTimelineItems } from '../support/seed-timeline.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const TOKEN = 'unmerge-long-history-admin-token';
/** More items than the unmerge's newest-first lookback (100) reads. */
const HISTORY = 150;

/**
 * Two WhatsApp customers on two phones (each holds an address on WhatsApp), merged, then unmerged, when
 * the kept customer's own WhatsApp message is more than 100 items back on its timeline. QA: the kept
 * customer lost WhatsApp from its channels, and its WhatsApp time with it (its reply window read closed),
 * because the unmerge looked for its own message only among its last 100 items.
 */
describe('local runtime: an unmerge keeps the kept customer its own channel however far back', () => {
  let runtime: LocalRuntime;
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `admin-long:${TOKEN}:admin` },
      manualTime: manual,
    });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const api = agentCaller(() => runtime.url, TOKEN);
  const reads = customerReads(api);
  const profile = (id: string) => api<Customer>('GET', `/api/customers/${id}`);
  const tick = (ms = 1000) => {
    manual.advance(ms);
    return new Date(manual.now()).toISOString();
  };
  const whatsapp = async (from: string, id: string) => {
    const at = tick();
    const body = whatsappText({ from, messages: [{ id, at, text: `WhatsApp ${id}` }] });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status).toBe(
      200,
    );
    await runtime.idle();
    return at;
  };
  /** `HISTORY` notes on the customer's timeline, ten seconds apart from now on (25 minutes: past the profile's 15-minute granularity): a long history since. */
  const longHistory = async (customerId: string) => {
    const start = manual.now();
    const notes: TimelineItem[] = Array.from({ length: HISTORY }, (_, i) => ({
      id: `note:long:${customerId}:${i}`,
      type: 'note',
      customerId,
      at: new Date(start + (i + 1) * 10_000).toISOString(),
      text: `Note ${i}`,
    }));
    await writeTimelineItems(runtime, notes);
    tick((HISTORY + 1) * 10_000);
  };
  const merge = async (kept: string, other: string) => {
    tick();
    await api('POST', `/api/customers/${kept}/merge`, { customerId: other });
    await runtime.idle();
  };
  const unmerge = async (kept: string, other: string) => {
    tick();
    await api('POST', `/api/customers/${kept}/unmerge`, { customerId: other });
    await runtime.idle();
  };

  it('keeps its channel and time from before the merge when the source wrote on it later', async () => {
    const ownAt = await whatsapp('14155550801', 'wamid.long-1');
    const kept = await reads.find('+14155550801');
    await longHistory(kept.id);
    await whatsapp('14155550802', 'wamid.long-2');
    const other = await reads.find('+14155550802');
    await merge(kept.id, other.id);
    // The source writes while merged: the kept customer's WhatsApp time is now the source's.
    const sourceAt = await whatsapp('14155550802', 'wamid.long-3');
    expect((await profile(kept.id)).lastInboundByChannel.whatsapp).toBe(sourceAt);
    await unmerge(kept.id, other.id);
    const after = await profile(kept.id);
    expect(after.channels).toEqual(['whatsapp']);
    expect(after.lastInboundByChannel).toEqual({ whatsapp: ownAt });
    expect(after).toMatchObject({ lastInboundChannel: 'whatsapp', lastInboundAt: ownAt });
    expect((await profile(other.id)).lastInboundByChannel).toEqual({ whatsapp: sourceAt });
  });

  it('keeps its own message of while merged, later than the source, as its time', async () => {
    await whatsapp('14155550803', 'wamid.long-4');
    const kept = await reads.find('+14155550803');
    const sourceAt = await whatsapp('14155550804', 'wamid.long-5');
    const other = await reads.find('+14155550804');
    await merge(kept.id, other.id);
    // Twenty minutes on (past the profile's 15-minute granularity), the kept customer writes again.
    tick(20 * 60_000);
    const ownAt = await whatsapp('14155550803', 'wamid.long-6');
    expect((await profile(kept.id)).lastInboundByChannel.whatsapp).toBe(ownAt);
    await longHistory(kept.id);
    await unmerge(kept.id, other.id);
    const after = await profile(kept.id);
    expect(after.channels).toEqual(['whatsapp']);
    expect(after.lastInboundByChannel).toEqual({ whatsapp: ownAt });
    expect(after).toMatchObject({ lastInboundChannel: 'whatsapp', lastInboundAt: ownAt });
    expect((await profile(other.id)).lastInboundByChannel).toEqual({ whatsapp: sourceAt });
  });
});
