import type { HelloEvent } from './events.js';
import type { LiveConnection } from './live-ports.js';
import { seqAt } from './seq.js';

/** The agents of a socket's `hello`: the socket's own and those with a socket open, each once, sorted. */
const helloAgents = (agentId: string, open: readonly LiveConnection[]): string[] =>
  [...new Set([agentId, ...open.map((c) => c.agentId)])].sort();

/**
 * The `hello` of an agent's socket: where its events start (now), who is connected and with what
 * presence (the one they chose, `presences`: an Away agent at the console is `away`; one not registered
 * `online`), who views what.
 */
export function helloOf(
  agentId: string,
  nowMs: number,
  open: readonly LiveConnection[],
  presences: ReadonlyMap<string, 'online' | 'away'> = new Map(),
): HelloEvent {
  return {
    type: 'hello',
    seq: seqAt(nowMs),
    item: {
      agentId,
      agents: helloAgents(agentId, open).map((id) => ({
        agentId: id,
        presence: presences.get(id) ?? 'online',
      })),
      viewing: open.flatMap((c) => (c.viewing ? [{ conversationId: c.viewing, agentId: c.agentId }] : [])),
    },
  };
}
