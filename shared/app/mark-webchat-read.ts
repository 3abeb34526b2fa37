import { replyItemId } from '../domain/replies.js';
import { replyKeyOf } from '../domain/reply-key.js';
import { authorKind } from '../domain/timeline.js';
import { sessionView } from '../domain/webchat/anonymous-view.js';
import { webchatStatusEnvelope } from '../domain/webchat/envelopes.js';
import { WEBCHAT_LIMITS } from '../domain/webchat/rate-limit.js';
import { openSession, openSessionByHash, takeHits, visitorCustomerId } from '../domain/webchat/visitor.js';
import type { WebchatDeps } from '../domain/webchat-ports.js';

/** How far back a read receipt may reach: the replies among the visitor's latest items. */
const READ_LOOKBACK = 200;

/**
 * Marks replies the visitor's panel has shown as `read`: only the visitor's own web-chat replies among
 * their latest items count (anything else is ignored), each as a status envelope through the pipeline,
 * so statuses only move forward whatever order they come in. The visitor is the session of the
 * `Authorization` header (HTTP) or the hash their socket kept on `$connect`. Answers the ids marked.
 */
export async function markWebchatRead(
  deps: WebchatDeps,
  input: ({ authorization: string | undefined } | { sessionHash: string }) & {
    messageIds: readonly string[];
  },
): Promise<{ read: string[] }> {
  const now = deps.clock.now();
  const session =
    'sessionHash' in input
      ? await openSessionByHash(deps.store, input.sessionHash, now, deps.sessionTtlMs)
      : await openSession(deps.store, input.authorization, now, deps.sessionTtlMs);
  await takeHits(deps.store, [{ limit: WEBCHAT_LIMITS.readsPerSession, subject: session.tokenHash }], now);
  const customerId = await visitorCustomerId(deps.store, session);
  if (!customerId) return { read: [] };
  const wanted = new Set(input.messageIds);
  const recent = await deps.store.recentPlacedTimeline(
    await deps.store.mergedPartitions(customerId),
    READ_LOOKBACK,
  );
  // A visitor marks only the replies their session may see (see sessionView).
  const replies = sessionView(session, recent, (row) => row.item).filter(
    ({ item }) =>
      wanted.has(item.id) &&
      item.channel === 'webchat' &&
      item.direction === 'outbound' &&
      item.providerMessageId !== undefined &&
      item.status !== 'read' &&
      ['agent', 'ai'].includes(authorKind(item) ?? ''),
  );
  if (replies.length === 0) return { read: [] };
  await deps.queue.enqueue(
    replies.map(({ item, placedAt }) => {
      const replyId = item.providerMessageId as string;
      const key = replyKeyOf({ id: replyId, customerId: item.customerId, at: placedAt });
      return webchatStatusEnvelope(replyId, 'read', now, item.id === replyItemId(replyId) ? key : undefined);
    }),
  );
  return { read: replies.map(({ item }) => item.id) };
}
