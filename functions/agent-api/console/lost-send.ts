import { useEffect } from 'preact/hooks';
import type { TimelineItem } from './api.js';
import { keyedItemId, sentText } from './keyed-id.js';
import { type PendingSend, readPending, savePending } from './place.js';

/**
 * A send of this box whose answer was lost (no answer, a gateway's 5xx: it may or may not have gone)
 * found on the timeline, by the id its key made: `found` is told (once per key), so the box says it
 * went and takes it out of the draft, rather than leave it there looking unsent, which an edit and a
 * Send would have sent a second time. Not while a send is on its way (`idle` false): its own answer
 * says so. A send kept for the tab (a reload since) is found the same way.
 */
export function useLostSendFound(
  conversationId: string,
  agentId: string,
  items: readonly TimelineItem[] | undefined,
  idle: boolean,
  found: (pending: PendingSend) => void,
): void {
  useEffect(() => {
    const pending = idle && items?.length ? readPending(conversationId) : undefined;
    if (!pending) return;
    let stale = false;
    keyedItemId(pending.mode, conversationId, agentId, pending.key).then(
      (id) => {
        if (stale || !items?.some((item) => item.id === id)) return;
        if (readPending(conversationId)?.key !== pending.key) return;
        found(pending);
      },
      () => undefined,
    );
    return () => {
      stale = true;
    };
  }, [conversationId, agentId, items, idle]);
}

/**
 * The reply box's send whose answer was lost, found on the timeline: its warning goes, what it said
 * leaves the draft (what was typed after it stays), and the box says it went.
 */
export function useWentAfterAll(
  target: string,
  props: { agentId: string; items?: readonly TimelineItem[] | undefined },
  busy: boolean,
  box: { setError(e: string): void; clearSent(text: string): void; say(s: string): void },
): void {
  useLostSendFound(target, props.agentId, props.items, !busy, (pending) => {
    savePending(target, undefined);
    box.setError('');
    box.clearSent(sentText(pending));
    box.say(pending.mode === 'note' ? 'Your note was added after all' : 'Your reply was sent after all');
  });
}
