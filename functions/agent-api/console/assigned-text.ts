import { agentBy } from './format.js';

/** Why Threadline moved a conversation on its own (the `assigned` event's `reason`). */
const RETURN_TEXT: Record<string, string> = { agent_away: 'set Away', agent_offline: 'went offline' };

/** An `assigned` event in words: to whom or which queue, by whom, or why Threadline moved it. */
export function assignedText(d: Record<string, unknown>): string {
  const to = (d.to ?? d) as { agentId?: string | null; queue?: string | null };
  const from = d.from as { agentId?: string | null } | undefined;
  const why = typeof d.reason === 'string' ? RETURN_TEXT[d.reason] : undefined;
  const back = `Returned to queue${to.queue ? ` ${to.queue}` : ''}: ${from?.agentId ?? 'the agent'} ${why}`;
  if (why) return to.agentId ? `${back}; assigned to ${to.agentId}` : back;
  const agent = agentBy(d);
  const by = agent ? ` by ${agent}` : '';
  if (to.agentId) return `Assigned to ${to.agentId}${to.queue ? ` (queue ${to.queue})` : ''}${by}`;
  if (to.queue) return `Waiting in queue ${to.queue}${by}`;
  return `Unassigned${by}`;
}
