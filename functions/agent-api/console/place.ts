import type { Conversation } from './api.js';

const SEEN = 'threadline.conversations';
const DRAFT = 'threadline.draft.';
const PENDING = 'threadline.pending.';
const KEPT_FOR = 'threadline.kept-for';
const KEEP = 50;

/** The conversation the address names (`/console#/conversations/<id>`), if any. */
export function conversationInAddress(): string | undefined {
  return /^#\/conversations\/([\w.:-]{1,200})$/.exec(location.hash)?.[1];
}

/** Puts the open conversation in the address (a history entry, so Back returns), or takes it out. */
export function showInAddress(id: string | undefined): void {
  const hash = id ? `#/conversations/${id}` : '';
  if (location.hash === hash || (!id && !location.hash)) return;
  history.pushState(null, '', `${location.pathname}${location.search}${hash}`);
}

function read<T>(key: string, fallback: T): T {
  try {
    const raw = sessionStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
}

function write(key: string, value: unknown): void {
  try {
    if (value === undefined) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // A full or refused storage loses only the convenience.
  }
}

/** Customers erased while this page is open: nothing of theirs is kept for the tab again. */
const erased = new Set<string>();

/** The conversations opened in this tab, newest first: a reload or Back finds the one the address names. */
export function rememberConversation(c: Conversation): void {
  if (erased.has(c.customerId)) return;
  const seen = read<Conversation[]>(SEEN, []).filter((s) => s.id !== c.id);
  write(SEEN, [c, ...seen].slice(0, KEEP));
}

/** A conversation opened in this tab before, by id. */
export const rememberedConversation = (id: string): Conversation | undefined =>
  read<Conversation[]>(SEEN, []).find((c) => c.id === id);

/**
 * Forgets what the tab keeps of erased customers: their conversations remembered (each with the
 * customer's name and first identity, as the inbox row carries them), the drafts written in those and in
 * `conversationIds` (a draft moved to a newer conversation never opened here), and keeps none again for
 * the page's life. An erasure removes them from the store: the browser must not keep them.
 */
export function forgetCustomers(
  customerIds: readonly string[],
  conversationIds: readonly string[] = [],
): void {
  for (const id of customerIds) erased.add(id);
  const seen = read<Conversation[]>(SEEN, []);
  const gone = seen.filter((c) => erased.has(c.customerId)).map((c) => c.id);
  for (const id of [...gone, ...conversationIds]) {
    write(DRAFT + id, undefined);
    write(PENDING + id, undefined);
  }
  if (gone.length)
    write(
      SEEN,
      seen.filter((c) => !erased.has(c.customerId)),
    );
}

/** What the composer writes: a reply to the customer or a note only agents see. */
export type ComposerMode = 'reply' | 'note';

/** A half-written text, whether it was a reply or a note, and the channel the agent chose for a reply. */
export interface Draft {
  text: string;
  mode: ComposerMode;
  /** Chosen by the agent (never the one picked for them), so a reload or a return keeps it. */
  channel?: string;
}

/**
 * The half-written text of a conversation (kept for the tab, per conversation) with its mode, so a note
 * comes back as a note and never goes to the customer as a reply, and the reply's channel when the agent
 * chose one. A draft kept as bare text by an earlier console is a reply, as it was then.
 */
export function readDraft(id: string): Draft {
  const kept = read<unknown>(DRAFT + id, undefined);
  if (typeof kept === 'string') return { text: kept, mode: 'reply' };
  const draft = kept as Partial<Draft> | undefined;
  return {
    text: typeof draft?.text === 'string' ? draft.text : '',
    mode: draft?.mode === 'note' ? 'note' : 'reply',
    ...(typeof draft?.channel === 'string' ? { channel: draft.channel } : {}),
  };
}

/** Keeps a conversation's draft with its mode, or drops it when there is no text and it is a reply. */
export const saveDraft = (id: string, draft: Draft): void =>
  write(DRAFT + id, draft.text || draft.mode === 'note' ? draft : undefined);

/**
 * A reply or note posted to a conversation whose answer has not come (a dropped connection, a reload
 * while it went): its `Idempotency-Key` and what it said (`content`). Sent again as it is, after a reload
 * or another conversation too, it goes with the same key, so the API answers the first rather than
 * storing or sending a second.
 */
export interface PendingSend {
  mode: ComposerMode;
  key: string;
  content: string;
}

/** The send of a conversation still waiting for its answer, if any. */
export function readPending(id: string): PendingSend | undefined {
  const kept = read<Partial<PendingSend> | undefined>(PENDING + id, undefined);
  if (typeof kept?.key !== 'string' || typeof kept.content !== 'string') return undefined;
  return { mode: kept.mode === 'note' ? 'note' : 'reply', key: kept.key, content: kept.content };
}

/** Keeps the send on its way (before it is posted), or forgets it once the API has taken it. */
export const savePending = (id: string, pending: PendingSend | undefined): void =>
  write(PENDING + id, pending);

/**
 * The `Idempotency-Key` a reply or note goes with: the key of the send on this conversation still
 * waiting for its answer when this one says the same (kept for the tab, so a reload or another
 * conversation in between does not make it a second), else a new one. It is kept before the post and
 * forgotten once the API has taken it; an edited text is another send, with a key of its own (the API
 * refuses a key sent again with another body: 422 `idempotency_key_reused`).
 */
export function keyFor(conversationId: string, mode: ComposerMode, content: string): string {
  const pending = readPending(conversationId);
  const key = pending?.mode === mode && pending.content === content ? pending.key : crypto.randomUUID();
  savePending(conversationId, { mode, key, content });
  return key;
}

/**
 * Sign-out on a shared tab: the next agent gets none of this one's place, so the open conversation, the
 * conversations seen and every draft go (a half-written reply lost beats one shown to someone else).
 */
export function forgetPlace(): void {
  try {
    for (const key of Object.keys(sessionStorage))
      if (key === SEEN || key === KEPT_FOR || key.startsWith(DRAFT) || key.startsWith(PENDING))
        sessionStorage.removeItem(key);
  } catch {
    // Storage refused: there is nothing kept to leak.
  }
  if (location.hash) history.replaceState(null, '', `${location.pathname}${location.search}`);
}

/**
 * A session that ended under the agent (the API answered 401: the token's hour was up): their place
 * (the open conversation, the drafts, a send waiting for its answer) stays in the tab for them alone.
 */
export const keepPlaceFor = (agentId: string): void => write(KEPT_FOR, agentId);

/** Whose place the tab keeps since their session ended, if anyone's. */
export function placeKeptFor(): string | undefined {
  const kept = read<unknown>(KEPT_FOR, undefined);
  return typeof kept === 'string' ? kept : undefined;
}

/**
 * A sign-in: the place kept when a session ended is the agent's again when it was theirs; another
 * agent signing in on the tab gets none of it (it goes, as at a sign-out).
 */
export function takePlace(agentId: string): void {
  const kept = placeKeptFor();
  write(KEPT_FOR, undefined);
  if (kept !== undefined && kept !== agentId) forgetPlace();
}
