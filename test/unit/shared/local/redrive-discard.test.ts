import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
