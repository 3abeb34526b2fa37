import type { AgentRow } from './agents.js';
import type { Filters } from './inbox.js';

/** Whether the inbox shows its first view: open conversations, nobody's nor any queue's or channel's alone. */
const unfiltered = (f: Filters): boolean =>
  f.status === 'open' && !f.assignee && !f.queue.trim() && !f.channel;

/**
 * What an empty inbox says: what the list would show, and the next step. Filtered, to change the
 * filters; else, for an agent Away, Online (and a queue when in none: routing hands them nothing
 * before; Online in no queue, the header says so already); for an admin, where the README says how a channel is connected (nothing arrives before).
 */
export function EmptyInbox(props: {
  filters: Filters;
  me: { agentId: string; admin: boolean };
  agents: readonly AgentRow[];
  queues: readonly string[];
}) {
  if (!unfiltered(props.filters)) {
    return (
      <div class="empty-inbox muted">
        <p>No conversations match these filters. Change them above to see others.</p>
      </div>
    );
  }
  const mine = props.agents.find((a) => a.id === props.me.agentId);
  return (
    <div class="empty-inbox muted">
      <p>
        No open conversations. Customers' messages waiting for an answer show here, longest waiting first.
      </p>
      {mine?.presence === 'away' ? (
        <p>
          You are Away: switch to Online at the top to be handed conversations
          {!mine.queues.length && props.queues.length ? ', and pick your queues under Queues' : ''}.
        </p>
      ) : null}
      {props.me.admin ? (
        <p>
          Nothing has come in yet? Connect a channel: see “Try it locally” and “Webhook routes” in the README
          (the web chat: “Web chat”).
        </p>
      ) : null}
    </div>
  );
}
