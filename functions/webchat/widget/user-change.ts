// The page's user changing on a shared browser (one signs out, another signs in): the chat kept for the
// one before ends, so the next person never sees it. Used by the loader (a new page) and the panel (a
// single-page site that changes the tag's token).
import { storageKey } from './api.js';
import type { KeptStorage as Kept } from './outbox.js';

/** Whose page the widget last saw on this browser: their session's key (`storageKey`). */
const WHO_KEY = 'threadline-chat:who';

/** What is kept beside a session in the site's storage, and in the tab's. */
const SITE_PARTS = ['', ':outbox', ':draft', ':start'];
const TAB_PARTS = [':seen'];

/** Ends a kept session at Threadline (its live sockets close too) and forgets it and what it showed. */
export function endKept(origin: string, site: Kept, tab: Kept, key: string): void {
  let token: unknown;
  try {
    token = (JSON.parse(site.getItem(key) ?? 'null') as { sessionToken?: unknown } | null)?.sessionToken;
  } catch {}
  for (const part of SITE_PARTS) site.removeItem(key + part);
  for (const part of TAB_PARTS) tab.removeItem(key + part);
  if (typeof token !== 'string') return;
  // Best effort: a session not ended here (offline) stops at its token's exp, or the site's own sign-out call.
  fetch(`${origin}/webchat/sessions`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}` },
    credentials: 'omit',
  }).catch(() => {});
}

/**
 * Notes whose page this is (its identity token's `sub`, or none); when it is not whose it was, ends the
 * session kept for the one before and the anonymous one (a chat from before they signed in, or as a
 * guest: never the next person's), each with `DELETE /webchat/sessions`, and forgets them with their
 * outbox, draft, start key and the replies seen. A fresh token of the same user changes nothing.
 * Answers whether the user changed.
 */
export function endPreviousUser(origin: string, site: Kept, tab: Kept, identityToken?: string): boolean {
  const key = storageKey(identityToken);
  const was = site.getItem(WHO_KEY);
  site.setItem(WHO_KEY, key);
  if (was === null || was === key || !was.startsWith('threadline-chat:')) return false;
  for (const gone of new Set([was, storageKey(undefined)])) endKept(origin, site, tab, gone);
  return true;
}
