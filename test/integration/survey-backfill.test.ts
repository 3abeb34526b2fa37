import { describe, expect, it } from 'vitest';
import type { CsatResponse } from '#shared/domain/csat/responses.js';
import type { Metrics } from '#shared/domain/metrics.js';
import type { Customer } from '#shared/domain/timeline.js';
import { Keys, SHARDS, shardOf } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { countSurveys } from '#shared/store/survey-backfill.js';
import { agentToken } from '../support/agent-token.js';
import { seedItems } from '../support/capacity-meter.js';
import { NOON_UTC, useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { inspectionClient } from '../support/table-snapshot.js';

const MINUTE = 60_000;
const NOVEMBER = '?from=2026-11-01&to=2026-11-30';

const policyFile = slaPolicyFile({ aiRepliesCount: false }, (policy) => {
  policy.csat = { enabled: true, delay: 'PT5M', question: 'How did we do?' };
});

/**
 * Surveys sent before the daily counters counted them (2026-12-06) left `csat.sent` short over their
 * days, so the response rate there was too high (or none). `npm run count-surveys` counts each of them
 * on its day, once however often it runs, leaves alone the surveys counted as they went out, and lists
 * the answers recorded before the list of answers. Against the local runtime (dynalite).
 */
describe('count-surveys: surveys of before the counters', () => {
  const clock = useClockRuntime({
    metaSecret: 'survey-backfill-secret',
    start: NOON_UTC,
    agent: { token: agentToken('survey-backfill-ana'), admin: true },
    routing: true,
    policyFile,
  });
  const metrics = async (query = '') =>
    (await clock.api<{ overall: Metrics }>('GET', `/api/metrics${query}`)).overall.csat;

  /** Runs the backfill to its end on the runtime's table: what it counted and listed. */
  const backfill = async () => {
    const client = inspectionClient(clock.runtime.dynamoEndpoint);
    const doc = documentClient(client);
    try {
      return await countSurveys({ doc, table: 'threadline' }, (input) => doc.scan(input), { limit: 100 });
    } finally {
      client.destroy();
    }
  };

  it("counts each survey of before on its day, once, and lists that time's answers", async () => {
    // Today: a survey sent and answered, counted as it went out.
    const phone = '447700900951';
    await clock.whatsapp({ from: phone, id: 'wamid.backfill-1', text: 'I need a human please', name: 'Dee' });
    const found = await clock.api<{ items: Customer[] }>('GET', `/api/customers?q=%2B${phone}`);
    const dee = found.items[0] as Customer;
    const id = dee.openConversationId as string;
    await clock.api('POST', `/api/conversations/${id}/assign`, { agentId: 'me' });
    expect((await clock.call('POST', `/api/conversations/${id}/replies`, { text: 'Done.' })).status).toBe(
      202,
    );
    await clock.idle();
    await clock.api('POST', `/api/conversations/${id}/resolve`);
    await clock.advance(6 * MINUTE);
    await clock.whatsapp({ from: phone, id: 'wamid.backfill-1-answer', text: '5' });
    const today = `?from=${new Date(clock.manual.now()).toISOString().slice(0, 10)}`;
    expect((await metrics(today))?.sent).toBe(1);

    // November, as the version before left it: four surveys sent, one skipped, two answered (the
    // answers counted on their day, the surveys not), none in the list of answers.
    const at = (n: number) => `2026-11-20T10:0${n}:00.000Z`;
    const item = (fields: Record<string, unknown> & { id: string; at: string }) => ({
      ...Keys.timelineItem(dee.id, fields.at, fields.id),
      entity: 'timeline',
      customerId: dee.id,
      ...fields,
    });
    const surveys = [0, 1, 2, 3].map((n) =>
      item({
        id: `whatsapp:wamid.old-survey-${n}`,
        type: 'message',
        direction: 'outbound',
        channel: 'whatsapp',
        at: at(n),
        conversationId: `cv_old${n}`,
        text: 'How did we do?',
        data: { author: { kind: 'ai', id: 'csat' } },
      }),
    );
    const skipped = item({
      id: 'csat_skipped:svold4',
      type: 'event',
      event: 'csat_skipped',
      at: at(4),
      conversationId: 'cv_old4',
      data: {
        conversationId: 'cv_old4',
        surveyId: 'svold4',
        reason: 'unanswered',
        detail: 'nobody answered',
      },
    });
    const answers = [0, 1].map((n) =>
      item({
        id: `csat:svold${n}`,
        type: 'event',
        event: 'csat',
        channel: 'whatsapp',
        at: at(n),
        conversationId: `cv_old${n}`,
        data: {
          conversationId: `cv_old${n}`,
          surveyId: `svold${n}`,
          score: 4 - n,
          answeredAt: at(n + 5),
          source: 'x',
        },
      }),
    );
    const counters = [0, 1].map((n) => ({
      ...Keys.metricsDay(shardOf(`cv_old${n}`, SHARDS.metrics), '2026-11-20'),
      entity: 'metrics',
      [`csat:${4 - n}`]: 1,
    }));
    const client = inspectionClient(clock.runtime.dynamoEndpoint);
    await seedItems(client, 'threadline', [...surveys, skipped, ...answers, ...counters]);
    client.destroy();
    const before = await metrics(NOVEMBER);
    expect(before).toMatchObject({ count: 2, sent: 0, responseRate: null });

    expect(await backfill()).toMatchObject({ counted: 5, indexed: 2 });
    const after = await metrics(NOVEMBER);
    expect(after).toMatchObject({ count: 2, sent: 4, skipped: { unanswered: 1 }, responseRate: 0.5 });
    const listed = await clock.api<{ items: CsatResponse[] }>('GET', `/api/csat/responses${NOVEMBER}`);
    expect(listed.items.map((i) => [i.conversationId, i.score, i.customerName])).toEqual([
      ['cv_old1', 3, 'Dee'],
      ['cv_old0', 4, 'Dee'],
    ]);

    // Again: nothing more; today's survey, counted as it went out, still once.
    expect(await backfill()).toMatchObject({ counted: 0, indexed: 0 });
    expect(await metrics(NOVEMBER)).toMatchObject({ sent: 4, responseRate: 0.5 });
    expect((await metrics(today))?.sent).toBe(1);
  });
});
