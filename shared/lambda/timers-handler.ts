import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { fireTimer } from '../app/fire-timer.js';
import { reconcileAgentLoad } from '../app/reconcile-agent-load.js';
import { returnAbsentAgents } from '../app/return-absent-agents.js';
import { trackConversationClock } from '../app/track-conversation-clock.js';
import { dynamoDbLite } from '../aws/dynamodb-lite.js';
import { getSecretString } from '../aws/secrets-lite.js';
import { reopenWindowMsOf } from '../config/resolver-settings.js';
import { loadConfigWithSecrets } from '../config/secrets.js';
import { AGENT_AWAY_TASK } from '../domain/agent-away.js';
import { AGENT_LOAD_TASK } from '../domain/agent-load.js';
import type { ClockEvent } from '../domain/clock-ports.js';
import { systemClock } from '../domain/ports.js';
import { ValidationError } from '../errors.js';
import { logger } from '../log.js';
import { createTimersConsumer } from '../queue/timers-consumer.js';
import { type DynamoRepositories, dynamoRepositories, storePorts } from '../store/dynamo-repositories.js';
import { awsConversationClock, withAutomations } from './conversation-clock.js';
import { sqsReplies } from './replies.js';

/** What the timers function is invoked with: a batch from the timers queue, or a scheduled task. */
export type TimersEvent = SQSEvent | { task: string };

/** The agents' load reconciled against the table, its counts logged (ids and counts only). */
async function reconcileLoad(repos: DynamoRepositories): Promise<void> {
  const store = storePorts(repos);
  const report = await reconcileAgentLoad({
    load: repos.agentLoad,
    store,
    admin: repos.conversations,
    clock: systemClock,
  });
  logger.info('agents\u2019 load reconciled', { ...report });
}

/** The absent-agent sweep over the table, its counts logged when it moved anything (ids and counts only). */
async function sweepAbsentAgents(repos: DynamoRepositories): Promise<void> {
  const store = storePorts(repos);
  const report = await returnAbsentAgents({
    store,
    admin: repos.conversations,
    away: repos.agents,
    clock: systemClock,
  });
  if (report.returned || report.taken) logger.info('absent agents\u2019 sweep done', { ...report });
}

/**
 * The timers function's two doors: SQS batches of timers, and the periodic tasks EventBridge rules
 * invoke it with (`{"task": "reconcile-agent-load"}`, `{"task": "return-absent-agents"}`); an unknown task fails, so it is seen.
 */
export function timersEntry(
  consume: (event: SQSEvent) => Promise<SQSBatchResponse>,
  tasks: Readonly<Record<string, () => Promise<void>>>,
): (event: TimersEvent) => Promise<SQSBatchResponse | undefined> {
  return async (event) => {
    if ('Records' in event) return consume(event);
    const task = Object.hasOwn(tasks, event.task) ? tasks[event.task] : undefined;
    if (!task) {
      logger.error('unknown scheduled task', { task: String(event.task).slice(0, 64) });
      throw new ValidationError('unknown scheduled task');
    }
    await task();
    return undefined;
  };
}

/**
 * The timers function on AWS: timers from the timers queue (put there by Scheduler) fired against the
 * table; automations and surveys reply through the outbound queue (the signing secret: the survey links' key);
 * and the agents' load reconcile, on its schedule.
 */
export async function createTimersHandler(): Promise<
  (event: TimersEvent) => Promise<SQSBatchResponse | undefined>
> {
  const config = await loadConfigWithSecrets((id) => getSecretString(id), process.env, {
    uses: ['CSAT_SIGNING_SECRET'],
  });
  const repos = dynamoRepositories(dynamoDbLite(), config.TABLE_NAME);
  const base = awsConversationClock(config, repos);
  // Only the timers settle a missed call (the resolver sets its timer): its writes are theirs alone.
  // The reopen window is the resolver's: a missed call reopens or opens as a message would.
  const reopenWindowMs = reopenWindowMsOf(config);
  const clock = { ...base, store: { ...base.store, ...repos.missedCalls }, reopenWindowMs };
  if (config.OUTBOUND_QUEUE_URL) {
    const track = (event: ClockEvent) => trackConversationClock(clock, event);
    withAutomations(clock, repos, {
      ...sqsReplies(storePorts(repos), config.OUTBOUND_QUEUE_URL, config.WEBCHAT_BUSINESS_NAME),
      track,
    });
  }
  const consume = createTimersConsumer((timer) => fireTimer(clock, timer));
  return timersEntry(consume, {
    [AGENT_LOAD_TASK]: () => reconcileLoad(repos),
    [AGENT_AWAY_TASK]: () => sweepAbsentAgents(repos),
  });
}
