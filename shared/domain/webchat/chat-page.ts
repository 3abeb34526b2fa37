// The page a visitor chatted on, as a fallback email may link back to it: only a page of an origin the
// widget is allowed on (WEBCHAT_ALLOWED_ORIGINS), never an address a visitor made up.

/** Longest page address kept, in characters (a browser's address is rarely longer). */
export const CHAT_PAGE_MAX = 2048;

/** The fragment the loader opens the chat on (the link lands with the panel open). */
export const CHAT_PAGE_FRAGMENT = '#threadline-chat';

/**
 * The link back to the chat for the page `page` names: its origin and path, with the fragment that
 * opens the panel, when its origin is one of `allowedOrigins`; otherwise undefined. The query and the
 * fragment the visitor had are dropped (a query may carry a token of the site's), and so is an address
 * with a user or password in it.
 */
export function chatPageLink(page: unknown, allowedOrigins: readonly string[]): string | undefined {
  if (typeof page !== 'string' || page.length > CHAT_PAGE_MAX) return undefined;
  let url: URL;
  try {
    url = new URL(page);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username || url.password || !allowedOrigins.includes(url.origin)) return undefined;
  return `${url.origin}${url.pathname}${CHAT_PAGE_FRAGMENT}`;
}
