import { useState } from 'preact/hooks';
import { agentState } from './agent-state.js';
import type { AgentRow } from './agents.js';
import type { Api, Page } from './api.js';
import { confirmInPage } from './confirm.js';
import { ErrorNote } from './ui.js';

/** A removed agent who still holds open conversations, as `GET /api/agents/removed` lists them. */
interface RemovedRow {
  id: string;
  openConversations: number;
}

/**
 * Admins only: every registered agent, each with Remove (asked in the page first), which calls
 * `DELETE /api/agents/{id}`: their waiting conversations go back to their queues, the answered ones stay
 * theirs, and their sign-in stops working until an admin restores them. An admin's own row has none (they
 * would lock themselves out). Under them, read each time the list opens and after a removal, the removed
 * agents still holding conversations, each with a button showing the inbox of theirs (`onShowHeld`):
 * the Assigned filter lists registered agents only.
 */
export function TeamAdmin(props: {
  api: Api;
  agents: readonly AgentRow[];
  me: string;
  onRemoved(agentId: string): void;
  onShowHeld(agentId: string): void;
}) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState<string>();
  const [removed, setRemoved] = useState<RemovedRow[]>([]);
  const readRemoved = () =>
    props.api.get<Page<RemovedRow>>('/api/agents/removed').then(
      (page) => setRemoved(page.items),
      () => undefined,
    );
  const remove = async (id: string) => {
    const text = `Remove ${id}? Their conversations waiting on an answer go back to their queues; those they answered stay theirs to transfer (listed here under the agents), and go back to their queue once the customer writes again. They can no longer sign in until an admin restores them.`;
    if (!(await confirmInPage(text, 'Remove agent'))) return;
    setError('');
    setBusy(id);
    try {
      await props.api.send('DELETE', `/api/agents/${encodeURIComponent(id)}`);
      props.onRemoved(id);
      void readRemoved();
    } catch (e) {
      setError(`${id} was not removed: ${(e as Error).message}`);
    } finally {
      setBusy(undefined);
    }
  };
  const now = Date.now();
  return (
    <details class="team" onToggle={(e) => e.currentTarget.open && void readRemoved()}>
      <summary>Agents ({props.agents.length})</summary>
      <div class="team-panel">
        {props.agents.length ? null : (
          <p class="hint">
            No agents have signed in yet: an agent is listed once they sign in to the console.
          </p>
        )}
        <ul aria-label="Registered agents">
          {props.agents.map((agent) => (
            <li key={agent.id}>
              <span>
                {agent.id}
                {agent.id === props.me ? ' (you)' : ''}: {agentState(agent, now)}, {agent.openConversations}{' '}
                open
              </span>
              {agent.id === props.me ? null : (
                <button
                  type="button"
                  class="danger"
                  aria-label={`Remove ${agent.id}`}
                  disabled={busy === agent.id}
                  onClick={() => void remove(agent.id)}
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
        <RemovedHolding removed={removed} onShowHeld={props.onShowHeld} />
        <ErrorNote message={error} />
      </div>
    </details>
  );
}

/** The removed agents still holding conversations, each with Show (the inbox of theirs); none, nothing. */
function RemovedHolding(props: { removed: readonly RemovedRow[]; onShowHeld(agentId: string): void }) {
  if (!props.removed.length) return null;
  return (
    <>
      <p class="hint">Removed, still holding conversations (transfer them):</p>
      <ul aria-label="Removed agents still holding conversations">
        {props.removed.map((agent) => (
          <li key={agent.id}>
            <span>
              {agent.id}: {agent.openConversations} open
            </span>
            <button
              type="button"
              aria-label={`Show ${agent.id}’s conversations`}
              onClick={() => props.onShowHeld(agent.id)}
            >
              Show
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
