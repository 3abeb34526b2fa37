import { AUTOMATION_AUTHOR_ID, type AutomationPorts } from '../domain/automation-ports.js';
import { type AutomationAction, otherChannels } from '../domain/automations/rules.js';
import type { ConversationClockDeps } from '../domain/clock-ports.js';
import type { Channel } from '../domain/envelope.js';
import { checkReplyRules, isRefusal, replyWindowOn, standingBlock } from '../domain/replies.js';
import { checkReplyContent, uncarried } from '../domain/reply-content.js';
import { durationMs } from '../domain/sla/duration.js';
import { snoozedItem, snoozeTimer } from '../domain/snooze.js';
import type { Conversation } from '../domain/timeline.js';
import { contactStateQuery } from '../domain/whatsapp-opt-out.js';
import { logger } from '../log.js';
import { refillHolder } from './refill-holder.js';
import { replyDestination } from './reply-destination.js';
import { sendReply } from './send-reply.js';

/** What one action did: `done`, or `skipped` and why (a reply the channel's rules refuse, nothing to do). */
export interface ActionOutcome {
  type: AutomationAction['type'];
  outcome: 'done' | 'skipped';
  channel?: Channel;
  reason?: string;
  detail?: string;
}

type ReplyAction = Extract<AutomationAction, { type: 'reply' }>;

/** What an automation's reply carries, as the content check reads it (never attachments). */
const contentOf = (action: ReplyAction) => ({
  text: action.text,
  template: action.template,
  attachments: [],
});

/**
 * The customer's most recent other channel the reply rules allow now and that carries it, or undefined;
 * never the web chat of a visitor the site did not vouch for (see defaultedDestination).
 */
async function otherChannel(ports: AutomationPorts, conversation: Conversation, action: ReplyAction) {
  const hasTemplate = action.template !== undefined;
  const { store, clock } = ports.replies;
  const { partitions, customers: profiles } = await store.mergedCustomers(conversation.customerId);
  const root = profiles.find((c) => c.id === (partitions[0] ?? conversation.customerId));
  if (!root) return undefined;
  const latest: Partial<Record<Channel, string>> = {};
  for (const p of profiles) {
    for (const [channel, at] of Object.entries(p.lastInboundByChannel) as [Channel, string][]) {
      if (!latest[channel] || latest[channel] < at) latest[channel] = at;
    }
  }
  for (const channel of otherChannels(latest, conversation.channel)) {
    if (uncarried(channel, contentOf(action))) continue;
    try {
      const { to, from, latestEmails, vouched } = await replyDestination(
        store,
        { customer: root, partitions, profiles, lastInboundAt: conversation.lastInboundAt },
        channel,
        conversation.id,
      );
      // Never chosen for the customer: the chat of a visitor nobody vouched for (a stranger merged in).
      if (vouched === false) continue;
      const state = await store.getContactState(...contactStateQuery(channel, to, from));
      checkReplyRules({
        channel,
        now: clock.now(),
        ...replyWindowOn(profiles, channel),
        hasTemplate,
        automated: true,
        blocked: standingBlock(state, to, latestEmails),
      });
      return channel;
    } catch (error) {
      if (!isRefusal(error)) throw error;
    }
  }
  return undefined;
}

/** Sends a reply through the reply rules; a refusal is an outcome, not a failure. */
async function reply(
  ports: AutomationPorts,
  conversation: Conversation,
  action: ReplyAction,
  key: string,
): Promise<ActionOutcome> {
  const channel =
    action.channel === 'other'
      ? await otherChannel(ports, conversation, action)
      : action.channel === 'last'
        ? conversation.channel
        : action.channel;
  if (!channel) return { type: 'reply', outcome: 'skipped', reason: 'no_channel_open' };
  try {
    // Content the channel cannot carry (a template off WhatsApp, with text) is skipped, not queued to fail.
    checkReplyContent(channel, contentOf(action));
    await sendReply(ports.replies, {
      conversationId: conversation.id,
      request: { text: action.text, template: action.template, channel, attachments: [] },
      agentId: AUTOMATION_AUTHOR_ID,
      author: { kind: 'ai', id: AUTOMATION_AUTHOR_ID },
      idempotencyKey: key,
    });
    return { type: 'reply', outcome: 'done', channel };
  } catch (error) {
    if (!isRefusal(error)) throw error;
    const skipped = { conversationId: conversation.id, channel, reason: error.code, detail: error.message };
    logger.info('automation reply skipped', skipped);
    return { type: 'reply', outcome: 'skipped', channel, reason: error.code, detail: error.message };
  }
}

/**
 * An assignment: to an agent only when registered (`GET /api/agents`). One who never registered or was
 * removed is skipped (`unknown_agent`, with a log line): the conversation stays with whoever has it,
 * moved to the rule's queue if it names one.
 */
