import type { AgentStore } from '#shared/domain/agent-ports.js';
import type { InboxFilter } from '#shared/domain/inbox.js';
import type { Page } from '#shared/domain/paging.js';
import type { Conversation } from '#shared/domain/timeline.js';

/** One page of the inbox, longest waiting first or soonest due; the assignee `me` is the calling agent. */
export function listInbox(
  deps: { store: Pick<AgentStore, 'inbox'> },
  {
    filter,
    page,
    agentId,
  }: { filter: InboxFilter; page: { limit: number; cursor?: string | undefined }; agentId: string },
): Promise<Page<Conversation>> {
  const assignee = filter.assignee === 'me' ? agentId : filter.assignee;
  return deps.store.inbox(
    { status: filter.status, sort: filter.sort, assignee, queue: filter.queue, channel: filter.channel },
    { limit: page.limit, cursor: page.cursor },
  );
}
