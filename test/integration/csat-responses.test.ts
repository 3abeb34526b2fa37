import { describe, expect, it } from 'vitest';
import type { CsatResponse } from '#shared/domain/csat/responses.js';
import type { Metrics } from '#shared/domain/metrics.js';
import type { Customer } from '#shared/domain/timeline.js';
import { Keys } from '#shared/store/keys.js';
import { csatAnswerIndexKeys } from '#shared/store/params/csat-answers.js';
import { agentToken } from '../support/agent-token.js';
import { type CapacityMeter, meterClient, seedItems } from '../support/capacity-meter.js';
import { NOON_UTC, useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { inspectionClient } from '../support/table-snapshot.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const BO = { id: 'agent-bo', token: agentToken('csat-responses-bo') };
const ANA = agentToken('csat-responses-ana');

const policyFile = slaPolicyFile({ aiRepliesCount: false }, (policy) => {
  policy.csat = { enabled: true, delay: 'PT5M', question: 'How did we do?' };
});

type Listed = { items: CsatResponse[]; cursor: string | null; from: string; to: string };

/**
 * GET /api/csat/responses: the survey answers of a range, newest first, with the customer's name and
 * the agent the metrics credit; filtered by score and comment; paged by a cursor it checks; an agent
 * sees the answers credited to them; an erased customer's answers are gone; a page's reads are bounded
 * whatever the history. Against the local runtime (dynalite).
 */
describe('GET /api/csat/responses', () => {
  let meter: CapacityMeter;
  const clock = useClockRuntime({
    metaSecret: 'csat-responses-secret',
    start: NOON_UTC,
    agent: { token: ANA, admin: true },
    routing: true,
    policyFile,
    env: { AGENT_TOKENS: `agent-ana:${ANA}:admin,${BO.id}:${BO.token}` },
    dynamoClient: (c) => {
      meter = meterClient(c);
      return c;
    },
  });
  const list = (query = '') => clock.api<Listed>('GET', `/api/csat/responses${query}`);
  const asBo = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${clock.runtime.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${BO.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Listed };
  };

  /** A customer writes, an agent takes and answers it, resolves; the survey goes out and is answered. */
  const surveyed = async (phone: string, name: string, answer: string, agentId = 'me') => {
    await clock.whatsapp({ from: phone, id: `wamid.resp-${phone}`, text: 'I need a human please', name });
    const found = await clock.api<{ items: Customer[] }>('GET', `/api/customers?q=%2B${phone}`);
    const customer = found.items[0] as Customer;
    const id = customer.openConversationId as string;
    expect((await clock.call('POST', `/api/conversations/${id}/assign`, { agentId })).status).toBe(200);
    const reply = agentId === BO.id ? asBo : clock.call;
    const replied = await reply('POST', `/api/conversations/${id}/replies`, { text: 'Done.' });
    expect(replied.status, JSON.stringify(replied.body)).toBe(202);
    await clock.idle();
    expect((await clock.call('POST', `/api/conversations/${id}/resolve`)).status).toBe(200);
    await clock.advance(6 * MINUTE);
    await clock.whatsapp({ from: phone, id: `wamid.resp-${phone}-answer`, text: answer });
    return { customerId: customer.id, conversationId: id };
  };

  /** A survey answer's item as the resolver writes it, `daysAgo` before now (its customer is none of ours). */
  const seeded = (n: number, daysAgo: number, score = 3) => {
    const at = new Date(clock.manual.now() - daysAgo * DAY - n * 1000).toISOString();
    const item = {
      id: `csat:svold${daysAgo}-${n}`,
      type: 'event' as const,
      event: 'csat',
      channel: 'whatsapp' as const,
      at,
      customerId: `cu_old${n}`,
      conversationId: `cv_old${daysAgo}-${n}`,
      data: { surveyId: `svold${daysAgo}-${n}`, score, answeredAt: at, ai: false },
    };
    return {
      ...Keys.timelineItem(item.customerId, at, item.id),
      entity: 'timeline',
      ...item,
      ...csatAnswerIndexKeys(item),
    };
  };

  const state: { ann?: { customerId: string; conversationId: string }; day1?: string } = {};

  it('lists the answers newest first, with the name, score, comment, channel and the credited agent', async () => {
    state.day1 = new Date(clock.manual.now()).toISOString().slice(0, 10);
    state.ann = await surveyed('447700900911', 'Ann Lee', '4 quick and kind');
    await clock.advance(DAY);
    await surveyed('447700900912', 'Ben Ode', '2');
    await clock.advance(DAY);
    expect((await asBo('PUT', '/api/agents/me', { presence: 'away' })).status).toBe(200);
    await surveyed('447700900913', 'Cy Ray', '1 nobody read my message', BO.id);
    const page = await list();
    expect(page.items.map((i) => [i.customerName, i.score, i.comment, i.channel, i.agent, i.ai])).toEqual([
      ['Cy Ray', 1, 'nobody read my message', 'whatsapp', BO.id, false],
      ['Ben Ode', 2, undefined, 'whatsapp', 'agent-ana', false],
      ['Ann Lee', 4, 'quick and kind', 'whatsapp', 'agent-ana', false],
    ]);
    expect(page.items[2]).toMatchObject({ ...state.ann, answeredAt: expect.stringMatching(/^\d{4}-/) });
    expect(page.cursor).toBeNull();
    // The same credit as the figures.
    const { overall } = await clock.api<{ overall: Metrics }>('GET', '/api/metrics');
    expect(overall.csat?.byAgent[BO.id]?.count).toBe(1);
    expect(overall.csat?.byAgent['agent-ana']?.count).toBe(2);
  });

  it('filters by range, score and comment, and pages with a cursor it checks', async () => {
    expect((await list(`?from=${state.day1}&to=${state.day1}`)).items.map((i) => i.score)).toEqual([4]);
    expect((await list('?maxScore=2')).items.map((i) => i.score)).toEqual([1, 2]);
    expect((await list('?maxScore=2&withComment=true')).items.map((i) => i.score)).toEqual([1]);
    expect((await list('?withComment=false')).items.map((i) => i.score)).toEqual([2]);
    const first = await list('?limit=2');
    expect(first.items.map((i) => i.score)).toEqual([1, 2]);
    const second = await list(`?limit=2&cursor=${first.cursor}`);
    expect(second.items.map((i) => i.score)).toEqual([4]);
    expect(second.cursor).toBeNull();
    for (const bad of [
      'nonsense',
      Buffer.from(JSON.stringify({ after: 'x#y' })).toString('base64url'),
      Buffer.from(JSON.stringify({ before: '1999-01-01T00:00:00.000Z#sv1#5#0#' })).toString('base64url'),
    ]) {
      const answer = await clock.call<{ error: { code: string } }>(
        'GET',
        `/api/csat/responses?cursor=${bad}`,
      );
      expect(answer.status, bad).toBe(400);
      expect(answer.body.error.code).toBe('invalid_request');
    }
    for (const bad of ['?maxScore=6', '?withComment=yes', '?from=2026-13-01', '?score=1']) {
      expect((await clock.call('GET', `/api/csat/responses${bad}`)).status, bad).toBe(400);
    }
  });

  it("shows an agent the answers credited to them only, as the metrics' byAgent does", async () => {
    const answer = await asBo('GET', '/api/csat/responses');
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((i) => [i.customerName, i.agent])).toEqual([['Cy Ray', BO.id]]);
  });

  it("leaves an erased customer's answers out", async () => {
    const ann = state.ann as { customerId: string };
    await clock.api('DELETE', `/api/customers/${ann.customerId}`);
    expect((await list()).items.map((i) => i.customerName)).toEqual(['Cy Ray', 'Ben Ode']);
  });

  it('reads a bounded number of items per page, whatever the history before the range', async () => {
    // 600 answers 200 days ago, and 600 more a year ago: none in the last 30 days.
    const items = [
      ...Array.from({ length: 600 }, (_, n) => seeded(n, 200)),
      ...Array.from({ length: 600 }, (_, n) => seeded(n, 365)),
    ];
    const client = inspectionClient(clock.runtime.dynamoEndpoint);
    await seedItems(client, 'threadline', items);
    client.destroy();
    meter.reset();
    const page = await list('?limit=50');
    expect(page.items.map((i) => i.customerName)).toEqual(['Cy Ray', 'Ben Ode']);
    const figures = meter.figures();
    // One small query per shard (the range holds two answers), the page's items and their customers.
    expect(figures.byCommand.QueryCommand).toBeLessThanOrEqual(16);
    expect(figures.byCommand.BatchGetItemCommand).toBeLessThanOrEqual(2);
    expect(figures.read).toBeLessThan(30);
  });

  it('ends a page its filter empties after a bounded read, and its cursor goes on from there', async () => {
    // 900 answers scoring 5 in the range, from a second before now on (Cy's 1 is the newest answer).
    const fives = Array.from({ length: 900 }, (_, n) => seeded(n, 1000 / DAY, 5));
    const client = inspectionClient(clock.runtime.dynamoEndpoint);
    await seedItems(client, 'threadline', fives);
    client.destroy();
    const scores: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      meter.reset();
      const page: Listed = await list(`?maxScore=1&limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      // At most three rounds of one query per shard, whatever the answers passed over.
      expect(meter.figures().byCommand.QueryCommand).toBeLessThanOrEqual(48);
      scores.push(...page.items.map((i) => i.score));
      cursor = page.cursor;
      pages += 1;
    } while (cursor && pages < 100);
    expect(scores).toEqual([1]);
    expect(pages).toBeGreaterThan(1);
  });
});