async function assign(
  deps: ConversationClockDeps,
  conversation: Conversation,
  action: Extract<AutomationAction, { type: 'assign' }>,
  key: string,
  at: string,
): Promise<ActionOutcome> {
  const { agent, queue } = action;
  // The agent who had it has room again when it went to another agent (a queue alone keeps its agent).
  const leaves = (to: string | undefined) =>
    to !== undefined && to !== conversation.assignee
      ? refillHolder(deps, conversation.assignee, conversation.id)
      : undefined;
  if (agent === undefined || (await deps.store.getAgent(agent))) {
    await deps.admin.assign(
      conversation.id,
      { agentId: agent, queue },
      AUTOMATION_AUTHOR_ID,
      at,
      `assigned:${key}`,
    );
    await leaves(agent);
    return { type: 'assign', outcome: 'done' };
  }
  if (queue !== undefined) {
    await deps.admin.assign(conversation.id, { queue }, AUTOMATION_AUTHOR_ID, at, `assigned:${key}`);
  }
  const detail = `no agent "${agent}" is registered (GET /api/agents)${queue === undefined ? '' : `; moved to the ${queue} queue`}`;
  logger.warn('automation assign skipped', {
    conversationId: conversation.id,
    agent,
    reason: 'unknown_agent',
  });
  return { type: 'assign', outcome: 'skipped', reason: 'unknown_agent', detail };
}

/**
 * Carries out a rule's actions in order, each idempotent under `key` (a retry repeats none of them):
 * replies through the reply rules (windows, templates, STOP, suppression), notes, assignments, tags,
 * snooze and resolve. `at` is when the rule fires, so a retry computes the same snooze. The agent an
 * assignment or a resolve leaves takes waiting work (`refillHolder`), never this conversation.
 */
export async function runAutomationActions(
  deps: ConversationClockDeps & { automations: AutomationPorts },
  input: { conversation: Conversation; actions: readonly AutomationAction[]; key: string; at: string },
): Promise<ActionOutcome[]> {
  const { key, at } = input;
  // Who has it as the actions go: an assignment earlier in the rule makes its agent the one a resolve frees.
  let conversation = input.conversation;
  const { id } = conversation;
  const outcomes: ActionOutcome[] = [];
  for (const [i, action] of input.actions.entries()) {
    const actionKey = `${key}:${i}`;
    if (action.type === 'reply') {
      outcomes.push(await reply(deps.automations, conversation, action, actionKey));
    } else if (action.type === 'note') {
      await deps.admin.addNote(id, action.text, AUTOMATION_AUTHOR_ID, at, actionKey, 'ai');
      outcomes.push({ type: 'note', outcome: 'done' });
    } else if (action.type === 'assign') {
      const outcome = await assign(deps, conversation, action, actionKey, at);
      if (outcome.outcome === 'done' && action.agent !== undefined)
        conversation = { ...conversation, assignee: action.agent };
      outcomes.push(outcome);
    } else if (action.type === 'tag') {
      const customer = await deps.store.getCustomer(conversation.customerId);
      const tags = [...new Set([...(customer?.tags ?? []), ...action.tags])];
      if (customer) await deps.automations.setTags(customer.id, tags);
      outcomes.push(
        customer
          ? { type: 'tag', outcome: 'done' }
          : { type: 'tag', outcome: 'skipped', reason: 'no_customer' },
      );
    } else if (action.type === 'snooze') {
      const until = new Date(Date.parse(at) + (durationMs(action.for) ?? 0)).toISOString();
      const snoozed = await deps.store.snooze(id, until);
      if (snoozed) {
        await deps.timers.schedule(snoozeTimer(id, until));
        // On the timeline as an agent's snooze is, so it is seen there and sent as conversation.snoozed.
        const item = snoozedItem(conversation, { until, at, by: AUTOMATION_AUTHOR_ID });
        await deps.store.putTimelineItem(item, undefined);
      }
      outcomes.push(
        snoozed
          ? { type: 'snooze', outcome: 'done' }
          : { type: 'snooze', outcome: 'skipped', reason: 'conversation_not_open' },
      );
    } else {
      if (conversation.status === 'open') {
        const resolvedAt = await deps.admin.resolveConversation(id, AUTOMATION_AUTHOR_ID, at);
        if (resolvedAt !== undefined) {
          await deps.automations.replies.track?.({ type: 'resolved', conversationId: id, at: resolvedAt });
          await refillHolder(deps, conversation.assignee, id);
        }
      }
      outcomes.push({ type: 'resolve', outcome: conversation.status === 'open' ? 'done' : 'skipped' });
    }
  }
  return outcomes;
}
