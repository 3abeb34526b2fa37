import type { AgentAdmin } from '#shared/domain/agent-ports.js';
import type { Clock } from '#shared/domain/ports.js';
import type { TimelineItem } from '#shared/domain/timeline.js';

/** Adds an internal note to a conversation as the agent; answers the note as it lands on the timeline. */
export function addNote(
  deps: { admin: Pick<AgentAdmin, 'addNote'>; clock: Clock; newId: () => string },
  { conversationId, text, agentId }: { conversationId: string; text: string; agentId: string },
): Promise<TimelineItem> {
  return deps.admin.addNote(conversationId, text, agentId, deps.clock.now().toISOString(), deps.newId());
}
