/** Identities whose value is a page-scoped id no one reads: the customer shows as this instead. */
const OPAQUE_IDS: Record<string, string> = { instagram: 'Instagram user', messenger: 'Messenger user' };

/**
 * What the console calls a customer: their name, else their first identity (a number, an address as
 * people write it: its `display`),
 * an Instagram or Messenger id as "Instagram user" with the id in `title`; `text` undefined when
 * there is neither.
 */
export function customerLabel(
  name: string | undefined,
  identity: { kind: string; value: string; display?: string | undefined } | undefined,
): { text: string | undefined; title?: string } {
  const opaque = identity && OPAQUE_IDS[identity.kind];
  if (name || !identity || !opaque) return { text: name ?? identity?.display ?? identity?.value };
  return { text: opaque, title: identity.value };
}
