// The site origin's storage, or this page's memory when the browser refuses it (the visitor blocks
// site data: reading `localStorage` throws SecurityError), so the chat works either way.

/** What the panel keeps: the session, the outbox, the draft, the replies seen, open or closed. */
export type Kept = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** A storage in this page's memory: gone on reload, as the browser wants when it blocks site data. */
function memory(): Kept {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key),
  };
}

/** The browser's storage when it lets the page read and write it, else undefined. */
function usable(which: 'localStorage' | 'sessionStorage'): Storage | undefined {
  try {
    const storage = window[which];
    storage.setItem('threadline-chat:probe', '1');
    storage.removeItem('threadline-chat:probe');
    return storage;
  } catch {
    return undefined;
  }
}

/**
 * One store per kind for the page: the browser's, or memory. Every call through it is guarded too,
 * since a quota or a setting changed mid-visit may refuse one write (the chat goes on without it).
 */
function guarded(which: 'localStorage' | 'sessionStorage'): { store: Kept; kept: boolean } {
  const real = usable(which);
  const store = real ?? memory();
  return {
    kept: Boolean(real),
    store: {
      getItem: (key) => {
        try {
          return store.getItem(key);
        } catch {
          return null;
        }
      },
      setItem: (key, value) => {
        try {
          store.setItem(key, value);
        } catch {}
      },
      removeItem: (key) => {
        try {
          store.removeItem(key);
        } catch {}
      },
    },
  };
}

const local = guarded('localStorage');
const tab = guarded('sessionStorage');

/** The site's localStorage (the session, its outbox and draft: across tabs, reloads and closing the tab), or memory. */
export const siteStore: Kept = local.store;
/** The tab's sessionStorage (the replies seen, open or closed), or memory. */
export const tabStore: Kept = tab.store;
/** Whether the browser keeps the chat across a reload (false: it blocks site data, memory holds it). */
export const storageKept = local.kept && tab.kept;
