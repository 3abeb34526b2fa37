import { describe, expect, it } from 'vitest';
import { csatFigures } from '#shared/store/csat-figures.js';
import {
  addFirstResponseInput,
  countCsatInput,
  countCsatSurveyInput,
  countDecisionInput,
  countSlaOutcomesInput,
  markFirstResponseInput,
  queryMetricsDaysInput,
  takeBackFirstResponseInput,
} from '#shared/store/params/metrics.js';

// The shards of these ids (FNV-1a mod 128), pinned so a change of the hash is seen.
const metricsKey = { pk: 'METRICS#14', sk: 'DAY#2025-06-08T23' };
const decided = { at: '2025-06-08T23:59:59.999Z', itemId: 'whatsapp:wamid.1' };

describe('metrics params', () => {
  it('counts a decision the AI answered', () => {
    expect(
      countDecisionInput('t', {
        ...decided,
        target: 'ai',
        reason: 'routine',
        answeredByAi: true,
        channelSwitch: true,
      }),
    ).toEqual({
      TableName: 't',
      Key: metricsKey,
      UpdateExpression: 'SET entity = :entity ADD routed :one, answeredByAi :one, channelSwitches :one',
      ExpressionAttributeValues: { ':one': 1, ':entity': 'metrics' },
    });
  });

  it('counts a hand-off under its reason', () => {
    expect(
      countDecisionInput('t', {
        ...decided,
        target: 'human',
        reason: 'asked_for_person',
        answeredByAi: false,
        channelSwitch: false,
      }),
    ).toEqual({
      TableName: 't',
      Key: metricsKey,
      UpdateExpression: 'SET entity = :entity ADD routed :one, #reason :one',
      ExpressionAttributeNames: { '#reason': 'handoff_asked_for_person' },
      ExpressionAttributeValues: { ':one': 1, ':entity': 'metrics' },
    });
  });

  it("marks a conversation's first response once and adds its wait to the counters", () => {
    expect(markFirstResponseInput('t', 'cv_1', '2025-06-08T21:00:00.000Z')).toEqual({
      TableName: 't',
      Key: { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' },
      // The wait it ended is kept with it: a first answer that never reaches the customer takes it back.
      UpdateExpression:
        'SET firstResponseAt = :at, firstResponseWaitFrom = if_not_exists(waitingSince, :noWait)',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(firstResponseAt)',
      ExpressionAttributeValues: { ':at': '2025-06-08T21:00:00.000Z', ':noWait': '' },
      ReturnValues: 'ALL_NEW',
    });
    expect(
      addFirstResponseInput('t', { conversationId: 'cv_1', at: '2025-06-09T00:00:00.000Z', ms: 1500 }),
    ).toEqual({
      TableName: 't',
      Key: { pk: 'METRICS#40', sk: 'DAY#2025-06-09T00' },
      UpdateExpression: 'SET entity = :entity ADD firstResponses :one, firstResponseMsTotal :ms',
      ExpressionAttributeValues: { ':one': 1, ':ms': 1500, ':entity': 'metrics' },
    });
    // Taken back: the mark goes (only one that kept its wait, while the customer still waits from
    // before the answer: no answer reached them since), and the counters lose it on its day.
    expect(takeBackFirstResponseInput('t', 'cv_1', '2025-06-08T21:00:00.000Z')).toEqual({
      TableName: 't',
      Key: { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' },
      // The first wait becomes the wait that came back: the next answer counts from it.
      UpdateExpression:
        'SET firstWaitFrom = waitingSince REMOVE firstResponseAt, firstResponseWaitFrom, firstHumanResponseAt',
      ConditionExpression:
        'firstResponseAt = :at AND attribute_exists(firstResponseWaitFrom) AND waitingSince <= :at',
      ExpressionAttributeValues: { ':at': '2025-06-08T21:00:00.000Z' },
      ReturnValues: 'ALL_OLD',
    });
    expect(
      addFirstResponseInput('t', { conversationId: 'cv_1', at: '2025-06-09T00:00:00.000Z', ms: 1500 }, true)
        .ExpressionAttributeValues,
    ).toEqual({ ':one': -1, ':ms': -1500, ':entity': 'metrics' });
  });

  it('reads one shard’s days of a range, both included: the day items of before and every hour', () => {
    expect(queryMetricsDaysInput('t', 7, { from: '2025-06-01', to: '2025-06-09' })).toEqual({
      TableName: 't',
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': 'METRICS#7',
        ':from': 'DAY#2025-06-01',
        ':to': 'DAY#2025-06-09T23',
      },
    });
  });

  it.each([
    // Winter (UTC+1), the spring change (a 23-hour day), summer (UTC+2), the autumn change (25 hours).
    ['Europe/Berlin', '2026-01-10', '2026-01-10', 'DAY#2026-01-09T23', 'DAY#2026-01-10T22'],
    ['Europe/Berlin', '2026-03-29', '2026-03-29', 'DAY#2026-03-28T23', 'DAY#2026-03-29T21'],
    ['Europe/Berlin', '2026-07-01', '2026-07-02', 'DAY#2026-06-30T22', 'DAY#2026-07-02T21'],
    ['Europe/Berlin', '2026-10-25', '2026-10-25', 'DAY#2026-10-24T22', 'DAY#2026-10-25T22'],
    ['America/New_York', '2026-03-08', '2026-03-08', 'DAY#2026-03-08T05', 'DAY#2026-03-09T03'],
  ])(
    "reads %s's days %s..%s by the UTC hours they span, across a clock change",
    (tz, from, to, first, last) => {
      const input = queryMetricsDaysInput('t', 7, { from, to, tz });
      expect(input.ExpressionAttributeValues).toMatchObject({ ':from': first, ':to': last });
    },
  );

  it('takes back a met target in the same counters, with no unused value', () => {
    const input = countSlaOutcomesInput('t', {
      conversationId: 'cv_1',
      at: '2025-06-08T10:00:00.000Z',
      outcomes: [{ metric: 'firstResponse', met: true, undone: true }],
      ai: true,
    });
    expect(input.Key).toEqual({ pk: 'METRICS#40', sk: 'DAY#2025-06-08T10' });
    expect(input.UpdateExpression).toBe('SET entity = :entity ADD #c0 :minus, #c1 :minus');
    expect(Object.values(input.ExpressionAttributeNames ?? {})).toEqual([
      'sla:firstResponse:met',
      'sla:firstResponse:met:ai:ai',
    ]);
    expect(input.ExpressionAttributeValues).toEqual({ ':minus': -1, ':entity': 'metrics' });
  });

  it('counts the targets one SLA change met or missed in one UpdateItem, overall and by dimension', () => {
    const input = countSlaOutcomesInput('t', {
      conversationId: 'cv_1',
      at: '2025-06-08T10:00:00.000Z',
      outcomes: [
        { metric: 'firstResponse', met: true },
        { metric: 'resolution', met: false },
      ],
      queue: 'billing',
      channel: 'sms',
      ai: false,
    });
    expect(input.Key).toEqual({ pk: 'METRICS#40', sk: 'DAY#2025-06-08T10' });
    expect(Object.values(input.ExpressionAttributeNames ?? {})).toEqual([
      'sla:firstResponse:met',
      'sla:firstResponse:met:queue:billing',
      'sla:firstResponse:met:channel:sms',
      'sla:firstResponse:met:ai:human',
      'sla:resolution:missed',
      'sla:resolution:missed:queue:billing',
      'sla:resolution:missed:channel:sms',
      'sla:resolution:missed:ai:human',
    ]);
    expect(input.UpdateExpression).toBe(
      'SET entity = :entity ADD #c0 :one, #c1 :one, #c2 :one, #c3 :one, #c4 :one, #c5 :one, #c6 :one, #c7 :one',
    );
    expect(input.ExpressionAttributeValues).toEqual({ ':one': 1, ':entity': 'metrics' });
  });

  it('counts a survey sent, or skipped by its reason, on its day in its conversation’s shard', () => {
    const sent = countCsatSurveyInput('t', {
      conversationId: 'cv_1',
      at: '2025-06-08T10:00:00.000Z',
      outcome: 'sent',
    });
    expect(sent.Key).toEqual({ pk: 'METRICS#40', sk: 'DAY#2025-06-08T10' });
    expect(Object.values(sent.ExpressionAttributeNames ?? {})).toEqual(['survey:sent']);
    const skipped = countCsatSurveyInput('t', {
      conversationId: 'cv_1',
      at: '2025-06-08T10:00:00.000Z',
      outcome: 'skipped',
      reason: 'unanswered',
    });
    expect(Object.values(skipped.ExpressionAttributeNames ?? {})).toEqual(['survey:skipped:unanswered']);
  });

  it('counts a survey answer on its day, overall and by queue, channel, agent and AI, in one UpdateItem', () => {
    const input = countCsatInput('t', {
      conversationId: 'cv_1',
      at: '2025-06-08T10:00:00.000Z',
      score: 4,
      channel: 'whatsapp',
      queue: 'billing',
      agent: 'ana',
      ai: false,
    });
    expect(input.Key).toEqual({ pk: 'METRICS#40', sk: 'DAY#2025-06-08T10' });
    expect(input.UpdateExpression).toBe(
      'SET entity = :entity ADD #c0 :one, #c1 :one, #c2 :one, #c3 :one, #c4 :one',
    );
    expect(Object.values(input.ExpressionAttributeNames ?? {})).toEqual([
      'csat:4',
      'csat:4:queue:billing',
      'csat:4:channel:whatsapp',
      'csat:4:agent:ana',
      'csat:4:ai:human',
    ]);
  });

  it('turns summed CSAT counters into count, average and distribution, overall and by breakdown', () => {
    const figures = csatFigures(
      new Map([
        ['csat:5', 3],
        ['csat:2', 1],
        ['csat:5:agent:ana', 2],
        ['csat:2:agent:ana', 1],
        ['csat:5:ai:ai', 1],
        ['csat:9', 7],
        ['sla:firstResponse:met', 4],
      ]),
    );
    expect(figures).toEqual({
      count: 4,
      average: 17 / 4,
      distribution: { 1: 0, 2: 1, 3: 0, 4: 0, 5: 3 },
      byAgent: { ana: { count: 3, average: 4, distribution: { 1: 0, 2: 1, 3: 0, 4: 0, 5: 2 } } },
      byChannel: {},
      byQueue: {},
      byAi: { ai: { count: 1, average: 5, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 1 } } },
    });
    expect(csatFigures(new Map()).average).toBeNull();
  });
});
