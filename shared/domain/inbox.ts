import type { Channel } from './envelope.js';

/** What the inbox can be filtered by: a status, and optionally an assignee, a queue or a channel. */
export interface InboxFilter {
  status: string;
  assignee?: string | undefined;
  queue?: string | undefined;
  channel?: Channel | undefined;
}
