import type { Identity } from './envelope.js';
import { identityToken } from './identity.js';

/** The most `mergedInto` pointers followed from a customer, so a cycle cannot loop. */
const MAX_MERGE_HOPS = 5;

/**
 * Follows `mergedInto` pointers from a customer to the one that stands for them now, reading each
 * profile once with `read` (which decides the consistency, and what a missing or erased one is).
 * Answers the customer reached and the profile read there: undefined when there is none, still merged
 * elsewhere when MAX_MERGE_HOPS ran out.
 */
export async function followMerges<P extends { mergedInto?: string | undefined } | undefined>(
  read: (customerId: string) => Promise<P>,
  customerId: string,
): Promise<{ customerId: string; profile: P }> {
  let id = customerId;
  let profile = await read(id);
  for (let hop = 0; profile?.mergedInto && hop < MAX_MERGE_HOPS; hop++) {
    id = profile.mergedInto;
    profile = await read(id);
  }
  return { customerId: id, profile };
}

/**
 * Whether a stored timeline item came through one of the identities (`<kind>#<value>` tokens) of a
 * customer: an unmerge gives such items back to that customer. Only items that carry the identity they
 * came from (`from`: the customer's messages, reactions, edits, calls, echoes of the business's own
 * app) say so; replies, notes and our own events name nobody and stay where they are.
 */
export function cameThrough(item: Record<string, unknown>, tokens: ReadonlySet<string>): boolean {
  const from = item.from as { kind?: unknown; value?: unknown } | undefined;
  if (typeof from?.kind !== 'string' || typeof from.value !== 'string') return false;
  return tokens.has(identityToken({ kind: from.kind, value: from.value } as Identity));
}

/** What one unmerge call did: `complete` once everything that came through the source is back with it. */
export interface UnmergeProgress {
  complete: boolean;
  /** Items this call moved back to the source. */
  moved: number;
}
