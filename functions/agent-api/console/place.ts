import type { Conversation } from './api.js';

const SEEN = 'threadline.conversations';
const DRAFT = 'threadline.draft.';
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

/** The conversations opened in this tab, newest first: a reload or Back finds the one the address names. */
export function rememberConversation(c: Conversation): void {
  const seen = read<Conversation[]>(SEEN, []).filter((s) => s.id !== c.id);
  write(SEEN, [c, ...seen].slice(0, KEEP));
}

/** A conversation opened in this tab before, by id. */
export const rememberedConversation = (id: string): Conversation | undefined =>
  read<Conversation[]>(SEEN, []).find((c) => c.id === id);

/** The half-written reply of a conversation (kept for the tab, per conversation). */
export const readDraft = (id: string): string => read<string>(DRAFT + id, '');

/** Keeps (or with '' drops) a conversation's draft. */
export const saveDraft = (id: string, text: string): void => write(DRAFT + id, text || undefined);
