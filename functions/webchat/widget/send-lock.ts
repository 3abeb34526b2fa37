// One tab of the site sends the visitor's messages at a time (the tabs share one outbox, sent in the
// order written): the browser's Web Locks where it has them, else a lease kept in the site's storage.
import type { KeptStorage } from './outbox.js';

/** How long a storage lease lasts unless renewed: longer than a call (CALL_TIMEOUT), so a tab closed mid-send frees it soon. */
const LEASE_MS = 20_000;
/** How often a tab waiting for the lease looks again. */
const LOOK_AGAIN_MS = 500;

const wait = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Runs `run` holding the lease `name` in `storage`: taken when free or run out, renewed while held. */
async function leased(name: string, storage: KeptStorage, run: () => Promise<void>): Promise<void> {
  const me = `${Math.random().toString(36).slice(2)} `;
  const take = () => storage.setItem(name, me + (Date.now() + LEASE_MS));
  for (;;) {
    const held = storage.getItem(name);
    if (!held || Number(held.split(' ')[1]) < Date.now()) take();
    // Two tabs that took it at once: the last write holds it, the other waits.
    if (storage.getItem(name)?.startsWith(me)) break;
    await wait(LOOK_AGAIN_MS);
  }
  const renew = setInterval(take, LEASE_MS / 2);
  try {
    await run();
  } finally {
    clearInterval(renew);
    if (storage.getItem(name)?.startsWith(me)) storage.removeItem(name);
  }
}

/** The outbox's `exclusive`: `run` while no other tab of the site holds `name`. */
export function sendLock(name: string, storage: KeptStorage) {
  return (run: () => Promise<void>): Promise<void> => {
    const locks = (navigator as { locks?: LockManager }).locks;
    if (typeof locks?.request !== 'function') return leased(name, storage, run);
    // A browser that blocks site data refuses the lock too (SecurityError): the lease, in memory then.
    let ran = false;
    const held = () => {
      ran = true;
      return run();
    };
    return locks.request(name, held).then(
      () => {},
      (error: unknown) => {
        if (ran) throw error;
        return leased(name, storage, run);
      },
    );
  };
}
