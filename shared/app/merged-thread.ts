import { mergedGroup } from '../domain/merge-walks.js';
import type { ProfileState, ResolverStore, ThreadLink } from '../domain/resolver-ports.js';
import { WATERMARK_MAX_MERGE_HOPS, WATERMARK_MAX_PARTITIONS } from '../domain/watermark.js';

/** What finding a thread's owner in a merged group needs: the profiles of the customers merged in. */
export interface MergedThreadDeps {
  store: Pick<ResolverStore, 'getProfileState'>;
  log?: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;
}

/**
 * A thread link as the customer who stands for its owner now sees it. A link names the customer whose
 * mail or reply started the thread, and a merge rewrites no link: when that customer was merged into
 * `customerId` (straight in: no read; into one merged in before: that one's profile read, and so on,
 * within the watermark receipts' bounds), the thread is `customerId`'s, so an answer in it finds its
 * conversation. Any other link is answered as it is (another customer's thread).
 */
export async function threadOfGroup(
  deps: MergedThreadDeps,
  link: ThreadLink,
  root: { customerId: string; profile: ProfileState | undefined },
): Promise<ThreadLink> {
  if (link.customerId === root.customerId || !root.profile?.mergedFrom?.length) return link;
  const group = await mergedGroup(
    (id) => deps.store.getProfileState(id),
    root,
    { maxHops: WATERMARK_MAX_MERGE_HOPS, maxPartitions: WATERMARK_MAX_PARTITIONS },
    link.customerId,
  );
  if (group.partitions.includes(link.customerId)) return { ...link, customerId: root.customerId };
  if (group.cut) {
    deps.log?.('warn', 'email thread: merged customers beyond the bound not looked in', {
      customerId: root.customerId,
      partitions: group.partitions.length,
    });
  }
  return link;
}
