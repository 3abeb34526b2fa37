// The visitor's session: the stored one, or a new one (a site's identity token, or the pre-chat form),
// and what went wrong starting it, said so the visitor knows what to do.
import { useEffect, useState } from 'preact/hooks';
import {
  type Availability,
  type CallError,
  call,
  HOURS_WAIT,
  type StoredSession,
  storageKey,
} from './api.js';
import { siteStore } from './storage.js';

/** The loader's settings: its origin, and the script tag's data attributes. */
export interface Config {
  origin: string;
  identityToken?: string | undefined;
  /** `data-allow-anonymous`: a visitor whose identity token is refused may chat as a guest. */
  allowAnonymous?: boolean | undefined;
  welcome?: string | undefined;
  title?: string | undefined;
}

/** Why no session: the identity token was refused, a field was refused, or Threadline could not be reached. */
export type StartProblem =
  | { kind: 'identity' }
  | { kind: 'field'; field: string; message: string }
  | { kind: 'unavailable'; retryAfter?: number };

/** A live session as stored (`raw`: the value read, this tab's or another's), else undefined. */
function parseStored(raw: string | null): StoredSession | undefined {
  try {
    const stored = JSON.parse(raw ?? 'null') as StoredSession | null;
    return stored && Date.parse(stored.expiresAt) > Date.now() ? stored : undefined;
  } catch {
    return undefined;
  }
}

/** The session stored under `key` while it lasts. */
function readStored(key: string): StoredSession | undefined {
  return parseStored(siteStore.getItem(key));
}

/**
 * The session stored under `key`, read as the panel mounts. None (ended, expired, never started): an
 * anonymous visitor's messages and draft kept beside it go too (the next person at this browser may not
 * be them); a signed-in visitor's stay for their next session, which their site's fresh token starts:
 * the key is their user id (the token's `sub`), so they go under no one else's, and another user's
 * page ends them first (`endPreviousUser`).
 */
function storedOrForget(key: string): StoredSession | undefined {
  const stored = readStored(key);
  if (!stored && key === storageKey(undefined))
    for (const kept of [':outbox', ':draft']) siteStore.removeItem(key + kept);
  return stored;
}

/**
 * Another tab of the site stored a session under our key (its visitor started the chat there): this
 * tab takes it, so one visitor stays one customer with one conversation whichever tab they write in.
 */
function useOtherTabs(key: string, adopt: (session: StoredSession) => void) {
  useEffect(() => {
    const heard = (event: StorageEvent) => {
      const found = event.key === key ? parseStored(event.newValue) : undefined;
      if (found) adopt(found);
    };
    window.addEventListener('storage', heard);
    return () => window.removeEventListener('storage', heard);
  }, [key]);
}

/**
 * The visitor's start key (32 random bytes, kept beside the session in the site's storage, so the
 * site's tabs share it from when they load): two tabs pressing "Start chat" at once send the same key,
 * and Threadline makes one session of both. A new one after a session ends.
 */
function startKeyOf(key: string): string {
  const name = `${key}:start`;
  const kept = siteStore.getItem(name);
  if (kept && /^[\w-]{43}$/.test(kept)) return kept;
  const bytes = String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)));
  const made = btoa(bytes).replace(/\+/g, '-').replace(/\//g, '_').slice(0, 43);
  siteStore.setItem(name, made);
  return made;
}

function problemOf(error: CallError, identity: boolean): StartProblem {
  if (error.status === 401 && identity) return { kind: 'identity' };
  const [field, ...rest] = (error.detail ?? '').split(': ');
  if (error.status === 400 && (field === 'email' || field === 'name') && rest.length) {
    return { kind: 'field', field, message: rest.join(': ') };
  }
  return { kind: 'unavailable', ...(error.retryAfter ? { retryAfter: error.retryAfter } : {}) };
}

/**
 * The session: a signed-in visitor's starts by itself; a refused token (expired, say) makes the
 * visitor a guest when the page allows it (their own key, so a guest session never sits under the user's); `reset` drops a
 * session Threadline no longer knows (401).
 */
export function useSession(config: Config) {
  const [guest, setGuest] = useState(false);
  const signedIn = Boolean(config.identityToken) && !guest;
  const key = storageKey(signedIn ? config.identityToken : undefined);
  const [session, setSession] = useState(() => storedOrForget(key));
  const [problem, setProblem] = useState<StartProblem | undefined>();
  const [starting, setStarting] = useState(false);
  useOtherTabs(key, (found) => setSession((now) => (now?.sessionToken === found.sessionToken ? now : found)));
  const start = async (name?: string, email?: string, freshKey = false): Promise<void> => {
    // Another tab may have started the chat since this one mounted (its event can be missed): take it.
    const stored = readStored(key);
    if (stored) return setSession(stored);
    setStarting(true);
    setProblem(undefined);
    const body = {
      startKey: startKeyOf(key),
      ...(signedIn ? { identityToken: config.identityToken } : {}),
      name: name || undefined,
      email: email || undefined,
    };
    try {
      const started = await call<StoredSession>(config.origin, '/webchat/sessions', {
        method: 'POST',
        body: JSON.stringify(body),
      });
      const kept = { ...started, ...(email ? { email } : {}) };
      siteStore.setItem(key, JSON.stringify(kept));
      setSession(kept);
    } catch (error) {
      // A spent start key (its session was erased, or another visitor used it): once, with a new key.
      if ((error as CallError).status === 409 && !freshKey) {
        siteStore.removeItem(`${key}:start`);
        return await start(name, email, true);
      }
      const found = problemOf(error as CallError, signedIn);
      if (found.kind === 'identity' && config.allowAnonymous) {
        setGuest(true);
        setSession(readStored(storageKey(undefined)));
      }
      setProblem(found);
    } finally {
      setStarting(false);
    }
  };
  useEffect(() => {
    if (!session) startKeyOf(key);
    if (!session && signedIn && !problem && !starting) void start();
  }, [session, signedIn]);
  const reset = () => {
    siteStore.removeItem(key);
    siteStore.removeItem(`${key}:start`);
    setSession(undefined);
  };
  /** Threadline renewed the session on use (its history says until when): the stored one lasts as long. */
  const renew = (token: string, expiresAt: string) => {
    const stored = readStored(key);
    if (stored?.sessionToken === token && stored.expiresAt !== expiresAt)
      siteStore.setItem(key, JSON.stringify({ ...stored, expiresAt }));
  };
  return { key, session, problem, starting, signedIn, start, reset, renew };
}

/**
 * Whether a person answers now, asked when the panel opens (the stored session's answer may be old).
 * `known`: the answer came, failed, or took longer than `HOURS_WAIT`; the pre-chat form waits for it,
 * so its fields are not reordered under a visitor already typing.
 */
export function useAvailability(origin: string, open: boolean, stored: Availability | undefined) {
  const [fresh, setFresh] = useState<Availability | undefined>();
  const [settled, setSettled] = useState(false);
  useEffect(() => {
    if (!open) return;
    const done = () => setSettled(true);
    const waited = setTimeout(done, HOURS_WAIT);
    call<Availability>(origin, '/webchat/availability', { method: 'GET' })
      .then(setFresh, () => {})
      .finally(() => {
        clearTimeout(waited);
        done();
      });
    return () => clearTimeout(waited);
  }, [open]);
  // Whether replies are emailed is the session's to say (no verified email, no email): the fresh answer
  // is the same for everyone, so it tells only the hours.
  const hours =
    fresh && stored?.emailFallback === false ? { ...fresh, emailFallback: false as const } : fresh;
  return { hours: hours ?? stored, known: settled || Boolean(fresh ?? stored) };
}
