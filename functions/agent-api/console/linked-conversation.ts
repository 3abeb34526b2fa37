import { useEffect, useState } from 'preact/hooks';
import { type Api, ApiError, type Conversation } from './api.js';

/** A link to a conversation the tab has no copy of: being fetched, or why it cannot be shown. */
export interface LinkState {
  id: string;
  failed?: string;
}

/** What the view says when a linked conversation cannot be shown. */
export function linkFailure(error: unknown): { message: string; final: boolean } {
  if (error instanceof ApiError && (error.status === 404 || error.status === 400))
    return { message: 'Conversation not found', final: true };
  if (error instanceof ApiError && error.status === 410)
    return { message: "This conversation's customer was erased", final: true };
  const why = error instanceof Error ? error.message : String(error);
  return { message: `Could not open the conversation (${why}): trying again…`, final: false };
}

/**
 * Fetches the conversation the address names when it is neither open nor remembered by this tab (a
 * pasted link), so it opens whatever inbox page is loaded. A failure that may pass tries again after
 * 2 s, as the inbox does; an unknown conversation or an erased customer is said once.
 */
export function useLinkedConversation(
  api: Api,
  wanted: string | undefined,
  known: boolean,
  open: (c: Conversation) => void,
): LinkState | undefined {
  const [link, setLink] = useState<LinkState>();
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!wanted || known) return setLink(undefined);
    let stale = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    setLink((l) => (l?.id === wanted ? l : { id: wanted }));
    api.get<Conversation>(`/api/conversations/${encodeURIComponent(wanted)}`).then(
      (c) => {
        if (!stale) open(c);
      },
      (error: unknown) => {
        if (stale) return;
        const { message, final } = linkFailure(error);
        setLink({ id: wanted, failed: message });
        if (!final) retry = setTimeout(() => setAttempt((n) => n + 1), 2_000);
      },
    );
    return () => {
      stale = true;
      clearTimeout(retry);
    };
  }, [api, wanted, known, attempt]);
  return link;
}
