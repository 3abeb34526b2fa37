import { useState } from 'preact/hooks';
import type { AgentRow } from './agents.js';
import type { Api } from './api.js';
import { confirmInPage } from './confirm.js';
import { ErrorNote } from './ui.js';

/**
 * Admins only: every registered agent, each with Remove (asked in the page first), which calls
 * `DELETE /api/agents/{id}`: their waiting conversations go back to their queues and their sign-in stops
 * working until an admin restores them. An admin's own row has none (they would lock themselves out).
 */
export function TeamAdmin(props: {
  api: Api;
  agents: readonly AgentRow[];
  me: string;
  onRemoved(agentId: string): void;
}) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState<string>();
  const remove = async (id: string) => {
    const text = `Remove ${id}? Their conversations waiting on an answer go back to their queues, and they can no longer sign in until an admin restores them.`;
    if (!(await confirmInPage(text, 'Remove agent'))) return;
    setError('');
    setBusy(id);
    try {
      await props.api.send('DELETE', `/api/agents/${encodeURIComponent(id)}`);
      props.onRemoved(id);
    } catch (e) {
      setError(`${id} was not removed: ${(e as Error).message}`);
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <details class="team">
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
                {agent.id === props.me ? ' (you)' : ''}: {agent.presence}, {agent.openConversations} open
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
        <ErrorNote message={error} />
      </div>
    </details>
  );
}
