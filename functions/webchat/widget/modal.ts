// The panel as a modal dialog while it covers the window (a phone: 30em or less, as panel-css.ts has it).
import { useEffect, useState } from 'preact/hooks';

/** The width under which the open panel takes the whole window (the stylesheet's phone rule). */
const COVERS = '(max-width:30em)';

/** Whether the open panel covers the window, kept current as the window changes (a turned phone). */
export function useCoversWindow(): boolean {
  const [covers, setCovers] = useState(() => matchMedia(COVERS).matches);
  useEffect(() => {
    const query = matchMedia(COVERS);
    const change = () => setCovers(query.matches);
    query.addEventListener('change', change);
    return () => query.removeEventListener('change', change);
  }, []);
  return covers;
}

/** What Tab stops at in the panel. */
const STOPS = 'button:not([disabled]),textarea,input,a[href],[tabindex]:not([tabindex="-1"])';

/**
 * Tab and Shift+Tab go round the dialog's own controls: from its last to its first and back, and
 * from the dialog itself (it holds the focus while the form waits) into them. Before, on a phone,
 * Tab went from Send to the page's links under the panel, out of sight.
 */
function keepFocusIn(event: KeyboardEvent, dialog: HTMLElement) {
  if (event.key !== 'Tab') return;
  const stops = [...dialog.querySelectorAll<HTMLElement>(STOPS)].filter((el) => el.getClientRects().length);
  const first = stops[0];
  const last = stops.at(-1);
  if (!first || !last) return event.preventDefault();
  const at = (dialog.getRootNode() as ShadowRoot).activeElement;
  const to = event.shiftKey
    ? at === first || at === dialog
      ? last
      : undefined
    : at === last
      ? first
      : undefined;
  if (!to) return;
  event.preventDefault();
  to.focus();
}

/** The dialog's keys: Escape closes it; Tab stays inside while it covers the window. */
export const dialogKeys = (covers: boolean, close: () => void) => (event: KeyboardEvent) => {
  if (event.key === 'Escape') close();
  else if (covers) keepFocusIn(event, event.currentTarget as HTMLElement);
};
