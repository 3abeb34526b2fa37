import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetQueueAttributesCommand,
  ListQueuesCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalQueue } from '#shared/local/queue.js';
import { redrive } from '#shared/local/redrive.js';
import { claimDataDir, runningRuntime } from '#shared/local/runtime-lock.js';
import { mockAws } from '../../../support/aws-mock.js';

const sqs = mockAws(SQSClient);
const dlqUrl =
  'https://sqs.eu-west-1.amazonaws.com/123456789012/ThreadlineStateful-MailDeadLetterQueueC3D4-y';
const dlqArn = 'arn:aws:sqs:eu-west-1:123456789012:ThreadlineStateful-MailDeadLetterQueueC3D4-y';

describe('npm run redrive', () => {
  let dataDir: string;
  let lines: string[];
  const run = (...args: string[]) =>
    redrive(args, {
      sqs: () => new SQSClient({ region: 'eu-west-1' }),
      dataDir,
      write: (line) => lines.push(line),
    });
  const files = (queue: string) => readdirSync(join(dataDir, 'queues', queue));

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-redrive-cli-'));
    lines = [];
    sqs.reset();
    sqs.on(ListQueuesCommand).resolves({ QueueUrls: [dlqUrl] });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: dlqArn } });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-7' });
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([[['--help']], [['inbound', '--local', '--help']]])(
    '%j writes the usage, as the other maintenance commands do, and moves nothing',
    async (args) => {
      await run(...args);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^Usage: npm run redrive -- /);
      expect(lines[0]).toContain('--help');
      expect(sqs.calls()).toEqual([]);
    },
  );

  it('--local moves the dead-letter files of a stopped runtime back to their queue', async () => {
    const deadLetter = new LocalQueue({
      name: 'threadline-inbound-dlq',
      dir: join(dataDir, 'queues', 'inbound-dlq'),
    });
    const [id] = await deadLetter.send(['{"envelope":1}']);
    await run('inbound', '--local');
    expect(files('inbound-dlq')).toEqual([]);
    expect(files('inbound')).toEqual([`${id}.json`]);
    expect(lines).toEqual([
      'Moved 1 message(s) from threadline-inbound-dlq back to threadline-inbound; npm start delivers them.',
      `  ${id}`,
    ]);
    expect(sqs.calls()).toEqual([]);
  });

  it.each([
    ['timers', 'timers'],
    ['webhooks', 'webhooks'],
  ])('--local redrives the %s queue as the alarms say', async (queue, folder) => {
    const deadLetter = new LocalQueue({
      name: `threadline-${folder}-dlq`,
      dir: join(dataDir, 'queues', `${folder}-dlq`),
    });
    const [id] = await deadLetter.send(['{"due":1}']);
    await run(queue, '--local');
    expect(files(`${folder}-dlq`)).toEqual([]);
    expect(files(folder)).toEqual([`${id}.json`]);
  });

  it.each([
    ['timers', 'ThreadlineStateful-TimersDeadLetterQueue'],
    ['webhooks', 'ThreadlineStateful-WebhookDeadLetterQueue'],
  ])('on AWS redrives the %s dead-letter queue of the stack', async (queue, prefix) => {
    await run(queue);
    expect(sqs.commandCalls(ListQueuesCommand)[0]?.args[0].input).toEqual({ QueueNamePrefix: prefix });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(1);
  });

  it('--local refuses while a runtime uses the data folder, and moves nothing', async () => {
    const deadLetter = new LocalQueue({
      name: 'threadline-mail-dlq',
      dir: join(dataDir, 'queues', 'mail-dlq'),
    });
    await deadLetter.send(['{"notification":1}']);
    writeFileSync(join(dataDir, 'runtime.pid'), String(process.pid));
    await expect(run('mail', '--local')).rejects.toThrow(/Threadline is running .*stop npm start/);
    expect(files('mail-dlq')).toHaveLength(1);
  });

  it('--local --list lists a dead-letter queue while the runtime runs, by ids only, and takes nothing', async () => {
    const dir = join(dataDir, 'queues', 'webhooks-dlq');
    const deadLetter = new LocalQueue({ name: 'threadline-webhooks-dlq', dir });
    const [first] = await deadLetter.send(['{"deliveryId":"dl_1","subscriptionId":"wh_9"}']);
    const [second] = await deadLetter.send(['{"customerId":"cu_7","text":"my card is 4111 1111"}']);
    writeFileSync(join(dir, 'half-written.json.tmp'), '{"mess');
    writeFileSync(join(dataDir, 'runtime.pid'), String(process.pid));
    const before = files('webhooks-dlq').sort();

    await run('webhooks', '--local', '--list');
    expect(lines[0]).toBe(`threadline-webhooks-dlq: 2 message(s) in ${dir}`);
    expect(lines).toHaveLength(3);
    expect(lines.join('\n')).toContain(`${first}  sent `);
    expect(lines.join('\n')).toContain('deliveryId=dl_1 subscriptionId=wh_9');
    expect(lines.find((line) => line.startsWith(`${second}`))).toMatch(/customerId=cu_7$/);
    // The body's text is never printed (the ids are random uuids, which may hold any 4 digits).
    expect(lines.join('\n')).not.toMatch(/card|4111 1111|text=/);
    // Listed, not taken: every file is where it was, the runtime's half-written one too.
    expect(files('webhooks-dlq').sort()).toEqual(before);
    expect(sqs.calls()).toEqual([]);
  });

  it('--local --list counts an empty or missing dead-letter queue as 0; --list without --local is refused', async () => {
    mkdirSync(join(dataDir, 'queues'));
    await run('outbound', '--local', '--list');
    expect(lines).toEqual([
      `threadline-outbound-dlq: 0 message(s) in ${join(dataDir, 'queues', 'outbound-dlq')}`,
    ]);
    await expect(run('outbound', '--list')).rejects.toThrow(/--list is for --local/);
    expect(sqs.calls()).toEqual([]);
  });

  it.each([[['inbound', '--local']], [['outbound', '--local', '--list']]])(
    '%j refuses a DATA_DIR with no Threadline data, naming it, and makes nothing there',
    async (args) => {
      const missing = join(dataDir, 'not-threadline');
      await expect(
        redrive(args, { sqs: () => new SQSClient({}), dataDir: missing, write: (l) => lines.push(l) }),
      ).rejects.toThrow(`DATA_DIR ${missing} holds no Threadline data`);
      expect(readdirSync(dataDir)).toEqual([]);
      expect(lines).toEqual([]);
    },
  );

  it('--local ignores the mark a runtime that is gone left behind', async () => {
    writeFileSync(join(dataDir, 'runtime.pid'), '2147483646');
    mkdirSync(join(dataDir, 'queues'));
    await run('outbound', '--local');
    expect(lines[0]).toMatch(/^Moved 0 message\(s\) from threadline-outbound-dlq/);
  });

  it('on AWS starts SQS moving the stack’s dead-letter queue back to its source', async () => {
    await run('mail');
    expect(sqs.commandCalls(ListQueuesCommand)[0]?.args[0].input).toEqual({
      QueueNamePrefix: 'ThreadlineStateful-MailDeadLetterQueue',
    });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({ SourceArn: dlqArn });
    expect(lines.join('\n')).toContain('task task-7');
  });

  it('on AWS takes another stack name, or the queue’s ARN', async () => {
    await run('outbound', '--stack', 'Support');
    expect(sqs.commandCalls(ListQueuesCommand)[0]?.args[0].input).toEqual({
      QueueNamePrefix: 'Support-OutboundDeadLetterQueue',
    });
    sqs.resetHistory();
    await run('outbound', '--arn', dlqArn);
    expect(sqs.commandCalls(ListQueuesCommand)).toEqual([]);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({ SourceArn: dlqArn });
  });

  it.each([
    [[]],
    [['failed-events']],
    [['inbound', 'mail']],
    [['inbound', '--force']],
    [['mail', '--local', '--arn', dlqArn]],
  ])('refuses %j with the usage, and starts nothing', async (args) => {
    await expect(run(...args)).rejects.toThrow(/Usage: npm run redrive|--local takes no/);
    expect(sqs.calls()).toEqual([]);
  });
});

describe('the data folder mark', () => {
  it('names this process while the runtime holds the folder, and nothing once released', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'threadline-lock-'));
    try {
      const release = claimDataDir(dataDir);
      expect(runningRuntime(dataDir)).toBe(process.pid);
      release();
      expect(runningRuntime(dataDir)).toBeUndefined();
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
