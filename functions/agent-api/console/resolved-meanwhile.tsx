import { useEffect, useRef, useState } from 'preact/hooks';
import type { Conversation } from './api.js';
import { confirmInPage } from './confirm.js';

/** What the notice and the question say of a resolve that came while the agent was writing a reply. */
const resolvedText = (who: string) =>
  `${who} resolved this conversation while you were writing. A reply still goes to the customer, and the conversation stays resolved.`;

/**
 * Guards a reply against a resolve that came while the agent was writing it (another agent's, live, or
 * Threadline's): the conversation became resolved with a reply in the box. The reply box then says so
 * beside the text, and its next Send asks first; answered Send, the resolve has been seen and later
 * sends go as before (Cancel keeps the question for the next Send). A reopen, another conversation, or
 * the resolve turning out to be this agent's own (`resolvedBy` undefined) drops it.
 * `reply`: the reply's text in the box ("" while writing a note); `resolvedBy`: who resolved it, as the
 * timeline's `resolved` event says once it has come (so the agent's own resolve never shows, not even a
 * moment before its event), while it is resolved and not by this agent.
 */
export function useResolvedMeanwhile(c: Conversation, reply: string, resolvedBy: string | undefined) {
  const { id, status } = c;
  const writing = reply.trim() !== '';
  const seen = useRef({ id, status });
  const [pending, setPending] = useState(false);
  useEffect(() => {
    const was = seen.current;
    seen.current = { id, status };
    if (was.id !== id || status !== 'resolved') setPending(false);
    else if (was.status !== 'resolved' && writing) setPending(true);
  }, [id, status]);
  const who = pending ? resolvedBy : undefined;
  /** Whether the reply may go: asked first, once, after such a resolve. */
  const confirmed = async (): Promise<boolean> => {
    if (!who) return true;
    if (!(await confirmInPage(`${resolvedText(who)} Send your reply anyway?`, 'Send reply'))) return false;
    setPending(false);
    return true;
  };
  const note = who ? (
    <p class="held-by resolved-meanwhile" role="alert">
      {resolvedText(who)} Send asks you first.
    </p>
  ) : null;
  return { confirmed, note };
}
