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

/**
 * The kept list as it is now, in its order (the order written, whichever tab wrote), with this tab's
 * states: another tab's messages come in queued, those it sent go. Undefined when nothing changed.
 */
function synced(kept: readonly Kept[], items: readonly Unsent[]): Unsent[] | undefined {
  const mine = new Map(items.map((u) => [u.clientMessageId, u]));
  const now = kept.map((k): Unsent => mine.get(k.clientMessageId) ?? { ...k, state: 'queued', attempts: 0 });
  const inFlight = items.filter(
    (u) => u.state === 'sending' && !now.some((k) => k.clientMessageId === u.clientMessageId),
  );
  const next = [...now, ...inFlight];
  return next.length !== items.length || next.some((u, i) => u !== items[i]) ? next : undefined;
}

/** The wait before a retry, which `wake` ends at once (a resume, a Retry), so the send loop goes on. */
function wakeable() {
  let end: (() => void) | undefined;
  return {
    pause: (ms: number) =>
      new Promise<void>((done) => {
        const timer = setTimeout(() => end?.(), ms);
        end = () => {
          clearTimeout(timer);
          end = undefined;
          done();
        };
      }),
    wake: () => end?.(),
    waiting: () => end !== undefined,
  };
}

/** Starts `run` under `exclusive`, or (it is running) has it start again once it ends. */
function serial(run: () => Promise<void>, exclusive = (go: () => Promise<void>) => go()) {
  let running = false;
  let again = false;
  const start = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    exclusive(run)
      .catch(() => {})
      .finally(() => {
        running = false;
        if (again) start();
      });
  };
  return start;
}

/**
 * What a failed try leads to: a new session (401); the network back (offline: it failed as the
 * connection went, or the browser knew first, so it is no try, waits for `online` however long, and
 * never shows "Not sent"); else the try counted and the wait before the next (none: failed for good).
 */
function outcomeOf(unsent: Unsent, error: CallError, offline: boolean) {
  if (error.status === 401) return 'unauthorized' as const;
  if (offline && retryable(error)) return 'offline' as const;
  const attempts = unsent.attempts + 1;
  const over = !retryable(error) || attempts >= SEND_ATTEMPTS;
  return { attempts, delay: over ? undefined : retryDelay(attempts, error) };
}

/** The outbox's list in this tab: read from the kept one at first and on `sync`, its changes kept. */
function keptList(key: string, ports: OutboxPorts) {
  let items: Unsent[] = read(ports.storage, key).map((u) => ({ ...u, state: 'queued', attempts: 0 }));
  const changed = (next: Unsent[]) => {
    items = next;
    ports.changed(items);
  };
  const update = (next: Unsent[]) => {
    try {
      keep(ports.storage, key, items, next);
    } catch {}
    changed(next);
  };
  return {
    items: () => items,
    sync: () => {
      const next = synced(read(ports.storage, key), items);
      if (next) changed(next);
    },
    update,
    set: (id: string, change: Partial<Unsent>) =>
      update(items.map((u) => (u.clientMessageId === id ? { ...u, ...change } : u))),
  };
}

/** The outbox of one visitor (its storage key): `add` keeps the text before anything is sent. */
export function createOutbox(key: string, ports: OutboxPorts) {
  const { items, sync, update, set } = keptList(key, ports);
  let ready = false;
  const retryWait = wakeable();
  /** A try that failed: whether the loop goes on (after the wait before the next try, if one is due). */
  const failed = async (unsent: Unsent, error: CallError): Promise<boolean> => {
    const id = unsent.clientMessageId;
    const outcome = outcomeOf(unsent, error, ports.offline());
    if (typeof outcome === 'string') {
      set(id, { state: 'queued' });
      if (outcome === 'unauthorized') {
        ready = false;
        ports.unauthorized();
      }
      return false;
    }
    set(id, { state: outcome.delay === undefined ? 'failed' : 'waiting', attempts: outcome.attempts });
    if (outcome.delay === undefined) return true;
    await retryWait.pause(outcome.delay);
    if (items().find((u) => u.clientMessageId === id)?.state === 'waiting') set(id, { state: 'queued' });
    return true;
  };
  // Sends the oldest kept message (any tab's) not failed for good (it waits for Retry, not the rest), one
  // after another, while this tab holds the site's send lock: one tab at a time, in the order written.
  const drain = async () => {
    for (;;) {
      sync();
      const next = items().find((u) => u.state !== 'failed');
      if (!ready || !next || next.state !== 'queued' || ports.offline()) return;
      set(next.clientMessageId, { state: 'sending' });
      let answer: { id: string; at: string };
      try {
        answer = await ports.post(next);
      } catch (error) {
        if (await failed(next, error as CallError)) continue;
        return;
      }
      update(items().filter((u) => u.clientMessageId !== next.clientMessageId));
      ports.sent(next, answer);
    }
  };
  const start = serial(drain, ports.exclusive);
  /** Starts the send loop, or (it is running) has it look again once it ends: an add as it stopped. */
  const flush = () => {
    if (ready && !ports.offline()) start();
  };
  const requeue = (which: (u: Unsent) => boolean) => {
    update(
      items().map((u) =>
        which(u) && u.state !== 'sending' ? { ...u, state: 'queued' as const, attempts: 0 } : u,
      ),
    );
    if (retryWait.waiting()) retryWait.wake();
    else flush();
  };
  return {
    items,
    add(text: string) {
      const clientMessageId = crypto.randomUUID().replace(/-/g, '');
      const at = new Date().toISOString();
      update([...items(), { clientMessageId, text, at, state: 'queued', attempts: 0 }]);
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
      const taken = items().filter((u) => messageIds.some((id) => id.endsWith(`.${u.clientMessageId}`)));
      if (taken.length) update(items().filter((u) => !taken.includes(u)));
    },
  };
}

/** One outbox, as the panel holds it. */
export type Outbox = ReturnType<typeof createOutbox>;
