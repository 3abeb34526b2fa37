// The visitor's session: the stored one, or a new one (a site's identity token, or the pre-chat form),
// and what went wrong starting it, said so the visitor knows what to do.
import { useEffect, useState } from 'preact/hooks';
import { type Availability, type CallError, call, type StoredSession, storageKey } from './api.js';

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

function readStored(key: string): StoredSession | undefined {
  try {
    const stored = JSON.parse(localStorage.getItem(key) ?? 'null') as StoredSession | null;
    return stored && Date.parse(stored.expiresAt) > Date.now() ? stored : undefined;
  } catch {
    return undefined;
  }
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
  const [session, setSession] = useState(() => readStored(key));
  const [problem, setProblem] = useState<StartProblem | undefined>();
  const [starting, setStarting] = useState(false);
  const start = async (name?: string, email?: string) => {
    setStarting(true);
    setProblem(undefined);
    const body = {
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
      localStorage.setItem(key, JSON.stringify(kept));
      setSession(kept);
    } catch (error) {
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
    if (!session && signedIn && !problem && !starting) void start();
  }, [session, signedIn]);
  const reset = () => {
    localStorage.removeItem(key);
    setSession(undefined);
  };
  return { key, session, problem, starting, signedIn, start, reset };
}

/** Whether a person answers now, asked when the panel opens (the stored session's answer may be old). */
export function useAvailability(origin: string, open: boolean, stored: Availability | undefined) {
  const [fresh, setFresh] = useState<Availability | undefined>();
  useEffect(() => {
    if (!open) return;
    call<Availability>(origin, '/webchat/availability', { method: 'GET' }).then(setFresh, () => {});
  }, [open]);
  return fresh ?? stored;
}
