import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalQueue } from '#shared/local/queue.js';
import { redrive } from '#shared/local/redrive.js';

/** `npm run redrive -- <queue> --local --discard <id>`: a letter that can never succeed, deleted. */
describe('npm run redrive -- --local --discard', () => {
  let dataDir: string;
  let lines: string[];
  const run = (...args: string[]) =>
    redrive(args, {
      sqs: () => {
        throw new Error('no AWS here');
      },
      dataDir,
      write: (line) => lines.push(line),
    });
  const files = (queue: string) => readdirSync(join(dataDir, 'queues', queue)).sort();
  const deadLetters = (queue: string) =>
    new LocalQueue({ name: `threadline-${queue}-dlq`, dir: join(dataDir, 'queues', `${queue}-dlq`) });

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-discard-'));
    lines = [];
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('deletes that one message of the dead-letter queue, and the redrive moves the rest', async () => {
    const [poison, good] = await deadLetters('outbound').send(['{"id":"rp_1"}', '{"id":"rp_2"}']);
    await run('outbound', '--local', '--discard', poison as string);
    expect(lines).toEqual([
      `Deleted message ${poison} from threadline-outbound-dlq; it will not be redriven.`,
    ]);
    expect(files('outbound-dlq')).toEqual([`${good}.json`]);
    lines = [];
    await run('outbound', '--local');
    expect(lines[0]).toMatch(/^Moved 1 message\(s\)/);
    expect(files('outbound')).toEqual([`${good}.json`]);
  });

  it('refuses an id it does not hold, one that is no message id, and a running runtime', async () => {
    const [id] = await deadLetters('mail').send(['{"n":1}']);
    await expect(run('mail', '--local', '--discard', '6f1c1c1e-0000-4000-8000-000000000000')).rejects.toThrow(
      /holds no message 6f1c1c1e-0000-4000-8000-000000000000/,
    );
    await expect(run('mail', '--local', '--discard', '../mail/x')).rejects.toThrow(/a UUID/);
    writeFileSync(join(dataDir, 'runtime.pid'), String(process.pid));
    await expect(run('mail', '--local', '--discard', id as string)).rejects.toThrow(/stop npm start/);
    expect(files('mail-dlq')).toEqual([`${id}.json`]);
  });

  it('is for --local alone: on AWS it says to use aws sqs delete-message', async () => {
    await expect(run('mail', '--discard', 'x')).rejects.toThrow(/aws sqs delete-message/);
    await expect(run('mail', '--local', '--list', '--discard', 'x')).rejects.toThrow(/without --list/);
  });
});

describe('npm run redrive -- --local --list of a permanent failure', () => {
  it('shows where it came from and why, as its attributes say', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'threadline-list-why-'));
    try {
      const dir = join(dataDir, 'queues', 'inbound-dlq');
      const queue = new LocalQueue({ name: 'threadline-inbound-dlq', dir });
      const messageId = '0b7f3a52-61c4-4c8e-9d1e-5a0c2f7b9e11';
      await queue.deadLetter({
        messageId,
        body: '{"id":"whatsapp:wamid.X","text":"my card is 4111"}',
        sentTimestamp: Date.parse('2026-12-06T10:00:00.000Z'),
        deadLetterSourceArn: 'arn:aws:sqs:local:000000000000:threadline-inbound',
        attributes: {
          failureError: 'PermanentError',
          failureCode: 'permanent_failure',
          sourceQueueArn: 'arn:aws:sqs:local:000000000000:threadline-inbound',
          sourceMessageId: messageId,
          receiveCount: '1',
        },
      });
      const lines: string[] = [];
      const deps = { sqs: () => new SQSClient({}), dataDir, write: (line: string) => lines.push(line) };
      await redrive(['inbound', '--local', '--list'], deps);
      expect(lines[1]).toBe(
        `${messageId}  sent 2026-12-06T10:00:00.000Z  50 bytes  id=whatsapp:wamid.X  from threadline-inbound  ` +
          `failureError=PermanentError failureCode=permanent_failure sourceMessageId=${messageId} receiveCount=1`,
      );
      // The redrive moves it with its id, and says which.
      lines.length = 0;
      await redrive(['inbound', '--local'], deps);
      expect(lines).toEqual([expect.stringMatching(/^Moved 1 message/), `  ${messageId}`]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
