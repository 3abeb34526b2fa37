import type { ChangeRecord } from '../domain/change-feed.js';
import { identityToken } from '../domain/identity.js';
import { type TimelineItem, timelineItemOfImage } from '../domain/timeline.js';
import type { VisitorConnections, VisitorPush } from '../domain/webchat/live-ports.js';
import { visitorFrames } from '../domain/webchat/visitor-view.js';

/** What the fan-out needs: the visitors' connections, the way to reach them, and whether the AI answers. */
export interface VisitorFanOutDeps {
  connections: VisitorConnections;
  push: VisitorPush;
  /** Whether routing runs (the AI may answer): the AI's typing indicator is shown only then. */
  aiAnswers: boolean;
}

const CUSTOMER_PREFIX = 'CUSTOMER#';

/** The timeline item a change record writes, or undefined for any other item (or a removal). */
function timelineItemOf(record: ChangeRecord): { item: TimelineItem; customerId: string } | undefined {
  if (
    !record.newImage ||
    !record.keys.pk.startsWith(CUSTOMER_PREFIX) ||
    !record.keys.sk.startsWith('TIMELINE#')
  ) {
    return undefined;
  }
  const item = timelineItemOfImage(record.newImage, record.keys);
  return item ? { item, customerId: record.keys.pk.slice(CUSTOMER_PREFIX.length) } : undefined;
}

/**
 * Sends each change of a customer's timeline that a visitor may see (their messages, our replies and
 * their statuses, the AI's typing) to the visitors following that customer. A visitor's own message
 * also tells the visitors of that identity which customer they are, so a new visitor's socket follows
 * their timeline from their first message. Connections that are gone are dropped. Called by the
 * change-feed consumer (the agents' live stream function on AWS, the local runtime's feed).
 */
export async function fanOutToVisitors(
  deps: VisitorFanOutDeps,
  records: readonly ChangeRecord[],
): Promise<void> {
  for (const record of records) {
    const change = timelineItemOf(record);
    if (!change) continue;
    const { item, customerId } = change;
    if (record.kind === 'insert' && item.type === 'message' && item.direction === 'inbound' && item.from) {
      for (const id of await deps.connections.ofIdentity(identityToken(item.from))) {
        await deps.connections.follow(id, customerId);
      }
    }
    const frames = visitorFrames(item, { inserted: record.kind === 'insert', aiAnswers: deps.aiAnswers });
    if (frames.length === 0) continue;
    for (const id of await deps.connections.following(customerId)) {
      if ((await deps.push.push(id, frames)) === 'gone') await deps.push.drop(id);
    }
  }
}
