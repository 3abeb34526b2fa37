import { describe, expect, it } from 'vitest';
import type { Suggestion } from '#shared/domain/suggestions.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { stillTimers } from '../support/manual-timers.js';
import { failVerdicts, receiveSes } from '../support/ses-mail.js';
import { runtimeMeter, useTestRuntime } from '../support/test-runtime.js';
import { sesReceived } from '../support/webhooks.js';

const TOKEN = agentToken('thread-suggestion-agent-token');
const PAT = 'pat.thread@acme.example';
const LEE = 'lee.thread@acme.example';
const KAY = 'kay.thread@acme.example';
const MAL = 'mal.thread@acme.example';
const OOO = 'ooo.thread@acme.example';

/**
 * A customer writes with a colleague in Cc, we answer, and the colleague answers all in our thread
 * (In-Reply-To names our reply's Message-ID). The colleague is not the customer: their mail stays
 * their own, but the two customers get a merge suggestion with that evidence. QA: the reply became a
 * brand-new customer with no link to the conversation it answered.
 */
describe('mail in the thread of another customer’s conversation', () => {
  const meter = runtimeMeter();
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-thread-suggestion:${TOKEN}` },
    timers: stillTimers(),
    dynamoClient: meter.dynamoClient,
  });
  const start = Date.now() - 120_000;
  const at = (seconds: number) => new Date(start + seconds * 1000).toISOString();

  const api = agentCaller(() => runtime.url, TOKEN);
  const reads = customerReads(api);
  const suggestionsOf = async (customerId: string) =>
    (await api<{ items: Suggestion[] }>('GET', `/api/customers/${customerId}/suggestions`)).items;
  const email = async (
    sesId: string,
    seconds: number,
    options: { from: string; inReplyTo?: string; cc?: string; spoofed?: boolean; headers?: string[] },
  ) => {
    const notification = sesReceived({
      sesId,
      at: at(seconds),
      from: options.from,
      messageId: `<${sesId}@acme.example>`,
      subject: 'Bulk order 40 chairs',
      text: `Message ${sesId}`,
      ...(options.inReplyTo ? { inReplyTo: options.inReplyTo } : {}),
      headers: [...(options.cc ? [`Cc: ${options.cc}`] : []), ...(options.headers ?? [])],
    });
    if (options.spoofed) failVerdicts(notification, 'none');
    meter.reset();
    await receiveSes(runtime, notification, { snsId: `sns-${sesId}`, at: at(seconds) });
    return meter.figures();
  };

  it('suggests merging the two customers, keeps the mail the sender’s own, and costs two writes', async () => {
    await email('pat-1', 0, { from: `Pat <${PAT}>`, cc: `Lee <${LEE}>` });
    const pat = await reads.find(PAT);
    const conversationId = pat.openConversationId as string;
    await api('POST', `/api/conversations/${conversationId}/replies`, { text: 'Quote: $4000.' });
    await runtime.idle();
    const ours = runtime.outbox.entries().find((e) => e.message.text === 'Quote: $4000.')?.message;
    const ourMessageId = `<${ours?.id}@outbox.threadline.local>`;

    // A colleague with no earlier mail answers all: same reads as a stranger naming an unknown thread.
    const stranger = await email('kay-1', 10, { from: `Kay <${KAY}>`, inReplyTo: '<unknown@acme.example>' });
    const colleague = await email('lee-1', 20, {
      from: `Lee <${LEE}>`,
      inReplyTo: ourMessageId,
      cc: `Pat <${PAT}>`,
    });
    expect(colleague.calls - stranger.calls).toBe(2);
    expect((colleague.byCommand.UpdateItemCommand ?? 0) - (stranger.byCommand.UpdateItemCommand ?? 0)).toBe(
      2,
    );

    const lee = await reads.find(LEE);
    expect(lee.id).not.toBe(pat.id);
    const leeItem = (await reads.timeline(lee.id)).find((i) => i.id === 'email:lee-1');
    expect(leeItem?.conversationId).not.toBe(conversationId);
    expect(leeItem?.data?.ccAddresses).toEqual([PAT]);
    expect((await reads.timeline(pat.id)).map((i) => i.id)).not.toContain('email:lee-1');
    expect((await reads.timeline(pat.id)).find((i) => i.id === 'email:pat-1')?.data?.ccAddresses).toEqual([
      LEE,
    ]);

    const evidence = {
      id: 'ses:msg:lee-1#thread',
      identity: { kind: 'email', value: LEE },
      reason: 'same_thread',
      conversationId,
      envelopeId: 'ses:msg:lee-1',
    };
    for (const [customerId, otherId] of [
      [pat.id, lee.id],
      [lee.id, pat.id],
    ]) {
      const suggestions = await suggestionsOf(customerId as string);
      expect(suggestions).toHaveLength(1);
      expect(suggestions[0]).toMatchObject({ otherId, status: 'open' });
      expect(suggestions[0]?.evidence).toEqual([expect.objectContaining(evidence)]);
    }
    // Nothing was merged.
    expect((await reads.find(PAT)).id).toBe(pat.id);
    expect((await reads.find(LEE)).id).toBe(lee.id);

    // Redelivered: the same evidence, once.
    await email('lee-1', 20, { from: `Lee <${LEE}>`, inReplyTo: ourMessageId, cc: `Pat <${PAT}>` });
    expect((await suggestionsOf(pat.id))[0]?.evidence).toHaveLength(1);
    expect((await suggestionsOf(pat.id))[0]?.moreEvidence).toBeUndefined();
  });

  it('raises nothing for mail nothing vouches for', async () => {
    const pat = await reads.find(PAT);
    await email('mal-1', 30, { from: `Mal <${MAL}>`, inReplyTo: '<pat-1@acme.example>', spoofed: true });
    const suggestions = await suggestionsOf(pat.id);
    expect(suggestions.flatMap((s) => s.evidence.map((e) => e.envelopeId))).not.toContain('ses:msg:mal-1');
  });

  it('raises nothing for an out-of-office answering in the thread', async () => {
    const pat = await reads.find(PAT);
    await email('ooo-1', 40, {
      from: `Olly <${OOO}>`,
      inReplyTo: '<pat-1@acme.example>',
      headers: ['Auto-Submitted: auto-replied'],
    });
    const olly = await reads.find(OOO);
    expect(olly.id).not.toBe(pat.id);
    expect(await suggestionsOf(olly.id as string)).toEqual([]);
  });
});
