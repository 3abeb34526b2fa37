import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { timersEntry } from '#shared/lambda/timers-handler.js';

describe('the timers function\u2019s entry', () => {
  const calls: string[] = [];
  const entry = timersEntry(
    async (event) => {
      calls.push(`consume ${event.Records.length}`);
      return { batchItemFailures: [] };
    },
    {
      'reconcile-agent-load': async () => {
        calls.push('reconcile');
      },
    },
  );

  it('consumes a batch of timers from the queue and runs a scheduled task by its name', async () => {
    const batch = { Records: [{ messageId: 'm1' }] } as unknown as SQSEvent;
    expect(await entry(batch)).toEqual({ batchItemFailures: [] });
    expect(await entry({ task: 'reconcile-agent-load' })).toBeUndefined();
    expect(calls).toEqual(['consume 1', 'reconcile']);
  });

  it('fails an unknown task, an inherited name included, running nothing', async () => {
    calls.length = 0;
    await expect(entry({ task: 'drop-table' })).rejects.toThrow('unknown scheduled task');
    await expect(entry({ task: 'toString' })).rejects.toThrow('unknown scheduled task');
    expect(calls).toEqual([]);
  });
});
