// The visitor's unsent messages: kept in the site's localStorage (beside the session) until Threadline
// takes them, sent in order, and retried with a growing wait (or the server's Retry-After) under the same
// clientMessageId, which the server keeps as one message however often it arrives: a tab closed with a
// message unsent sends it when the visitor comes back, and two tabs that both send it make one message.
import { type CallError, retryable } from './api.js';

/** Tries before a message shows "Not sent": waits of 1, 2, 4, 8 and 16 s between them. */
export const SEND_ATTEMPTS = 6;
/** The longest wait between two tries, however long a Retry-After asks for. */
const LONGEST_WAIT_MS = 120_000;

/** A message Threadline has not taken yet. */
export interface Unsent {
  clientMessageId: string;
  text: string;
  at: string;
  /** `failed`: no more automatic tries; the visitor may retry. */
  state: 'queued' | 'sending' | 'waiting' | 'failed';
  attempts: number;
}

/** Where unsent messages are kept: the site's localStorage (survives closing the tab), shared by its tabs. */
export interface KeptStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** What the outbox needs: the call that sends, where to keep messages, and who to tell. */
export interface OutboxPorts {
  storage: KeptStorage;
  post(unsent: Unsent): Promise<{ id: string; at: string }>;
  sent(unsent: Unsent, answer: { id: string; at: string }): void;
  /** The session was refused (401): the panel starts a new one, and the outbox waits for it. */
  unauthorized(): void;
  changed(items: readonly Unsent[]): void;
  /** Whether the browser says it is offline: nothing is tried then, and no try is counted. */
  offline(): boolean;
  /**
   * Runs `run` while no other tab of the site runs its own (the site's tabs share one outbox: one
   * sends at a time, the oldest first); absent, at once.
   */
  exclusive?(run: () => Promise<void>): Promise<void>;
}

/** The wait before the next try: the server's Retry-After when it gave one, else doubling from 1 s. */
export function retryDelay(attempts: number, error: CallError): number {
  if (error.retryAfter) return Math.min(error.retryAfter * 1000, LONGEST_WAIT_MS);
  return Math.min(1000 * 2 ** (attempts - 1), 30_000);
}

type Kept = Pick<Unsent, 'clientMessageId' | 'text' | 'at'>;

function read(storage: KeptStorage, key: string): Kept[] {
  try {
    const saved = JSON.parse(storage.getItem(key) ?? '[]') as Kept[];
    return Array.isArray(saved) ? saved : [];
  } catch {
    return [];
  }
}

/**
 * Writes this tab's change into the kept list as it is now (another tab of the site may have added or
 * sent messages since this one read it): what this tab added goes in, what it took out goes, the rest stays.
 */
function keep(storage: KeptStorage, key: string, before: readonly Unsent[], after: readonly Unsent[]) {
  const was = new Set(before.map((u) => u.clientMessageId));
  const now = new Set(after.map((u) => u.clientMessageId));
  const kept = read(storage, key).filter((u) => !was.has(u.clientMessageId) || now.has(u.clientMessageId));
  for (const { clientMessageId, text, at } of after)
    if (!was.has(clientMessageId) && !kept.some((u) => u.clientMessageId === clientMessageId))
      kept.push({ clientMessageId, text, at });
  if (kept.length) storage.setItem(key, JSON.stringify(kept));
  else storage.removeItem(key);
}

