// The panel's calls to Threadline: sessions, history, sends and read receipts, and the live socket.
import { parseShownJson } from '#shared/domain/bidi.js';
import { retryAfterMs } from '#shared/domain/retry-after.js';
import { isRetryableStatus } from '#shared/http/status.js';

/** One message as the routes and the socket give it. */
export interface ChatMessage {
  id: string;
  at: string;
  conversationId?: string;
  author: 'visitor' | 'agent' | 'ai';
  text: string;
  /** The channel it went on (a verified visitor's history holds their email and SMS too). */
  channel?: string;
  status?: string;
  pending?: boolean;
  /** Our reply's files: https links, opened in a new tab. */
  attachments?: Array<{ url: string; kind: string; name: string }>;
}

/** A session as the panel keeps it in localStorage. */
export interface StoredSession {
  sessionToken: string;
  expiresAt: string;
  verified: boolean;
  liveUrl?: string;
  availability?: Availability;
  /** The email the visitor typed in the pre-chat form (never trusted by Threadline: shown back only). */
  email?: string;
}

/** Routing sent the conversation to a person on the visitor's message at `at` (Threadline's own signal). */
export interface Handoff {
  conversationId: string;
  at: string;
  afterHours?: true;
}

/** A live frame from `/webchat/live`. */
export type LiveFrame =
  | { type: 'message'; message: ChatMessage }
  | { type: 'typing'; by: 'agent' | 'ai'; on: boolean }
  | { type: 'handoff'; handoff: Handoff }
  | { type: 'ready' | 'pong' | 'replaced' };

/** The session's localStorage key: one per signed-in user (the token's `sub`), one for anonymous visitors. */
export function storageKey(identityToken: string | undefined): string {
  let who = 'anonymous';
  try {
    const payload = identityToken?.split('.')[1];
    if (payload) who = `user:${JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))).sub}`;
  } catch {}
  return `threadline-chat:${who}`;
}

/** Whether a person answers now, and if not, when they will. */
export interface Availability {
  open: boolean;
  nextOpenAt?: string;
  timezone?: string;
  /** `false`: Threadline emails no reply (fallback off, or the session has no verified email): none is promised. */
  emailFallback?: false;
}

/**
 * A refused or failed call: `status` is absent when the network failed; `retryAfter` in seconds (429,
 * 503), from either form of the header (RFC 9110: seconds or an HTTP date), as the server side reads it.
 */
export interface CallError extends Error {
  status?: number;
  retryAfter?: number;
  /** The server's message (`email: Invalid email address` names the field before the colon). */
  detail?: string;
}

async function refusal(response: Response): Promise<CallError> {
  let detail: string | undefined;
  try {
    detail = (parseShownJson(await response.text()) as { error?: { message?: string } }).error?.message;
  } catch {}
  const wait = retryAfterMs(response.headers.get('retry-after'), Date.now());
  return Object.assign(new Error(`HTTP ${response.status}`), {
    status: response.status,
    ...(wait ? { retryAfter: Math.ceil(wait / 1000) } : {}),
    ...(detail ? { detail } : {}),
  });
}

/** How long a call waits for its whole answer: a half-open connection that never answers fails instead of stalling. */
export const CALL_TIMEOUT = 15_000;

/**
 * How long the pre-chat form waits for the availability answer before it shows anyway (in the order of
 * open hours): a slow answer must not keep a visitor from writing.
 */
export const HOURS_WAIT = 4000;

/**
 * Calls one route; throws a {@link CallError} so callers can retry, start a new session or show the
 * field. No answer within CALL_TIMEOUT (headers and body) aborts it: a network error (no `status`).
 */
export async function call<T>(
  origin: string,
  path: string,
  init: RequestInit & { token?: string },
): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), CALL_TIMEOUT);
  try {
    const response = await fetch(origin + path, {
      ...init,
      headers,
      credentials: 'omit',
      signal: abort.signal,
    });
    if (!response.ok) throw await refusal(response);
    // Every string shown as written: no bidi control in a reply or a name reorders what the visitor reads.
    return parseShownJson(await response.text()) as T;
  } catch (error) {
    if ((error as CallError).status !== undefined) throw error;
    throw new Error(abort.signal.aborted ? 'timed out' : 'network error');
  } finally {
    clearTimeout(timer);
  }
}

/** Whether a failed call may succeed if sent again: the network, a timeout, a limit, the server. */
export function retryable(error: CallError): boolean {
  return error.status === undefined || isRetryableStatus(error.status);
}

