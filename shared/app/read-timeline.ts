import type { AgentStore } from '#shared/domain/agent-ports.js';
import type { PageCursors } from '#shared/domain/page-cursor.js';
import type { Page, ResumablePage } from '#shared/domain/paging.js';
import { type TimelineItem, withChannelSwitches } from '#shared/domain/timeline.js';
import { existingCustomer } from './read-customer.js';

/**
 * One page of a known customer's timeline (theirs and their merged customers'), oldest first within the
 * page. `order: 'newest'` reads from the end: the first page is the newest, its cursor leads to older
 * ones, each a bounded backwards read whatever the history's length. Its channel switches are derived
 * within the page (the inbound message before the page's first one is on the next page: a reader that
 * joins the pages derives that one, as the console does). Oldest first, every page (the last too)
 * carries `resume`, the cursor to read later what was added after it. Its cursors are sealed for this
 * customer and order: one of another customer's timeline, or of the other order, is refused.
 */
export async function readTimeline(
  deps: { store: Pick<AgentStore, 'getCustomer' | 'timeline' | 'timelineBack'>; cursors: PageCursors },
  customerId: string,
  page: { limit: number; cursor?: string | undefined; order?: 'oldest' | 'newest' | undefined },
): Promise<Page<TimelineItem> | ResumablePage<TimelineItem>> {
  await existingCustomer(deps, customerId);
  const order = page.order ?? 'oldest';
  const scope = ['timeline', customerId, order] as const;
  const want = { limit: page.limit, cursor: deps.cursors.open(page.cursor, scope) };
  if (order === 'oldest') {
    const found = await deps.store.timeline(customerId, want);
    const seal = (cursor: string | null) => deps.cursors.seal(cursor, scope);
    return { items: found.items, cursor: seal(found.cursor), resume: seal(found.resume) };
  }
  const back = await deps.store.timelineBack(customerId, want);
  return { items: withChannelSwitches(back.items).items, cursor: deps.cursors.seal(back.cursor, scope) };
}
