import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { Keys } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { inspectionClient } from '../support/table-snapshot.js';

const MINUTE = 60_000;

/** A policy with auto-resolve after an hour and a survey 5 minutes after each resolve (`aiOnly` as given). */
const policyFile = (aiOnly?: boolean) =>
  slaPolicyFile({ aiRepliesCount: false }, (policy) => {
    policy.autoResolve = { after: 'PT1H' };
    policy.csat = {
      enabled: true,
      delay: 'PT5M',
      question: 'How did we do?',
      ...(aiOnly === undefined ? {} : { aiOnly }),
    };
  });

function surveyChecks(clock: ReturnType<typeof useClockRuntime>) {
  const surveys = (conversationId: string) =>
    clock.runtime.outbox
      .entries()
      .filter((e) => e.message.author.id === 'csat' && e.message.conversationId === conversationId);
  const skips = async (customerId: string) => {
    const page = await clock.api<{ items: TimelineItem[] }>('GET', `/api/customers/${customerId}/timeline`);
    return page.items.flatMap((i) =>
      i.type === 'event' && i.event === 'csat_skipped' ? [(i.data as { reason: string }).reason] : [],
    );
  };
  /** The customer's first message (its id from their number) opens their conversation. */
  const open = async (from: string, text: string) => {
    await clock.whatsapp({ from, id: `wamid.who-${from}`, text });
    const found = await clock.api<{ items: Customer[] }>('GET', `/api/customers?q=%2B${from}`);
    const customer = found.items[0] as Customer;
    return { customer, conversationId: customer.openConversationId as string };
  };
  /** An agent answers (unless `answer` is undefined), then resolves; the survey's delay passes. */
  const resolve = async (conversationId: string, answer?: string) => {
    if (answer !== undefined) {
      const reply = await clock.call('POST', `/api/conversations/${conversationId}/replies`, {
        text: answer,
      });
      expect(reply.status).toBe(202);
      await clock.idle();
    }
    await clock.api('POST', `/api/conversations/${conversationId}/resolve`);
    await clock.idle();
    await clock.advance(6 * MINUTE);
  };
  return { surveys, skips, open, resolve };
}

/**
 * A survey asks about the service someone gave: none for a conversation nobody answered, none (by
 * default) for one only the AI answered; one when an agent answered. Each skip says why on the timeline.
 */
describe('CSAT: only after an answer (default policy)', () => {
  const clock = useClockRuntime({
    metaSecret: 'csat-who-secret',
    agent: { token: agentToken('csat-who-ana'), admin: true },
    routing: true,
    policyFile: policyFile(),
  });
  const { surveys, skips, open, resolve } = surveyChecks(clock);

  it('sends no survey for a conversation resolved without any answer, and says why', async () => {
    const { customer, conversationId } = await open('447700900711', 'I need a human please');
    await resolve(conversationId);
    await clock.advance(6 * MINUTE);
    expect(surveys(conversationId)).toHaveLength(0);
    expect(await skips(customer.id)).toEqual(['unanswered']);
  });

  it('sends no survey for a conversation only the AI answered, auto-resolved', async () => {
    const { customer, conversationId } = await open('447700900712', 'How long does shipping take?');
    for (let i = 0; i < 14; i++) await clock.advance(5 * MINUTE);
    const conversation = await clock.api<{ status: string }>('GET', `/api/conversations/${conversationId}`);
    expect(conversation.status).toBe('resolved');
    expect(surveys(conversationId)).toHaveLength(0);
    expect(await skips(customer.id)).toEqual(['ai_only']);
  });

  it('surveys a conversation an agent answered', async () => {
    const { customer, conversationId } = await open('447700900713', 'I need a human about my order');
    await resolve(conversationId, 'On its way.');
    expect(surveys(conversationId)).toHaveLength(1);
    expect(await skips(customer.id)).toEqual([]);
  });

  // QA: turning surveys on skipped every conversation answered before ("nobody answered the customer"):
  // who answered is written only while surveys are on. The reply's time (`answeredAt`) says it was answered.
  it('surveys a conversation answered before surveys were on (no answeredBy, its answeredAt)', async () => {
    const { customer, conversationId } = await open('447700900715', 'I need a human about a return');
    await clock.advance(MINUTE);
    const reply = await clock.call('POST', `/api/conversations/${conversationId}/replies`, {
      text: 'Send it back.',
    });
    expect(reply.status).toBe(202);
    await clock.idle();
    // As surveys off left it: the reply's time, no one named.
    const doc = documentClient(inspectionClient(clock.runtime.dynamoEndpoint));
    await doc.update({
      TableName: loadConfig({}).TABLE_NAME,
      Key: Keys.conversation(conversationId),
      UpdateExpression: 'REMOVE answeredBy',
    });
    await resolve(conversationId);
    expect(surveys(conversationId)).toHaveLength(1);
    expect(await skips(customer.id)).toEqual([]);
  });

  it('asks again after a reopen only when that episode was answered', async () => {
    const { customer, conversationId } = await open('447700900714', 'I need a human about a refund');
    await resolve(conversationId, 'Refunded.');
    expect(surveys(conversationId)).toHaveLength(1);
    await clock.api('POST', `/api/conversations/${conversationId}/reopen`);
    await clock.idle();
    await resolve(conversationId);
    expect(surveys(conversationId)).toHaveLength(1);
    expect(await skips(customer.id)).toEqual(['unanswered']);
  });
});

describe('CSAT: `aiOnly: true` surveys what only the AI answered', () => {
  const clock = useClockRuntime({
    metaSecret: 'csat-who-ai-secret',
    agent: { token: agentToken('csat-who-ai-ana'), admin: true },
    routing: true,
    policyFile: policyFile(true),
  });
  const { surveys, skips, open, resolve } = surveyChecks(clock);

  it('surveys an AI-only conversation, but still none nobody answered', async () => {
    const ai = await open('447700900721', 'How long does shipping take?');
    await resolve(ai.conversationId);
    expect(surveys(ai.conversationId)).toHaveLength(1);
    const none = await open('447700900722', 'I need a human please');
    await resolve(none.conversationId);
    expect(surveys(none.conversationId)).toHaveLength(0);
    expect(await skips(none.customer.id)).toEqual(['unanswered']);
  });
});
