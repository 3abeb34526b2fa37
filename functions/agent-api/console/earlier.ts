import { useEffect, useRef } from 'preact/hooks';
import type { Earlier } from './conversation-data.js';
import { focusLost } from './ui.js';

/** What a screen reader is told once a press of "Earlier messages" has read its page. */
export function earlierSaid(earlier: Earlier): string {
  if (earlier.added === undefined) return '';
  const entries = `${earlier.added} earlier ${earlier.added === 1 ? 'entry' : 'entries'} added above`;
  return earlier.cursor ? `${entries}.` : `${entries}: the timeline starts here.`;
}

/**
 * Once the first item is read, "Earlier messages" goes: the focus it had goes to the list of messages
 * (before, it fell to the page).
 */
export function useEarlierFocus(earlier: Earlier, section: { current: HTMLElement | null }) {
  const had = useRef(false);
  useEffect(() => {
    if (earlier.cursor) return;
    if (had.current && focusLost()) section.current?.querySelector<HTMLElement>('[role="log"]')?.focus();
    had.current = false;
  }, [earlier.cursor]);
  return () => {
    had.current = true;
  };
}
