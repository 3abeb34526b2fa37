import { useState } from 'preact/hooks';
import { agentState } from './agent-state.js';
import type { AgentRow } from './agents.js';
import type { Api, Page } from './api.js';
import { confirmInPage } from './confirm.js';
import { ErrorNote } from './ui.js';

/** A removed agent, as `GET /api/agents/removed` lists them: with the open conversations they still hold. */
interface RemovedRow {
  id: string;
  openConversations: number;
}

/**
 * Admins only: every registered agent (role, presence, load of capacity, queues, languages), each with Remove (asked in the page first), which calls
 * `DELETE /api/agents/{id}`: their waiting conversations go back to their queues, the answered ones stay
 * theirs, and their sign-in stops working until an admin restores them. An admin's own row has none (they
 * would lock themselves out). Under them, read each time the list opens and after a removal or restore,
 * every removed agent, each with Restore (`POST /api/agents/{id}/restore`: their sign-in works again)
 * and, holding conversations, a button showing the inbox of theirs (`onShowHeld`): the Assigned filter
 * lists registered agents only.
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
  const removed = useRemovedAgents(props.api, setError, setBusy);
  const remove = async (id: string) => {
    const text = `Remove ${id}? Their conversations waiting on an answer go back to their queues; those they answered stay theirs to transfer (listed here under the agents), and go back to their queue once the customer writes again. They can no longer sign in until an admin restores them.`;
    if (!(await confirmInPage(text, 'Remove agent'))) return;
    setError('');
    setBusy(id);
    try {
      await props.api.send('DELETE', `/api/agents/${encodeURIComponent(id)}`);
      props.onRemoved(id);
      void removed.read();
    } catch (e) {
      setError(`${id} was not removed: ${(e as Error).message}`);
    } finally {
      setBusy(undefined);
    }
  };
  const now = Date.now();
  return (
    <details class="team" onToggle={(e) => e.currentTarget.open && void removed.read()}>
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
                {agent.id === props.me ? ' (you)' : ''}, {agent.role ?? 'agent'}: {agentState(agent, now)},{' '}
                {agent.openConversations} of {agent.capacity} open;{' '}
                {agent.queues.length ? `queues ${agent.queues.join(', ')}` : 'no queue'};{' '}
                {agent.languages.length ? `languages ${agent.languages.join(', ')}` : 'any language'}
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
        <RemovedAgents
          removed={removed.rows}
          busy={busy}
          onShowHeld={props.onShowHeld}
          onRestore={(id) => void removed.restore(id)}
        />
        {removed.more ? (
          <button type="button" onClick={() => void removed.read(removed.more ?? undefined)}>
            More removed agents
          </button>
        ) : null}
        <ErrorNote message={error} />
      </div>
    </details>
  );
}

/**
 * The removed agents as the admin's Agents list shows them: `read` (the first page, or the next after
 * `cursor`), `more` (the next page's cursor), and `restore` (`POST /api/agents/{id}/restore`, then the
 * list read again), its failure said through `setError`.
 */
function useRemovedAgents(
  api: Api,
  setError: (message: string) => void,
  setBusy: (id: string | undefined) => void,
) {
  const [rows, setRows] = useState<RemovedRow[]>([]);
  const [more, setMore] = useState<string | null>(null);
  const read = (cursor?: string) =>
    api
      .get<Page<RemovedRow>>(
        `/api/agents/removed?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      )
      .then(
        (page) => {
          setRows((was) => (cursor ? [...was, ...page.items] : page.items));
          setMore(page.cursor);
        },
        () => undefined,
      );
  const restore = async (id: string) => {
    setError('');
    setBusy(id);
    try {
      await api.send('POST', `/api/agents/${encodeURIComponent(id)}/restore`);
      void read();
    } catch (e) {
      setError(`${id} was not restored: ${(e as Error).message}`);
    } finally {
      setBusy(undefined);
    }
  };
  return { rows, more, read, restore };
}

/**
 * Every removed agent, each with Restore (they sign in again, and register anew as any new agent) and,
 * holding conversations, Show (the inbox of theirs); none, nothing.
 */
function RemovedAgents(props: {
  removed: readonly RemovedRow[];
  busy: string | undefined;
  onShowHeld(agentId: string): void;
  onRestore(agentId: string): void;
}) {
  if (!props.removed.length) return null;
  return (
    <>
      <p class="hint">Removed (they cannot sign in; transfer what they still hold):</p>
      <ul aria-label="Removed agents">
        {props.removed.map((agent) => (
          <li key={agent.id}>
            <span>
              {agent.id}: {agent.openConversations} open
            </span>
            <span class="team-acts">
              {agent.openConversations ? (
                <button
                  type="button"
                  aria-label={`Show ${agent.id}’s conversations`}
                  onClick={() => props.onShowHeld(agent.id)}
                >
                  Show
                </button>
              ) : null}
              <button
                type="button"
                aria-label={`Restore ${agent.id}`}
                disabled={props.busy === agent.id}
                onClick={() => props.onRestore(agent.id)}
              >
                Restore
              </button>
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}