/** One page of the visitor's history and its cursor to the page before (null: none older). */
export interface HistoryPage {
  /** The session's expiry, renewed by the read. */
  expiresAt?: string;
  messages: ChatMessage[];
  handoff?: Handoff | undefined;
  cursor: string | null;
}

/**
 * One page of the visitor's history read from its end: the newest without `cursor`, else the page
 * before it; oldest first within the page. A long history costs one page, and older ones come on scroll.
 */
export function historyPage(origin: string, token: string, cursor?: string | null): Promise<HistoryPage> {
  const query = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
  return call(origin, `/webchat/messages?order=newest${query}`, { token });
}

/** How often an open socket is pinged: well inside API Gateway's 10-minute idle limit. */
const HEARTBEAT = 4 * 60_000;
/** How long a ping waits for any frame before the socket counts as dead. */
const PONG_WAIT = 10_000;

/**
 * Pings an open socket every HEARTBEAT (until `stopped`); `silent` when no frame answers within
 * PONG_WAIT. Answers `heard` (any frame came) and `stop`.
 */
function heartbeat(socket: WebSocket, silent: () => void, stopped: () => boolean) {
  let silence: ReturnType<typeof setTimeout> | undefined;
  const beat = setInterval(() => {
    if (stopped()) return clearInterval(beat);
    socket.send('{"type":"ping"}');
    silence = setTimeout(silent, PONG_WAIT);
  }, HEARTBEAT);
  return {
    heard: () => clearTimeout(silence),
    stop: () => {
      clearInterval(beat);
      clearTimeout(silence);
    },
  };
}

/**
 * Opens the live socket, reopening it after a drop (with a growing wait) until `stop()`. `onState`'s
 * `again` says an open is a reopen after a drop (the network came back), not the first one; an
 * `error` without a `close` is a drop too (Chromium's answer to a socket the page's CSP refuses). A
 * socket the page refuses (`new WebSocket` throws, or the panel calls `block` on the CSP's violation
 * report) calls `onBlocked` once and is not tried again: the page's policy does not change. An open
 * socket is pinged every HEARTBEAT; one that answers nothing within PONG_WAIT is dropped and reopened.
 * A socket Threadline closed for a newer one of the session (`replaced`: the visitor has more than ten
 * tabs) is reopened only on `whenShown` (its tab shown or focused again), so the tabs do not take
 * turns closing each other.
 */
export function live(
  url: string,
  onFrame: (frame: LiveFrame) => void,
  onState: (open: boolean, again: boolean) => void,
  onBlocked: () => void,
  whenShown: (then: () => void) => () => void,
) {
  let wait = 500;
  let socket: WebSocket | undefined;
  let stopped = false;
  let opened = false;
  let replaced = false;
  const waiting: Array<() => void> = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const block = () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    onBlocked();
  };
  const open = () => {
    if (stopped) return;
    replaced = false;
    try {
      socket = new WebSocket(url);
    } catch {
      return block();
    }
    const mine = socket;
    let closed = false;
    let heart: ReturnType<typeof heartbeat> | undefined;
    const drop = () => {
      heart?.stop();
      if (stopped || closed) return;
      closed = true;
      onState(false, opened);
      if (replaced) return void waiting.push(whenShown(open));
      timer = setTimeout(open, wait);
      wait = Math.min(wait * 2, 15_000);
    };
    socket.onopen = () => {
      wait = 500;
      onState(true, opened);
      opened = true;
      // A half-open link (a device that slept) closes nothing: no pong in time means it is dead.
      const silent = () => {
        drop();
        mine.close();
      };
      heart = heartbeat(mine, silent, () => stopped);
    };
    socket.onmessage = (event) => {
      heart?.heard();
      try {
        const frame = parseShownJson(String(event.data)) as LiveFrame;
        if (frame.type === 'replaced') replaced = true;
        onFrame(frame);
      } catch {}
    };
    socket.onerror = socket.onclose = drop;
  };
  open();
  return {
    /** Sends a frame if the socket is open, and says whether it was. */
    send: (frame: unknown) => {
      if (socket?.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(frame));
      return true;
    },
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      for (const stopWaiting of waiting.splice(0)) stopWaiting();
      socket?.close();
    },
    /** The page refused the socket (the panel saw its CSP violation): no more tries. */
    block,
  };
}
