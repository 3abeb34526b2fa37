import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig } from '#shared/config/config.js';
import { ValidationError } from '#shared/errors.js';
import { type DeadLetterQueueRef, startRedrive } from '#shared/queue/sqs-redrive.js';
import { deadLetterLines, readDeadLetters } from './dead-letter-list.js';
import { LocalQueue } from './queue.js';
import { localQueues } from './queues.js';
import { requireThreadlineData, runningRuntime } from './runtime-lock.js';

/** The queues with a dead-letter queue, and the id the stateful stack gives that dead-letter queue. */
const deadLetterQueueIds = {
  inbound: 'InboundDeadLetterQueue',
  mail: 'MailDeadLetterQueue',
  outbound: 'OutboundDeadLetterQueue',
  timers: 'TimersDeadLetterQueue',
  webhooks: 'WebhookDeadLetterQueue',
} as const;
type RedriveQueue = keyof typeof deadLetterQueueIds;

export const redriveUsage = `Usage: npm run redrive -- <inbound|mail|outbound|timers|webhooks> [options]

Moves the messages of the queue's dead-letter queue back to the queue, to be processed again.
  (no option)     on AWS: SQS StartMessageMoveTask on the dead-letter queue of stack ThreadlineStateful,
                  found by its name (the stack output <Queue>DeadLetterQueueName); AWS credentials and
                  region from the environment, as for the AWS CLI
  --stack <name>  the stateful stack's name, if not ThreadlineStateful
  --name <name>   on AWS: the dead-letter queue's name (the stack output's value)
  --arn <arn>     on AWS: the dead-letter queue's ARN
  --local         the local runtime's queues under DATA_DIR (default .data); stop npm start first
  --list          with --local: only lists what the dead-letter queue holds (ids, sent time, size, ids
                  and kinds from the body, never its text); moves nothing, so npm start may be running
  --discard <id>  with --local: deletes that one message (an id --list shows) from the dead-letter
                  queue, for a letter that can never succeed; stop npm start first. On AWS: aws sqs
                  receive-message, then delete-message with its receipt handle (README, Operations)
  --help          this text`;

export interface RedriveDeps {
  /** The SQS client for AWS; made only when needed. */
  sqs: () => SQSClient;
  /** The local runtime's data folder (DATA_DIR). */
  dataDir: string;
  write: (line: string) => void;
}

/** Runs `npm run redrive -- <args>`, or writes its usage (`--help`); throws ValidationError on bad arguments and when it must refuse. */
export async function redrive(args: readonly string[], deps: RedriveDeps): Promise<void> {
  const { values, positionals } = parseRedriveArgs(args);
  if (values.help) {
    deps.write(redriveUsage);
    return;
  }
  const [queue, ...extra] = positionals;
  if (!isRedriveQueue(queue) || extra.length > 0) throw new ValidationError(redriveUsage);
  if (values.discard !== undefined && (!values.local || values.list)) {
    throw new ValidationError(
      '--discard is for --local without --list; on AWS delete a letter with aws sqs delete-message (README, Operations)',
    );
  }
  if (values.list && !values.local) {
    throw new ValidationError(
      '--list is for --local; on AWS count a dead-letter queue with aws sqs get-queue-attributes --attribute-names ApproximateNumberOfMessages',
    );
  }
  if (values.local) {
    if (values.arn || values.name || values.stack) {
      throw new ValidationError('--local takes no --arn, --name or --stack');
    }
    requireThreadlineData(deps.dataDir, `redrive -- ${queue} --local${values.list ? ' --list' : ''}`);
    if (values.discard !== undefined) {
      deps.write(await discardLocal(queue, deps.dataDir, values.discard));
      return;
    }
    if (values.list) {
      const name = `threadline-${queue}-dlq`;
      for (const line of deadLetterLines(name, join(deps.dataDir, 'queues', `${queue}-dlq`)))
        deps.write(line);
      return;
    }
    const moved = await redriveLocal(queue, deps.dataDir);
    deps.write(
      `Moved ${moved.length} message(s) from threadline-${queue}-dlq back to threadline-${queue}; ` +
        'npm start delivers them.',
    );
    for (const id of moved) deps.write(`  ${id}`);
    return;
  }
  const stack = values.stack ?? 'ThreadlineStateful';
  const ref: DeadLetterQueueRef = values.arn
    ? { arn: values.arn }
    : values.name
      ? { name: values.name }
      : { namePrefix: `${stack}-${deadLetterQueueIds[queue]}` };
  const { sourceArn, taskHandle } = await startRedrive(deps.sqs(), ref);
  deps.write(
    `SQS is moving the messages of ${sourceArn} back to their source queue (task ${taskHandle}).\n` +
      `Follow it with: aws sqs list-message-move-tasks --source-arn ${sourceArn}`,
  );
}

