import { useEffect, useRef } from 'preact/hooks';

/** Inputs that take no typing: a key pressed on one (a tick box, a radio button) is a shortcut. */
const NOT_TYPED = new Set([
  'checkbox',
  'radio',
  'button',
  'submit',
  'reset',
  'image',
  'file',
  'color',
  'range',
]);

/** Whether a key press belongs to a field the agent is typing in (or a list they choose from by letter). */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target instanceof HTMLInputElement) return !NOT_TYPED.has(target.type);
  return target.isContentEditable || ['TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Where the agent's choice to turn the one-key shortcuts off is kept (this browser, every tab and session). */
export const SHORTCUTS_SETTING = 'threadline.console.shortcuts';

/** The choice where the browser keeps no storage (a locked-down profile): for this page only. */
let offHere = false;

/** Whether the one-key shortcuts are on: unless the agent turned them off (WCAG 2.1.4). */
export function shortcutsOn(): boolean {
  try {
    return localStorage.getItem(SHORTCUTS_SETTING) !== 'off';
  } catch {
    return !offHere;
  }
}

/** A control's `aria-keyshortcuts`: its key while the one-key shortcuts are on, none while they are off. */
export const keyHint = (key: string): string | undefined => (shortcutsOn() ? key : undefined);

/** Turns the one-key shortcuts on or off in this browser. */
export function setShortcutsOn(on: boolean): void {
  offHere = !on;
  try {
    if (on) localStorage.removeItem(SHORTCUTS_SETTING);
    else localStorage.setItem(SHORTCUTS_SETTING, 'off');
  } catch {
    // Kept for this page only (offHere).
  }
}

/**
 * One-key shortcuts (j, k, r, n, e, ?), ignored while they are turned off (the Shortcuts dialog), while
 * typing in a field, with a modifier held, or while a dialog is open (the shortcuts' own list, a
 * question): a key pressed there must not move, resolve or write in the conversation behind it.
 */
export function useShortcuts(keys: Record<string, () => void>): void {
  const latest = useRef(keys);
  latest.current = keys;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return;
      if (!shortcutsOn()) return;
      if (document.querySelector('dialog[open]')) return;
      const action = latest.current[event.key];
      if (!action) return;
      event.preventDefault();
      action();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
