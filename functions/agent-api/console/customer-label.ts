/**
 * Identities whose value is an id no one reads (a page-scoped id, an anonymous web-chat visitor's
 * random id): the customer shows as this instead.
 */
const OPAQUE_IDS: Record<string, string> = {
  instagram: 'Instagram user',
  messenger: 'Messenger user',
  webchat_visitor: 'Web chat visitor',
};

/**
 * What the console calls a customer: their name, else their first identity (a number, an address as
 * people write it: its `display`), an Instagram, Messenger or anonymous web-chat id as "Instagram user"
 * (say) with the id in `title`; `text` undefined when there is neither.
 */
export function customerLabel(
  name: string | undefined,
  identity: { kind: string; value: string; display?: string | undefined } | undefined,
): { text: string | undefined; title?: string } {
  const opaque = identity && OPAQUE_IDS[identity.kind];
  if (name || !identity || !opaque) return { text: name ?? identity?.display ?? identity?.value };
  return { text: opaque, title: identity.value };
}
