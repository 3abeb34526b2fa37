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
