import { runAgentRefill } from '../app/agent-refill.js';
import { refillOver } from '../app/refill-holder.js';
import type { ReplyDeps } from '../app/send-reply.js';
import { liteScheduling } from '../aws/scheduler-lite.js';
import { SchedulerTimers } from '../aws/scheduler-timers.js';
import { type Config, requireSettings } from '../config/config.js';
import { csatSettings } from '../config/csat-settings.js';
import { loadRoutingPolicy } from '../config/routing-policy-file.js';
import { fallbackDelayMs } from '../config/webchat-settings.js';
import type { ConversationClockDeps } from '../domain/clock-ports.js';
import { once } from '../domain/on-first-use.js';
import { systemClock } from '../domain/ports.js';
import { log } from '../log.js';
import type { DynamoRepositories } from '../store/dynamo-repositories.js';
import { clockPorts, type MessageRepositories, storePorts } from '../store/message-repositories.js';

/**
 * The conversation clock's parts on AWS: timers as EventBridge Scheduler schedules (or delayed
 * messages) on the timers queue, the routing policy's `sla` and `autoResolve` (`policy`: read on first
 * use), the table.
 */
function clockParts(config: Config, repos: MessageRepositories) {
  const settings = requireSettings(config, [
    'TIMERS_QUEUE_URL',
    'TIMERS_QUEUE_ARN',
    'TIMERS_SCHEDULER_ROLE_ARN',
    'TIMERS_SCHEDULE_GROUP',
  ]);
  const timers = new SchedulerTimers(
    liteScheduling(),
    {
      queueUrl: settings.TIMERS_QUEUE_URL,
      queueArn: settings.TIMERS_QUEUE_ARN,
      roleArn: settings.TIMERS_SCHEDULER_ROLE_ARN,
      group: settings.TIMERS_SCHEDULE_GROUP,
      deadLetterArn: settings.TIMERS_DEAD_LETTER_ARN,
    },
    systemClock,
  );
  const agents = { store: storePorts(repos), admin: repos.conversations, clock: systemClock };
  return {
    parts: {
      store: clockPorts(repos),
      admin: repos.conversations,
      timers,
      clock: systemClock,
      log,
      // The agent an auto-resolve or an automation leaves takes waiting work.
      refill: refillOver(agents),
      // An `agent_refill` timer (a presence change's, a resolve's), run by the timers function.
      refillAgent: (agentId: string, round: number) =>
        runAgentRefill({ ...agents, refillTimers: timers }, agentId, round),
    },
    // Parsed on first use: zod's first parse of the policy schema is ~15 ms of a cold start, which the
    // agent API's requests that set no clock never need, nor the sender's replies that went out. The
    // resolver parses the same file at start.
    policy: once(() => loadRoutingPolicy(config.ROUTING_POLICY_FILE)),
  };
}

/**
 * The conversation clock on AWS as the sender moves it (an answer it gave up on, `unanswered`): SLAs
 * and silences, with their timers. No web-chat fallback nor survey, which only a reply or a resolve sets.
 */
export function awsAnswerClock(config: Config, repos: MessageRepositories): ConversationClockDeps {
  const { parts, policy } = clockParts(config, repos);
  return {
    ...parts,
    get policy() {
      return policy();
    },
  };
}

/**
 * The conversation clock on AWS: `awsAnswerClock`'s, with the web-chat email fallback and the surveys;
 * and the erasure's second pass where the function has the privacy repository (the resolver builds
 * only `messageRepositories`: it fires no timer).
 */
export function awsConversationClock(
  config: Config,
  repos: MessageRepositories & Partial<Pick<DynamoRepositories, 'privacy'>>,
): ConversationClockDeps {
  const { parts, policy } = clockParts(config, repos);
  return {
    ...parts,
    get policy() {
      return policy();
    },
    webchatFallbackMs: fallbackDelayMs(config.WEBCHAT_EMAIL_FALLBACK_DELAY),
    webchatBusinessName: config.WEBCHAT_BUSINESS_NAME,
    webchatAllowedOrigins: config.WEBCHAT_ALLOWED_ORIGINS,
    // Email survey links need PUBLIC_BASE_URL and CSAT_SIGNING_SECRET (the timers function has both).
    csat: csatSettings(config, { store: storePorts(repos), setCsatPending: repos.customers.setCsatPending }),
    // The erasure's second pass, fired by the timers function (which may delete items for it).
    erasures: repos.privacy,
  };
}

/** Lets the clock's automations act: replies through `replies` (the reply rules, the outbound queue), tags, markers. */
export function withAutomations(
  clock: ConversationClockDeps,
  repos: MessageRepositories,
  replies: ReplyDeps,
): void {
  clock.automations = {
    replies,
    setTags: (customerId, tags) => repos.customers.setTags(customerId, tags),
    getTimelineItem: (customerId, at, itemId) => repos.timeline.getTimelineItem(customerId, at, itemId),
    recentTimeline: (partitions, limit) => repos.timeline.recentTimeline(partitions, limit),
  };
}
