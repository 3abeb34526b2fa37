import { useEffect, useState } from 'preact/hooks';
import { agentState } from './agent-state.js';
import type { AgentRow } from './agents.js';
import { CHANNELS, channelName } from './format.js';
import type { Filters } from './inbox.js';

/**
 * The Assigned filter's choices: anyone, mine, unassigned, then every other registered agent with
 * their state (online, away, or offline once their console lease ran out: `agentState`) and load, so a lead sees what one agent holds (an absent one's too); then those who
 * hold a conversation in view but are not registered (they never opened the console since it registers
 * its agents: an API client, say), so what they hold can be found and moved; an agent the filter names
 * who is not listed (yet) keeps their option.
 */
export function assigneeOptions(
  agents: readonly AgentRow[],
  me: string,
  chosen: string,
  conversations: ReadonlyArray<{ assignee?: string | undefined }> = [],
): Array<[string, string]> {
  const others = agents.filter((a) => a.id !== me);
  const now = Date.now();
  const rows: Array<[string, string]> = others.map((a) => [
    a.id,
    `${a.id} (${agentState(a, now)}, ${a.openConversations} open)`,
  ]);
  const listed = new Set([me, ...agents.map((a) => a.id)]);
  const holders = new Set(
    conversations.flatMap((c) => (c.assignee && !listed.has(c.assignee) ? [c.assignee] : [])),
  );
  for (const id of [...holders].sort()) rows.push([id, `${id} (not registered)`]);
  const fixed = ['', 'me', 'unassigned'];
  if (chosen && !fixed.includes(chosen) && !rows.some(([id]) => id === chosen)) rows.push([chosen, chosen]);
  return [['', 'Anyone'], ['me', 'Mine'], ['unassigned', 'Unassigned'], ...rows];
}

/** The inbox's filters: status, who has it (any registered agent), channel, queue (known ones offered), sort. */
export function FilterForm(props: {
  filters: Filters;
  onFilters(filters: Filters): void;
  agents: readonly AgentRow[];
  me: string;
  queues: readonly string[];
  /** The conversations in view: who holds one without being registered is offered too. */
  conversations?: ReadonlyArray<{ assignee?: string | undefined }> | undefined;
}) {
  const { filters } = props;
  const set = (patch: Partial<Filters>) => props.onFilters({ ...filters, ...patch });
  const select = (label: string, key: keyof Filters, options: Array<[string, string]>) => (
    <label>
      {label}
      <select value={filters[key]} onChange={(e) => set({ [key]: e.currentTarget.value })}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form class="filters" aria-label="Inbox filters" onSubmit={(e) => e.preventDefault()}>
      {select('Status', 'status', [
        ['open', 'Open'],
        ['resolved', 'Resolved'],
        ['snoozed', 'Snoozed'],
      ])}
      {select(
        'Assigned',
        'assignee',
        assigneeOptions(props.agents, props.me, filters.assignee, props.conversations),
      )}
      {select('Channel', 'channel', [
        ['', 'Any'],
        ...CHANNELS.map((c): [string, string] => [c, channelName(c)]),
      ])}
      <QueueFilter queue={filters.queue} queues={props.queues} onQueue={(queue) => set({ queue })} />
      {select('Sort', 'sort', [
        ['waiting', 'Waiting longest'],
        ['due', 'SLA due soonest'],
      ])}
    </form>
  );
}

/**
 * The queue filter: a name typed (one of the policy's offered), applied when it is committed (Enter or
 * leaving the field). What is typed is the field's own, so a redraw meanwhile (a live update, the clock)
 * does not put the applied value back under the agent's hands.
 */
function QueueFilter(props: { queue: string; queues: readonly string[]; onQueue(queue: string): void }) {
  const [typed, setTyped] = useState(props.queue);
  useEffect(() => setTyped(props.queue), [props.queue]);
  return (
    <label>
      Queue
      <input
        value={typed}
        placeholder="any"
        list="known-queues"
        onInput={(e) => setTyped(e.currentTarget.value)}
        onChange={(e) => props.onQueue(e.currentTarget.value)}
      />
      <datalist id="known-queues">
        {props.queues.map((q) => (
          <option key={q} value={q} />
        ))}
      </datalist>
    </label>
  );
}
