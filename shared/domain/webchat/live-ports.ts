import type { ReplyStore } from '../reply-ports.js';
import type { TimelineItem } from '../timeline.js';
import type { VisitorFrame } from './visitor-view.js';

/**
 * The visitors' live connections: who follows which customer's timeline, and who waits to learn
 * which customer they are (a new visitor before their first message lands), by identity token.
 */
export interface VisitorConnections {
  /** Connections following the timeline partition of `customerId`. */
  following(customerId: string): Promise<string[]>;
  /** Connections of visitors whose identity (`<kind>#<value>`) is `token`. */
  ofIdentity(token: string): Promise<string[]>;
  /** From now on, `connectionId` follows `customerId`'s partition too. */
  follow(connectionId: string, customerId: string): Promise<void>;
}

/** Sends frames to one visitor's connection; `gone` when the visitor has left (the connection is dropped). */
export interface VisitorPush {
  push(connectionId: string, frames: readonly VisitorFrame[]): Promise<'sent' | 'gone'>;
  /** Forgets a connection that is gone. */
  drop(connectionId: string): Promise<void>;
}

/**
 * The reads that say whose a live signal is: the conversation an agent types in, its customer's merged
 * partitions and its latest web-chat message in them (an agent's typing goes to its writer, as the
 * reply does), and the message a hand-off decided (the hand-off goes to its writer).
 */
export interface VisitorReads
  extends Pick<ReplyStore, 'getConversation' | 'lastInbound' | 'mergedCustomers'> {
  getTimelineItem(customerId: string, at: string, itemId: string): Promise<TimelineItem | undefined>;
}
