import { useState } from 'preact/hooks';
import type { AgentRow } from './agents.js';

/** Where a transfer goes: an agent (`""` takes it back to the queue), a queue, or both. */
export interface TransferTarget {
  agentId?: string;
  queue?: string;
}

const NOBODY = '\u0000nobody';

/** Transfer to a registered agent and/or a known queue, picked from lists; cleared once it went through. */
export function TransferForm(props: {
  agents: AgentRow[];
  queues: string[];
  assignee: string | undefined;
  onTransfer(target: TransferTarget): Promise<boolean>;
}) {
  const [agent, setAgent] = useState('');
  const [queue, setQueue] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="transfer"
      aria-label="Transfer"
      onSubmit={async (e) => {
        e.preventDefault();
        const target: TransferTarget = {
          ...(agent ? { agentId: agent === NOBODY ? '' : agent } : {}),
          ...(queue ? { queue } : {}),
        };
        setBusy(true);
        const done = await props.onTransfer(target);
        setBusy(false);
        if (done) {
          setAgent('');
          setQueue('');
        }
      }}
    >
      <label>
        Agent
        <select onChange={(e) => setAgent(e.currentTarget.value)}>
          <option value="" selected={!agent}>
            Choose an agent
          </option>
          {props.assignee ? (
            <option value={NOBODY} selected={agent === NOBODY}>
              Nobody (back to the queue)
            </option>
          ) : null}
          {props.agents.map((a) => (
            <option key={a.id} value={a.id} selected={agent === a.id}>
              {a.id} ({a.presence}, {a.openConversations}/{a.capacity})
            </option>
          ))}
        </select>
      </label>
      <label>
        Queue
        <select onChange={(e) => setQueue(e.currentTarget.value)}>
          <option value="" selected={!queue}>
            Choose a queue
          </option>
          {props.queues.map((q) => (
            <option key={q} value={q} selected={queue === q}>
              {q}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={busy || (!agent && !queue)}>
        Transfer
      </button>
    </form>
  );
}
