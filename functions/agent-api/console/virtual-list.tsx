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

/** Where each row starts (and, last, the height of them all): its height measured, else estimated. */
function offsetsOf<T>(items: readonly T[], keyOf: (item: T) => string, heights: ReadonlyMap<string, number>) {
  const offsets = new Array<number>(items.length + 1);
  offsets[0] = 0;
  for (let i = 0; i < items.length; i++) {
    offsets[i + 1] = (offsets[i] ?? 0) + (heights.get(keyOf(items[i] as T)) ?? ESTIMATE);
  }
  return offsets;
}

/**
 * Keeps the row at the top of the viewport where it is: `seen` notes it and how far into it the viewport
 * starts (on each scroll), `keep` scrolls it back there once rows above it came or changed height.
 */
function useAnchor<T>(items: readonly T[], keyOf: (item: T) => string, offsets: readonly number[]) {
  const anchor = useRef<{ key: string; delta: number }>();
  const seen = (top: number) => {
    let i = firstAt(offsets, top);
    if ((offsets[i] ?? 0) > top) i--;
    i = Math.max(0, Math.min(i, items.length - 1));
    const item = items[i];
    anchor.current = item === undefined ? undefined : { key: keyOf(item), delta: top - (offsets[i] ?? 0) };
  };
  const keep = (el: HTMLElement) => {
    const a = anchor.current;
    const at = a ? items.findIndex((item) => keyOf(item) === a.key) : -1;
    if (!a || at < 0) return;
    const want = (offsets[at] ?? 0) + a.delta;
    if (Math.abs(el.scrollTop - want) >= 1) el.scrollTop = want;
  };
  return { seen, keep };
}

/** Notes the height of each row drawn in `el`; true when one changed. */
function measureRows(el: HTMLElement, heights: Map<string, number>): boolean {
  let changed = false;
  for (const row of el.querySelectorAll<HTMLElement>('[data-row]')) {
    const key = row.dataset.row ?? '';
    const h = row.offsetHeight;
    if (h && heights.get(key) !== h) {
      heights.set(key, h);
      changed = true;
    }
  }
  return changed;
}

/**
 * A list that renders only the rows near the viewport (measured as they render, estimated before), so a
 * timeline of 10,000 items opens and scrolls like one of 20. It keeps to the bottom while the agent is there,
 * and elsewhere keeps the row at the top of the viewport where it is when rows come in above it (an
 * earlier page) or rows above it change height.
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
  const offsets = offsetsOf(items, keyOf, heights.current);
  const total = offsets[items.length] ?? 0;
  const start = Math.max(0, firstAt(offsets, view.top - OVERSCAN) - 1);
  const end = Math.min(items.length, firstAt(offsets, view.top + view.height + OVERSCAN) + 1);
  const anchor = useAnchor(items, keyOf, offsets);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const changed = measureRows(el, heights.current);
    if (atBottom.current) el.scrollTop = el.scrollHeight;
    else anchor.keep(el);
    if (changed) remeasured((n) => n + 1);
    watch();
  });

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    anchor.seen(el.scrollTop);
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
      <div class="scroll-space" style={{ height: `${total}px` }}>
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
