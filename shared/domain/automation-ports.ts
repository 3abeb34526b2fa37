import type { TrackClock } from './clock-ports.js';
import type { Clock } from './ports.js';
import type { OutboundQueue, ReplyStore } from './reply-ports.js';
import type { TimelineItem } from './timeline.js';

/** What automations need beyond the clock: the reply path (the same rules as an agent's reply) and tags. */
export interface AutomationPorts {
  replies: {
    store: ReplyStore;
    queue: OutboundQueue;
    clock: Clock;
    newId(): string;
    track?: TrackClock | undefined;
  };
  setTags(customerId: string, tags: readonly string[]): Promise<void>;
  /** Reads the marker (the `automation` event) a rule leaves when it has fired. */
  getTimelineItem(customerId: string, at: string, itemId: string): Promise<TimelineItem | undefined>;
  /** The most recent items (at most `limit`) of the union of these partitions, oldest first (the dry run). */
  recentTimeline(partitions: readonly string[], limit: number): Promise<TimelineItem[]>;
}

/** The author id of what automations do (notes, assignments, replies under the AI's kind). */
export const AUTOMATION_AUTHOR_ID = 'automation';
