import type { AgentAdmin } from '#shared/domain/agent-ports.js';
import { keyReusedError, noteIdFor, requestHash } from '#shared/domain/idempotency.js';
import type { Clock } from '#shared/domain/ports.js';
import type { TimelineItem } from '#shared/domain/timeline.js';

/**
 * Adds an internal note to a conversation as the agent; answers the note as it lands on the timeline.
 * With an `Idempotency-Key` the note is made once: the same agent's retry answers the first note
 * (`created` false); the key sent again with another text is 422 `idempotency_key_reused`, nothing written.
 */
export async function addNote(
  deps: { admin: Pick<AgentAdmin, 'addNote' | 'addKeyedNote'>; clock: Clock; newId: () => string },
  input: { conversationId: string; text: string; agentId: string; idempotencyKey?: string | undefined },
): Promise<{ item: TimelineItem; created: boolean }> {
  const { conversationId, text, agentId, idempotencyKey } = input;
  const now = deps.clock.now().toISOString();
  if (!idempotencyKey) {
    return {
      item: await deps.admin.addNote(conversationId, text, agentId, now, deps.newId()),
      created: true,
    };
  }
  const noteId = noteIdFor(conversationId, agentId, idempotencyKey);
  const hash = requestHash({ text });
  const stored = await deps.admin.addKeyedNote({
    conversationId,
    text,
    agentId,
    now,
    noteId,
    requestHash: hash,
  });
  if (stored.requestHash !== hash) throw keyReusedError('note', stored.item.id);
  return { item: stored.item, created: stored.created };
}
