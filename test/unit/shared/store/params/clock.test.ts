import { describe, expect, it } from 'vitest';
import type { SlaState } from '#shared/domain/sla/state.js';
import { answeredByInput, saveSlaInput, snoozeInput, wakeInput } from '#shared/store/params/clock.js';

const sla: SlaState = {
  policy: 'chat',
  firstResponseDue: '2026-06-10T10:15:00.000Z',
  resolutionDue: '2026-06-11T10:00:00.000Z',
  status: 'active',
  breaches: [],
  warnings: {},
  waitingOn: 'agent',
  responded: false,
  version: 0,
  updatedAt: '2026-06-10T10:00:00.000Z',
};

describe('clock params', () => {
  it('records who answered in this opening: a person over the AI, open conversations only', () => {
    const agent = answeredByInput('t', 'cv_1', 'agent');
    expect(agent.UpdateExpression).toBe('SET answeredBy = :by');
    expect(agent.ConditionExpression).toBe('#status = :open');
    expect(agent.ExpressionAttributeValues).toEqual({ ':by': 'agent', ':open': 'open' });
    const ai = answeredByInput('t', 'cv_1', 'ai');
    expect(ai.UpdateExpression).toBe('SET answeredBy = if_not_exists(answeredBy, :by)');
    expect(ai.ConditionExpression).toBe('#status = :open');
  });

  it('writes the soonest pending deadline into the deadline index with the SLA, in the inbox shard', () => {
    const input = saveSlaInput('t', 'cv_1', sla, undefined);
    expect(input.UpdateExpression).toBe(
      'SET sla = :sla, gsi2pk = if_not_exists(gsi2pk, :duePk), gsi2sk = :dueSk',
    );
    expect(input.ConditionExpression).toBe('attribute_exists(pk) AND attribute_not_exists(sla)');
    expect(input.ExpressionAttributeValues).toMatchObject({
      ':duePk': 'INBOXDUE#open#40',
      ':dueSk': '2026-06-10T10:15:00.000Z#cv_1',
    });
  });

  it('keeps a missed deadline pending, and takes the conversation out when none is', () => {
    const missed = { ...sla, nextResponseDue: '2026-06-10T09:00:00.000Z', version: 3 };
    const input = saveSlaInput('t', 'cv_1', missed, 2);
    expect(input.ExpressionAttributeValues?.[':dueSk']).toBe('2026-06-10T09:00:00.000Z#cv_1');
    expect(input.ConditionExpression).toBe('attribute_exists(pk) AND sla.version = :expected');
    const { firstResponseDue: _f, resolutionDue: _r, ...none } = sla;
    const cleared = saveSlaInput('t', 'cv_1', { ...none, resolutionLeftMs: 5 }, 0);
    expect(cleared.UpdateExpression).toBe(
      'SET sla = :sla, gsi2pk = if_not_exists(gsi2pk, :duePk) REMOVE gsi2sk',
    );
    expect(cleared.ExpressionAttributeValues).not.toHaveProperty(':dueSk');
    const ended = saveSlaInput('t', 'cv_1', { ...sla, endedAt: '2026-06-10T11:00:00.000Z' }, 0);
    expect(ended.UpdateExpression).toContain('REMOVE gsi2sk');
  });

  it('moves the deadline index partition with a snooze and a wake', () => {
    expect(snoozeInput('t', 'cv_1', '2026-06-12T00:00:00.000Z').ExpressionAttributeValues).toMatchObject({
      ':snoozed': 'INBOX#snoozed#40',
      ':snoozedDue': 'INBOXDUE#snoozed#40',
    });
    expect(wakeInput('t', 'cv_1', '2026-06-12T00:00:00.000Z').UpdateExpression).toBe(
      'REMOVE snoozedUntil SET gsi1pk = :inbox, gsi2pk = :inboxDue',
    );
  });
});
