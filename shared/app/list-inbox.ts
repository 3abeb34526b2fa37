import type { AgentStore } from '#shared/domain/agent-ports.js';
import {
  type CustomerSummary,
  customerSummary,
  type InboxConversation,
  type InboxFilter,
} from '#shared/domain/inbox.js';
import type { PageCursors } from '#shared/domain/page-cursor.js';
import type { Page } from '#shared/domain/paging.js';
import { isWaiting } from '#shared/domain/waiting.js';
import { UnprocessableError } from '#shared/errors.js';
import { refuseUnknownQueues } from './assign-conversation.js';

/**
 * One page of the inbox, longest waiting first or soonest due; the assignee `me` is the calling agent.
 * Each conversation carries its customer's summary, the page's profiles read at once, so a list shows
 * names without a read per row. A `queue` the routing policy does not name is refused (422
 * `unknown_queue`, nothing read), as an assignment to it is: a typo would look like an empty queue. A
 * queue taken out of the policy is refused too (the policy keeps no record of it); the conversations
 * still in it show in the unfiltered inbox, each with its `queue`. An `assignee` whose page comes back
 * empty is checked (`refuseUnknownAssignee`): one nobody knows is 422 `unknown_agent`.
 */
export async function listInbox(
  deps: {
    store: Pick<AgentStore, 'inbox' | 'getCustomers' | 'getAgent' | 'isAgentRemoved'>;
    /** The routing policy's queue names; without them any queue is taken. */
    queueNames?: (() => readonly string[]) | undefined;
    cursors: PageCursors;
  },
  {
    filter,
    page,
    agentId,
  }: { filter: InboxFilter; page: { limit: number; cursor?: string | undefined }; agentId: string },
): Promise<Page<InboxConversation>> {
  if (filter.queue) refuseUnknownQueues(deps.queueNames, [filter.queue]);
  const assignee = filter.assignee === 'me' ? agentId : filter.assignee;
  const { status, sort, queue, channel } = filter;
  const scope = ['inbox', status, sort, assignee, queue, channel] as const;
  const cursor = deps.cursors.open(page.cursor, scope);
  const found = await deps.store.inbox(
    { status, sort, assignee, queue, channel },
    { limit: page.limit, cursor },
  );
  if (found.items.length === 0 && assignee && assignee !== agentId && assignee !== 'unassigned')
    await refuseUnknownAssignee(deps.store, assignee);
  const summaries = await summariesOf(deps.store, [...new Set(found.items.map((c) => c.customerId))]);
  return {
    items: found.items.map((c) => {
      const customer = summaries.get(c.customerId);
      const row = { ...c, waiting: isWaiting(c) };
      return customer ? { ...row, customer } : row;
    }),
    cursor: deps.cursors.seal(found.cursor, scope),
  };
}

/**
 * Refuses (422 `unknown_agent`) an inbox filter on an agent never registered: a typo (`ANA` for `ana`)
 * would look like an agent holding nothing. Asked only when the page is empty, so listing an agent's
 * conversations reads nothing more, and an agent holding conversations without registering (their reply
 * took them) still lists them. A removed agent is known: they may still hold conversations.
 */
async function refuseUnknownAssignee(
  store: Pick<AgentStore, 'getAgent' | 'isAgentRemoved'>,
  assignee: string,
): Promise<void> {
  if ((await store.getAgent(assignee)) || (await store.isAgentRemoved(assignee))) return;
  throw new UnprocessableError(
    `no agent "${assignee}" is registered (GET /api/agents lists them; assignee=me for yourself)`,
    'unknown_agent',
  );
}

/** How many merges a page follows from a customer merged away to the one kept (a chain is rare). */
const MERGE_HOPS = 3;

/**
 * The summaries of a page's customers, one batch read; a customer merged away shows as the customer
 * kept (its name, its id: the row opens it), one batch more per hop for the page's merged-away ones.
 */
async function summariesOf(
  store: Pick<AgentStore, 'getCustomers'>,
  ids: readonly string[],
): Promise<Map<string, CustomerSummary>> {
  const summaries = new Map<string, CustomerSummary>();
  if (ids.length === 0) return summaries;
  let pending = new Map<string, string[]>(ids.map((id) => [id, [id]]));
  for (let hop = 0; hop <= MERGE_HOPS && pending.size > 0; hop++) {
    const next = new Map<string, string[]>();
    for (const customer of await store.getCustomers([...pending.keys()])) {
      const askers = pending.get(customer.id) ?? [];
      // Its own until the kept one is read (a kept profile gone since leaves it so).
      for (const id of askers) summaries.set(id, customerSummary(customer));
      if (customer.mergedInto && hop < MERGE_HOPS) {
        next.set(customer.mergedInto, [...(next.get(customer.mergedInto) ?? []), ...askers]);
      }
    }
    pending = next;
  }
  return summaries;
}
