import { useCallback, useState } from 'preact/hooks';
import type { LiveEvent } from './live.js';

/** Someone typing: until when it holds (no frame since), and whether it is a note (else a reply). */
export interface Typing {
  until: number;
  note: boolean;
}

/** How long a typing frame holds: the composer sends one every 3 s while the agent types. */
const TYPING_HOLDS_MS = 6_000;

/** Whom the live socket says is where: presence by agent, viewers and typists by conversation. */
export interface Presence {
  agents: Record<string, string>;
  viewing: Record<string, string[]>;
  typing: Record<string, Record<string, Typing>>;
}

/**
 * The live socket's presence, viewers and typists as the console shows them: a `hello` starts afresh
 * (one agent with two tabs is listed once), later frames change one entry.
 */
export function usePresence() {
  const [presence, setPresence] = useState<Presence>({ agents: {}, viewing: {}, typing: {} });
  const apply = useCallback((event: LiveEvent) => {
    setPresence((p) => {
      if (event.type === 'hello') {
        const agents: Record<string, string> = {};
        for (const a of event.item?.agents ?? []) agents[a.agentId] = a.presence;
        const viewing: Record<string, string[]> = {};
        for (const v of event.item?.viewing ?? [])
          viewing[v.conversationId] = [...new Set([...(viewing[v.conversationId] ?? []), v.agentId])];
        return { agents, viewing, typing: {} };
      }
      if (event.type === 'presence')
        return { ...p, agents: { ...p.agents, [event.item.agentId]: event.item.presence } };
      const conv = event.conversationId;
      if (!conv) return p;
      if (event.type === 'viewing') {
        const others = (p.viewing[conv] ?? []).filter((a) => a !== event.item.agentId);
        return {
          ...p,
          viewing: { ...p.viewing, [conv]: event.item.viewing ? [...others, event.item.agentId] : others },
        };
      }
      if (event.type === 'typing')
        return {
          ...p,
          typing: {
            ...p.typing,
            [conv]: {
              ...p.typing[conv],
              [event.item.agentId]: { until: Date.now() + TYPING_HOLDS_MS, note: event.item.note === true },
            },
          },
        };
      return p;
    });
  }, []);
  return { presence, apply };
}
