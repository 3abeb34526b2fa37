import type { ClockEvent } from '../clock-ports.js';
import type { Conversation } from '../timeline.js';
import type { AutomationTrigger } from './rules.js';

/** One occurrence of a trigger on a conversation; `key` is stable for it (a redelivery has the same). */
export interface TriggerOccurrence {
  trigger: AutomationTrigger;
  conversationId: string;
  key: string;
  /** When the trigger happened. */
  at: string;
}

/**
 * The triggers a clock event is: a message (the first one, and one that reopens a resolved
 * conversation, also opens it), an agent's reply, a resolve. A new conversation opens once, at its
 * creation: every message timed before the resolver wrote it (a phone's queued messages, a backlog)
 * reads as its first, and each is the same occurrence. One that something asking nothing opened first
 * (a call's ringing, a reaction: `firstWord`) opens at the customer's first word in it.
 */
export function clockTriggers(conversation: Conversation, event: ClockEvent): TriggerOccurrence[] {
  const base = { conversationId: event.conversationId, key: event.at, at: event.at };
  // An unmerge's reopen: nobody wrote, and the conversation was opened before.
  if (event.type === 'inbound' && event.unmerged === true) return [];
  // A system's mail for a person (a Jira comment, list mail): an automation answering it may start a loop.
  if (event.type === 'inbound' && event.automated === true) return [];
  if (event.type === 'inbound') {
    const openedAt =
      event.reopened === true
        ? event.at
        : conversation.createdAt >= event.at
          ? conversation.createdAt
          : event.firstWord === true
            ? event.at
            : undefined;
    return [
      ...(openedAt
        ? [{ ...base, key: openedAt, at: openedAt, trigger: 'conversation_opened' as const }]
        : []),
      { ...base, trigger: 'message_received' as const },
    ];
  }
  if (event.type === 'reply')
    return event.author === 'agent' ? [{ ...base, trigger: 'agent_replied' as const }] : [];
  if (event.type === 'resolved') return [{ ...base, trigger: 'conversation_resolved' as const }];
  // A reply's failed delivery is no trigger (the `agent_replied` it fired stands).
  return [];
}

/** The version of a delayed rule's timer: the trigger and the occurrence's key. */
export const occurrenceVersion = (o: Pick<TriggerOccurrence, 'trigger' | 'key'>): string =>
  `${o.trigger}@${o.key}`;

/**
 * Whether a delayed rule's timer is superseded: the customer wrote again after the message that set it
 * (the newer message set its own timer), so following up on both would repeat the follow-up.
 */
export function isSuperseded(conversation: Conversation, occurrence: TriggerOccurrence): boolean {
  const byMessage = occurrence.trigger === 'message_received' || occurrence.trigger === 'conversation_opened';
  return byMessage && conversation.lastMessageAt !== undefined && conversation.lastMessageAt > occurrence.at;
}