function parseRedriveArgs(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        local: { type: 'boolean' },
        list: { type: 'boolean' },
        discard: { type: 'string' },
        arn: { type: 'string' },
        name: { type: 'string' },
        stack: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new ValidationError(`${error instanceof Error ? error.message : String(error)}\n\n${redriveUsage}`);
  }
}

function isRedriveQueue(queue: string | undefined): queue is RedriveQueue {
  return queue !== undefined && Object.hasOwn(deadLetterQueueIds, queue);
}

/** Refuses while a runtime holds the folder: it keeps its queues in memory too. */
function requireStopped(dataDir: string): void {
  const pid = runningRuntime(dataDir);
  if (pid !== undefined) {
    throw new ValidationError(
      `Threadline is running on ${dataDir} (process ${pid}): stop npm start, then run the redrive again`,
    );
  }
}

/** A local message id as the queue names its file (a UUID): nothing else reaches the path. */
const MESSAGE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Deletes one message of `<queue>-dlq` (its file) while no runtime uses the folder. */
async function discardLocal(queue: RedriveQueue, dataDir: string, messageId: string): Promise<string> {
  if (!MESSAGE_ID.test(messageId)) {
    throw new ValidationError(
      `--discard takes a message id as --list shows it (a UUID), not ${JSON.stringify(messageId.slice(0, 60))}`,
    );
  }
  requireStopped(dataDir);
  const name = `threadline-${queue}-dlq`;
  try {
    await unlink(join(dataDir, 'queues', `${queue}-dlq`, `${messageId.toLowerCase()}.json`));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new ValidationError(
      `${name} holds no message ${messageId}: see npm run redrive -- ${queue} --local --list`,
    );
  }
  return `Deleted message ${messageId} from ${name}; it will not be redriven.`;
}

/** Moves the files of `<queue>-dlq` to `<queue>` while no runtime uses the folder; answers their ids. */
async function redriveLocal(queue: RedriveQueue, dataDir: string): Promise<string[]> {
  requireStopped(dataDir);
  // Read before the move: with no runtime, what the folder holds is what moves.
  const ids = readDeadLetters(join(dataDir, 'queues', `${queue}-dlq`)).messages.map((m) => m.messageId);
  if (queue === 'webhooks') await localWebhookQueue(dataDir).redrive();
  // The queues as the runtime makes them; none is started, so nothing is consumed here.
  else await localQueues({ dataDir, timings: undefined, outboundMaxAttempts: 1 })[queue].redrive();
  return ids;
}

/** The webhook deliveries' queue and dead-letter queue in the folders local webhooks.ts keeps them in. */
function localWebhookQueue(dataDir: string): LocalQueue {
  const dir = (name: string) => join(dataDir, 'queues', name);
  const deadLetter = new LocalQueue({ name: 'threadline-webhooks-dlq', dir: dir('webhooks-dlq') });
  return new LocalQueue({ name: 'threadline-webhooks', dir: dir('webhooks'), deadLetter });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  redrive(process.argv.slice(2), {
    sqs: () => new SQSClient({}),
    dataDir: loadConfig().DATA_DIR,
    write: (line) => process.stdout.write(`${line}\n`),
  }).catch((error: unknown) => {
    process.stderr.write(`${error instanceof ValidationError ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
