// The visitor's unsent messages: kept in sessionStorage until Threadline takes them, sent in order, and
// retried with a growing wait (or the server's Retry-After) under the same clientMessageId, which the
// server keeps as one message however often it arrives.
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

/** Where unsent messages are kept: the page's sessionStorage (survives a reload, not the tab). */
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
}

/** The wait before the next try: the server's Retry-After when it gave one, else doubling from 1 s. */
export function retryDelay(attempts: number, error: CallError): number {
  if (error.retryAfter) return Math.min(error.retryAfter * 1000, LONGEST_WAIT_MS);
  return Math.min(1000 * 2 ** (attempts - 1), 30_000);
}

function load(storage: KeptStorage, key: string): Unsent[] {
  try {
    const saved = JSON.parse(storage.getItem(key) ?? '[]') as Unsent[];
    return saved.map((u) => ({ ...u, state: 'queued' as const, attempts: 0 }));
  } catch {
    return [];
  }
}

/** The outbox of one visitor (its storage key): `add` keeps the text before anything is sent. */
export function createOutbox(key: string, ports: OutboxPorts) {
  let items = load(ports.storage, key);
  let ready = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const update = (next: Unsent[]) => {
    items = next;
    try {
      const kept = items.map(({ clientMessageId, text, at }) => ({ clientMessageId, text, at }));
      if (kept.length) ports.storage.setItem(key, JSON.stringify(kept));
      else ports.storage.removeItem(key);
    } catch {}
    ports.changed(items);
  };
  const set = (id: string, change: Partial<Unsent>) =>
    update(items.map((u) => (u.clientMessageId === id ? { ...u, ...change } : u)));
  const failed = (unsent: Unsent, error: CallError) => {
    const attempts = unsent.attempts + 1;
    const over = !retryable(error) || attempts >= SEND_ATTEMPTS;
    set(unsent.clientMessageId, { state: over ? 'failed' : 'waiting', attempts });
    if (over) return flush();
    const again = () => {
      timer = undefined;
      set(unsent.clientMessageId, { state: 'queued' });
      flush();
    };
    timer = setTimeout(again, retryDelay(attempts, error));
  };
  /** Sends the oldest message that has not failed for good (a failed one waits for Retry, not the rest). */
  const flush = () => {
    const next = items.find((u) => u.state !== 'failed');
    if (!ready || !next || next.state !== 'queued') return;
    set(next.clientMessageId, { state: 'sending' });
    ports.post(next).then(
      (answer) => {
        update(items.filter((u) => u.clientMessageId !== next.clientMessageId));
        ports.sent(next, answer);
        flush();
      },
      (error: CallError) => {
        if (error.status !== 401) return failed(next, error);
        ready = false;
        set(next.clientMessageId, { state: 'queued' });
        ports.unauthorized();
      },
    );
  };
  const requeue = (which: (u: Unsent) => boolean) => {
    clearTimeout(timer);
    timer = undefined;
    update(
      items.map((u) =>
        which(u) && u.state !== 'sending' ? { ...u, state: 'queued' as const, attempts: 0 } : u,
      ),
    );
    flush();
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
    /** Tries again now: the network is back (online, the live socket reopened). */
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