/** The outbox of one visitor (its storage key): `add` keeps the text before anything is sent. */
export function createOutbox(key: string, ports: OutboxPorts) {
  let items: Unsent[] = read(ports.storage, key).map((u) => ({ ...u, state: 'queued', attempts: 0 }));
  let ready = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Ends the wait before a retry at once (a resume, a Retry), so the send loop goes on. */
  let wake: (() => void) | undefined;
  let draining = false;
  let again = false;
  /**
   * Takes the kept list as it is now, in its order (the order written, whichever tab wrote): another
   * tab's messages come in queued, those it sent go; this tab's states stay.
   */
  const sync = () => {
    const mine = new Map(items.map((u) => [u.clientMessageId, u]));
    const kept = read(ports.storage, key).map(
      (k): Unsent => mine.get(k.clientMessageId) ?? { ...k, state: 'queued', attempts: 0 },
    );
    const inFlight = items.filter(
      (u) => u.state === 'sending' && !kept.some((k) => k.clientMessageId === u.clientMessageId),
    );
    const next = [...kept, ...inFlight];
    if (next.length !== items.length || next.some((u, i) => u !== items[i])) {
      items = next;
      ports.changed(items);
    }
  };
  const update = (next: Unsent[]) => {
    try {
      keep(ports.storage, key, items, next);
    } catch {}
    items = next;
    ports.changed(items);
  };
  const set = (id: string, change: Partial<Unsent>) =>
    update(items.map((u) => (u.clientMessageId === id ? { ...u, ...change } : u)));
  /** The wait before the next try, cut short by `wake`. */
  const pause = (ms: number) =>
    new Promise<void>((done) => {
      wake = () => {
        clearTimeout(timer);
        timer = undefined;
        wake = undefined;
        done();
      };
      timer = setTimeout(wake, ms);
    });
  /** A try that failed: whether the loop goes on (after the wait before the next try, if one is due). */
  const failed = async (unsent: Unsent, error: CallError): Promise<boolean> => {
    const id = unsent.clientMessageId;
    if (error.status === 401) {
      ready = false;
      set(id, { state: 'queued' });
      ports.unauthorized();
      return false;
    }
    // Offline (it failed as the connection went, or the browser knew first): not a try; it waits for
    // `online` (resume), however long that takes, and never shows "Not sent" for it.
    if (ports.offline() && retryable(error)) {
      set(id, { state: 'queued' });
      return false;
    }
    const attempts = unsent.attempts + 1;
    const over = !retryable(error) || attempts >= SEND_ATTEMPTS;
    set(id, { state: over ? 'failed' : 'waiting', attempts });
    if (over) return true;
    await pause(retryDelay(attempts, error));
    if (items.find((u) => u.clientMessageId === id)?.state === 'waiting') set(id, { state: 'queued' });
    return true;
  };
  /**
   * Sends the oldest message of the kept list (every tab's) that has not failed for good (a failed one
   * waits for Retry, not the rest), one after another, while this tab holds the site's send lock: the
   * tabs send one at a time, in the order written.
   */
  const drain = async () => {
    for (;;) {
      sync();
      const next = items.find((u) => u.state !== 'failed');
      if (!ready || !next || next.state !== 'queued' || ports.offline()) return;
      set(next.clientMessageId, { state: 'sending' });
      let answer: { id: string; at: string };
      try {
        answer = await ports.post(next);
      } catch (error) {
        if (await failed(next, error as CallError)) continue;
        return;
      }
      update(items.filter((u) => u.clientMessageId !== next.clientMessageId));
      ports.sent(next, answer);
    }
  };
  /** Starts the send loop, or (it is running) has it look again once it ends: an add as it stopped. */
  const flush = () => {
    if (draining) {
      again = true;
      return;
    }
    if (!ready || ports.offline()) return;
    draining = true;
    again = false;
    const run = ports.exclusive ?? ((go: () => Promise<void>) => go());
    run(drain)
      .catch(() => {})
      .finally(() => {
        draining = false;
        if (again) flush();
      });
  };
  const requeue = (which: (u: Unsent) => boolean) => {
    update(
      items.map((u) =>
        which(u) && u.state !== 'sending' ? { ...u, state: 'queued' as const, attempts: 0 } : u,
      ),
    );
    if (wake) wake();
    else flush();
  };
  return {
    items: () => items,
    add(text: string) {
      const clientMessageId = crypto.randomUUID().replace(/-/g, '');
      const at = new Date().toISOString();
      update([...items, { clientMessageId, text, at, state: 'queued', attempts: 0 }]);
      flush();
    },
    /** Whether a session is there to send with. */
    ready(on: boolean) {
      ready = on;
      flush();
    },
    retry: (id: string) => requeue((u) => u.clientMessageId === id),
    /** Tries again now: the network is back (online, the live socket reopened); a try offline waits for it. */
    resume: () => requeue((u) => u.state === 'failed' || u.state === 'waiting'),
    /** Drops what Threadline already has (its id ends with `.<clientMessageId>`), a lost answer say. */
    confirm(messageIds: readonly string[]) {
      const taken = items.filter((u) => messageIds.some((id) => id.endsWith(`.${u.clientMessageId}`)));
      if (taken.length) update(items.filter((u) => !taken.includes(u)));
    },
  };
}

/** One outbox, as the panel holds it. */
export type Outbox = ReturnType<typeof createOutbox>;
