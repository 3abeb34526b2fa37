// The web addresses in a message's text (`https://…` and `mailto:…`), found in one pass: each character
// is looked at a bounded number of times, whatever the text holds, and no regex runs over it.

/** The longest address made a link: a longer run stays text. */
const LONGEST = 2048;
/** The schemes made links; anything else (`http:`, `javascript:`) stays text. */
const SCHEMES = ['https://', 'mailto:'] as const;
/** What ends an address as written in a sentence. */
const ENDS = ' \t\n\r\f\v<>"`\u00a0\u2028\u2029';
/** What trails an address without being part of it: the sentence's punctuation. */
const TRAILING = ".,)!?;:'";

/** A message's text in order: plain text, and the addresses in it. */
export type Part = string | { href: string; text: string };

/** How far the address starting at `start` runs, less the punctuation after it (a `)` it opened stays). */
function addressEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length && end - start <= LONGEST && !ENDS.includes(text.charAt(end))) end++;
  if (end - start > LONGEST) return -end;
  let open = 0;
  for (let i = start; i < end; i++) open += text[i] === '(' ? 1 : text[i] === ')' ? -1 : 0;
  while (end > start && TRAILING.includes(text.charAt(end - 1))) {
    if (text[end - 1] === ')' && open >= 0) break;
    if (text[end - 1] === ')') open++;
    end--;
  }
  return end;
}

/** Whether `href` is an address worth a link: a host after `https://`, an `@` in a `mailto:`. */
function valid(href: string): boolean {
  if (href.startsWith('mailto:') && !href.includes('@')) return false;
  try {
    const url = new URL(href);
    return url.protocol === 'https:' ? Boolean(url.hostname) : /^[^@\s]+@[^@\s]+$/.test(url.pathname);
  } catch {
    return false;
  }
}

/** Splits `text` into plain text and the `https:` and `mailto:` addresses in it. */
export function linkParts(text: string): Part[] {
  const parts: Part[] = [];
  // Where each scheme next occurs (looked for again only once passed): one scan of the text per scheme.
  const next = SCHEMES.map((scheme) => text.indexOf(scheme));
  let from = 0;
  let at = 0;
  for (;;) {
    SCHEMES.forEach((scheme, i) => {
      if ((next[i] ?? -1) !== -1 && (next[i] ?? 0) < at) next[i] = text.indexOf(scheme, at);
    });
    const found = next.filter((n) => n !== -1);
    if (!found.length) break;
    const start = Math.min(...found);
    const end = addressEnd(text, start);
    at = Math.abs(end);
    const href = text.slice(start, end);
    if (end <= 0 || SCHEMES.includes(href as (typeof SCHEMES)[number]) || !valid(href)) {
      at = Math.max(at, start + 1);
      continue;
    }
    if (start > from) parts.push(text.slice(from, start));
    parts.push({ href, text: href });
    from = end;
  }
  if (from < text.length) parts.push(text.slice(from));
  return parts;
}
