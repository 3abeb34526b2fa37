import type { Channel } from './envelope.js';

/** The inbox orders: longest waiting first (the default), or soonest SLA deadline first. */
export const INBOX_SORTS = ['waiting', 'due'] as const;
/** An inbox order. */
export type InboxSort = (typeof INBOX_SORTS)[number];

/**
 * What the inbox can be filtered by: a status, and optionally an assignee, a queue or a channel; and
 * its order (`due` lists only the conversations with a pending SLA deadline).
 */
export interface InboxFilter {
  status: string;
  sort?: InboxSort | undefined;
  assignee?: string | undefined;
  queue?: string | undefined;
  channel?: Channel | undefined;
}
