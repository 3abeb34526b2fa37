/** A reply or a note (`ComposerMode`; the module stays free of the DOM, for the API's tests to load). */
type Mode = 'reply' | 'note';

/**
 * The timeline id of what an `Idempotency-Key` made on a conversation, as the API makes it: `reply:rp_`
 * or `note:nk_` and 24 characters of the base64url SHA-256 of the conversation, the agent and the key.
 */
export async function keyedItemId(
  mode: Mode,
  conversationId: string,
  agentId: string,
  key: string,
): Promise<string> {
  const text = new TextEncoder().encode(`${conversationId}\n${agentId}\n${key}`);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', text));
  const base64url = btoa(String.fromCharCode(...digest))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
  return `${mode === 'note' ? 'note:nk_' : 'reply:rp_'}${base64url.slice(0, 24)}`;
}

/** The text a kept send carried: a note's is its content, a reply's the `text` of its request. */
export function sentText(pending: { mode: Mode; content: string }): string {
  if (pending.mode === 'note') return pending.content;
  try {
    const body = JSON.parse(pending.content) as { text?: unknown };
    return typeof body.text === 'string' ? body.text : '';
  } catch {
    return '';
  }
}
