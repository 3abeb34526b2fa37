import { afterEach, describe, expect, it, vi } from 'vitest';
import { newTimer } from '#shared/domain/timer-ports.js';
import { ConflictError } from '#shared/errors.js';
import { logger } from '#shared/log.js';
import { createTimersConsumer } from '#shared/queue/timers-consumer.js';
import { sqsRecord } from '../../../support/sqs.js';

const timer = newTimer({
  kind: 'sla_breached',
  subject: 'cv_1',
  version: '2026-06-10T10:10:00.000Z',
  detail: 'resolution',
  dueAt: '2026-06-10T10:10:00.000Z',
});

/** The fields of the `timer failed, will be retried` line for a timer whose firing throws `error`. */
async function retriedLine(error: unknown) {
  const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
  warn.mockClear();
  const consume = createTimersConsumer(async () => {
    throw error;
  });
  const out = await consume({ Records: [sqsRecord('m1', JSON.stringify(timer), 'threadline-timers')] });
  expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  const call = warn.mock.calls.find(([message]) => message === 'timer failed, will be retried');
  return call?.[1] as Record<string, unknown>;
}

describe('createTimersConsumer', () => {
  afterEach(() => vi.restoreAllMocks());

  it('says which failure a retried timer met: the error’s name and code, never its message', async () => {
    const line = await retriedLine(
      new ConflictError('the SLA of cv_1 changed while its breach was recorded; retrying', 'sla_changed'),
    );
    expect(line).toMatchObject({ timerKind: 'sla_breached', conversationId: 'cv_1' });
    expect(line).toMatchObject({ error: 'ConflictError', code: 'sla_changed', permanent: false });
    expect(JSON.stringify(line)).not.toContain('changed while');
  });

  it('names a system error by its code (a plain Error said only "Error")', async () => {
    const reset = Object.assign(new Error('read ECONNRESET 10.0.0.7:8000 for ana@example.com'), {
      code: 'ECONNRESET',
    });
    expect(await retriedLine(reset)).toMatchObject({ error: 'Error', code: 'ECONNRESET' });
    // A `code` that is not a system error's constant is data, and stays out of the line.
    const odd = Object.assign(new Error('x'), { code: 'ana@example.com' });
    const line = await retriedLine(odd);
    expect(line.code).toBeUndefined();
    expect(JSON.stringify(line)).not.toContain('ana@');
  });
});
