import { agentBy } from './format.js';
import { returnReasonText } from './return-reasons.js';

/** An `assigned` event in words: to whom or which queue, by whom, or why Threadline moved it. */
export function assignedText(d: Record<string, unknown>): string {
  const to = (d.to ?? d) as { agentId?: string | null; queue?: string | null };
  const from = d.from as { agentId?: string | null } | undefined;
  const why = returnReasonText(d.reason);
  const back = `Returned to queue${to.queue ? ` ${to.queue}` : ''}: ${from?.agentId ?? 'the agent'} ${why}`;
  if (why) return to.agentId ? `${back}; assigned to ${to.agentId}` : back;
  const agent = agentBy(d);
  const by = agent ? ` by ${agent}` : '';
  if (to.agentId) return `Assigned to ${to.agentId}${to.queue ? ` (queue ${to.queue})` : ''}${by}`;
  if (to.queue) return `Waiting in queue ${to.queue}${by}`;
  return `Unassigned${by}`;
}
