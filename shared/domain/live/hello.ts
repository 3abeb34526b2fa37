import type { HelloEvent } from './events.js';
import type { LiveConnection } from './live-ports.js';
import { seqAt } from './seq.js';

/** The `hello` of an agent's socket: where its events start (now), who is online, who views what. */
export function helloOf(agentId: string, nowMs: number, open: readonly LiveConnection[]): HelloEvent {
  const agents = [...new Set([agentId, ...open.map((c) => c.agentId)])].sort();
  return {
    type: 'hello',
    seq: seqAt(nowMs),
    item: {
      agentId,
      agents: agents.map((id) => ({ agentId: id, presence: 'online' as const })),
      viewing: open.flatMap((c) => (c.viewing ? [{ conversationId: c.viewing, agentId: c.agentId }] : [])),
    },
  };
}
