import { useEffect, useRef } from 'preact/hooks';
import type { Conversation, TimelineItem } from './api.js';
import { confirmInPage } from './confirm.js';
import { agentBy } from './format.js';

/**
 * The `resolved` event of the conversation's current resolve (its time is the conversation's
 * `resolvedAt`), or its latest one when the conversation does not say; undefined until it has come.
 */
function resolveEvent(items: readonly TimelineItem[], c: Conversation): TimelineItem | undefined {
  return items.findLast(
    (i) =>
      i.type === 'event' &&
      i.event === 'resolved' &&
      (i.conversationId ?? i.data?.conversationId) === c.id &&
      (c.resolvedAt === undefined || i.at === c.resolvedAt),
  );
}

/**
 * Who resolved the conversation as the timeline says: null until its event has come, undefined when it
 * was this agent (from another tab: they know of it).
 */
export function resolverOf(
  items: readonly TimelineItem[],
  c: Conversation,
  me: string,
): string | null | undefined {
  const event = resolveEvent(items, c);
  if (!event) return null;
  if (event.data?.by === me) return undefined;
  return agentBy(event.data ?? {}) ?? 'Threadline (a rule, a timer or a merge)';
}

/** What a Reopen asks of a resolve the agent has not seen, naming who resolved; nothing when it was this agent. */
function reopenQuestion(items: readonly TimelineItem[], c: Conversation, me: string): string | undefined {
  const who = resolverOf(items, c, me);
  if (who === undefined) return undefined;
  return `${who ?? 'Someone else'} resolved this conversation after you last saw it open. Reopen it?`;
}

/**
 * Guards the header's Resolve/Reopen (button and `e`) against reopening a resolve the agent has not
 * seen: one that came into this view by anything but this agent's own action (another agent's, live;
 * a stale copy corrected by a read after a reload or a dropped socket). Such a Reopen asks first, once:
 * answered either way, the resolve has been seen and the next Reopen is meant. A conversation opened
 * resolved was seen resolved. No clock is involved: the question holds however long the agent was away.
 */
export function useReopenCheck(c: Conversation, items: readonly TimelineItem[], me: string) {
  const state = useRef({ status: c.status, unseen: false, expected: undefined as string | undefined });
  const s = state.current;
  useEffect(() => {
    if (s.status === c.status) return;
    s.status = c.status;
    const own = s.expected === c.status;
    s.expected = undefined;
    s.unseen = c.status === 'resolved' && !own;
  }, [c.status]);
  return async (work: () => Promise<void>): Promise<void> => {
    if (c.status !== 'open' && s.unseen) {
      s.unseen = false;
      const question = reopenQuestion(items, c, me);
      if (question && !(await confirmInPage(question, 'Reopen'))) return;
    }
    s.expected = c.status === 'open' ? 'resolved' : 'open';
    try {
      await work();
    } catch (error) {
      s.expected = undefined;
      throw error;
    }
  };
}
