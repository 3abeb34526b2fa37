import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

const ESTIMATE = 72;
const OVERSCAN = 600;

/** The index of the first offset at or after `y` (offsets ascending). */
function firstAt(offsets: readonly number[], y: number): number {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((offsets[mid] ?? 0) < y) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Where each row starts, and (last) where the list ends, from each row's height. */
function offsetsOf<T>(items: readonly T[], heightOf: (item: T) => number): number[] {
  const offsets = [0];
  for (const item of items) offsets.push((offsets.at(-1) ?? 0) + heightOf(item));
  return offsets;
}

/**
 * Watches the rows on screen and the scroller for a change of size (text wrapping at a new width, a row
 * growing), calling `changed`; rows that left the page are let go of, so a long scroll holds none.
 */
function useResized(scroller: { current: HTMLDivElement | null }, changed: () => void) {
  const observer = useRef<ResizeObserver>();
  const watched = useRef(new Set<Element>());
  const latest = useRef(changed);
  latest.current = changed;
  useEffect(() => () => observer.current?.disconnect(), []);
  /** Observes the scroller and the rows rendered now; called after each render. */
  return () => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    observer.current ??= new ResizeObserver(() => latest.current());
    const seen = observer.current;
    for (const row of watched.current)
      if (!row.isConnected) {
        seen.unobserve(row);
        watched.current.delete(row);
      }
    for (const row of [el, ...el.querySelectorAll('[data-row]')])
      if (!watched.current.has(row)) {
        seen.observe(row);
        watched.current.add(row);
      }
  };
}

/**
 * A list that renders only the rows near the viewport (measured as they render, estimated before), so a
 * timeline of 10,000 items opens and scrolls like one of 20. It keeps to the bottom while the agent is there.
 * A row is measured again whenever its size changes (a ResizeObserver), and a new width forgets every
 * height measured at the old one: text wraps differently, and rows placed by stale heights would overlap.
 * The log is not live (`aria-live="off"`): rows come and go as it scrolls and loads, and a screen reader
 * would read out each one drawn; the view tells what arrives, once.
 */
export function VirtualList<T>(props: {
  items: readonly T[];
  keyOf(item: T): string;
  render(item: T): ComponentChildren;
  label: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const heights = useRef(new Map<string, number>());
  const atBottom = useRef(true);
  const [view, setView] = useState({ top: 0, height: 800 });
  const [, remeasured] = useState(0);
  const width = useRef(0);
  const watch = useResized(scroller, () => {
    const el = scroller.current;
    if (!el) return;
    if (el.clientWidth !== width.current) {
      width.current = el.clientWidth;
      heights.current.clear();
    }
    setView({ top: el.scrollTop, height: el.clientHeight });
    remeasured((n) => n + 1);
  });
  const { items, keyOf } = props;
  const offsets = offsetsOf(items, (item) => heights.current.get(keyOf(item)) ?? ESTIMATE);
  const start = Math.max(0, firstAt(offsets, view.top - OVERSCAN) - 1);
  const end = Math.min(items.length, firstAt(offsets, view.top + view.height + OVERSCAN) + 1);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    let changed = false;
    for (const row of el.querySelectorAll<HTMLElement>('[data-row]')) {
      const key = row.dataset.row ?? '';
      const h = row.offsetHeight;
      if (h && heights.current.get(key) !== h) {
        heights.current.set(key, h);
        changed = true;
      }
    }
    if (atBottom.current) el.scrollTop = el.scrollHeight;
    if (changed) remeasured((n) => n + 1);
    watch();
  });

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    setView({ top: el.scrollTop, height: el.clientHeight });
  };
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    width.current = el.clientWidth;
    setView({ top: el.scrollTop, height: el.clientHeight || 800 });
  }, []);
  return (
    <div
      class="scroller"
      ref={scroller}
      onScroll={onScroll}
      role="log"
      aria-live="off"
      aria-label={props.label}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the log scrolls by keyboard once focused
      tabIndex={0}
    >
      <div class="scroll-space" style={{ height: `${offsets.at(-1) ?? 0}px` }}>
        {items.slice(start, end).map((item, i) => {
          const key = keyOf(item);
          return (
            <div key={key} data-row={key} class="row" style={{ top: `${offsets[start + i]}px` }}>
              {props.render(item)}
            </div>
          );
        })}
      </div>
    </div>
  );
}
