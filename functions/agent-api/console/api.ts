import { parseShownJson } from '#shared/domain/bidi.js';
import type { InboxConversation } from '#shared/domain/inbox.js';
import type { Conversation, Customer, TimelineItem } from '#shared/domain/timeline.js';

/** A timeline item, a conversation (as the inbox lists it too) and a customer as the agent API answers them. */
export type { Conversation, Customer, InboxConversation, TimelineItem };

/** An error answer of the agent API: its status and stable code. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** How long a call waits for its answer (a dead mobile link answers nothing): then it is given up. */
export const CALL_TIMEOUT_MS = 20_000;

/**
 * How long the calls that do much work in one go wait (an erasure's 1,000 deletes, an export, a merge or
 * an unmerge, a webhook's enable): seconds each, more on a loaded machine; API Gateway ends one at 30 s.
 */
export const LONG_CALL_TIMEOUT_MS = 120_000;

/** The long calls (see LONG_CALL_TIMEOUT_MS), by method and path. */
function waitFor(method: string, path: string): number {
  const customer = /^\/api\/customers\/[^/?]+(\/export|\/unmerge|\/suggestions\/.+)?(\?.*)?$/.exec(path);
  const long =
    (customer && (method === 'DELETE' ? !customer[1] : Boolean(customer[1]))) ||
    /^\/api\/webhooks\/[^/]+\/enable$/.test(path);
  return long ? LONG_CALL_TIMEOUT_MS : CALL_TIMEOUT_MS;
}

/** A call given up after CALL_TIMEOUT_MS: a write may or may not have been done. */
export class NoAnswerError extends Error {
  override name = 'NoAnswerError';
}

/**
 * Whether a failed call leaves unknown what the server did: no answer (the network, the timeout), or an
 * answer that is not Threadline's own word (API Gateway's 504 "Endpoint request timed out", a proxy's
 * 502 or 503, a 408 or a 429 with no Threadline error code), or Threadline's `internal` 500 (it failed
 * somewhere along the way). A write so failed may have been done: sent again with its key, it is done once.
 */
export function unanswered(error: unknown): boolean {
  if (!(error instanceof Error) || error instanceof TypeError || error instanceof NoAnswerError) return true;
  if (!(error instanceof ApiError)) return false;
  const gateway = error.status >= 500 || error.status === 408 || error.status === 429;
  return gateway && (error.code === 'error' || error.code === 'internal');
}

/** A `{items, cursor}` page. */
export interface Page<T> {
  items: T[];
  cursor: string | null;
}

/** A channel a reply may (or may not) use now, as `GET /api/customers/{id}/channels` answers. */
export interface ChannelOption {
  channel: string;
  available: boolean;
  reason?: string;
  detail?: string;
  needsTemplate?: boolean;
  /** With `needsTemplate`: the Meta language code nearest the conversation's language (`pt_BR`, `es`, else `en`). */
  templateLanguage?: string;
  tag?: string;
  /** The longest text a reply to this customer may carry on it (Twilio's 1,600 for WhatsApp through Twilio). */
  maxLength?: number;
  /** SMS: our numbers, the one a reply goes from first, each open or blocked (opt-outs are per number). */
  numbers?: Array<NumberOpen & { number: string }>;
  /** SMS: what any other number of ours meets. */
  otherNumbers?: NumberOpen;
}

/** Whether our number may text the customer; why not and since when. */
export interface NumberOpen {
  available: boolean;
  detail?: string;
  at?: string;
}

/** A merge suggestion with its evidence. */
export interface Suggestion {
  customerId: string;
  otherId: string;
  status: string;
  evidence: Array<{
    id: string;
    identity: { kind: string; value: string };
    reason: string;
    at: string;
    /** For `same_thread`: the conversation whose email thread the mail answered. */
    conversationId?: string;
  }>;
  moreEvidence?: number;
}

/** The profile as `GET /api/customers/{id}` answers it. */
export type CustomerView = Customer & { openConversation: Conversation | null; suggestions: Suggestion[] };

/**
 * The calls the console makes, with the agent's bearer token; a 401 ends the session (the sign-in form
 * again, the agent's place kept for them), a 403 `agent_removed` (an admin removed them) stops the console.
 */
export interface Api {
  get<T>(path: string): Promise<T>;
  send<T>(
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<T>;
  /** A file the API answers (a timeline item's attachment or recording), as a Blob of its type. */
  blob(path: string): Promise<Blob>;
  token: string;
}

/** The agent API client for one signed-in agent. */
export function createApi(token: string, onUnauthorized: () => void, onRemoved?: () => void): Api {
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<T> => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), waitFor(method, path));
    let response: Response;
    let text: string;
    try {
      response = await fetch(path, {
        method,
        signal: abort.signal,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      text = await response.text();
    } catch (error) {
      if (abort.signal.aborted) throw new NoAnswerError('Threadline did not answer in time');
      throw error;
    } finally {
      clearTimeout(timer);
    }
    // Shown as written: a customer's bidi override cannot turn a name, a file name or a line round.
    const json = text ? (parseShownJson(text) as { error?: { code?: string; message?: string } }) : undefined;
    if (response.status === 401) onUnauthorized();
    if (!response.ok) {
      const error = json?.error ?? {};
      if (response.status === 403 && error.code === 'agent_removed') onRemoved?.();
      throw new ApiError(response.status, error.code ?? 'error', error.message ?? response.statusText);
    }
    return json as T;
  };
  const blob = async (path: string): Promise<Blob> => {
    const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
    if (response.ok) return response.blob();
    if (response.status === 401) onUnauthorized();
    const text = await response.text();
    const json = text.startsWith('{')
      ? (parseShownJson(text) as { error?: { code?: string; message?: string } })
      : undefined;
    const error = json?.error ?? {};
    if (response.status === 403 && error.code === 'agent_removed') onRemoved?.();
    throw new ApiError(response.status, error.code ?? 'error', error.message ?? response.statusText);
  };
  return {
    token,
    blob,
    get: (path) => call('GET', path),
    send: (method, path, body, headers) => call(method, path, body, headers),
  };
}

/** A page of the customer's timeline read from its end: the newest, or the one before `cursor`. */
export function newestPage(api: Api, customerId: string, limit: number, cursor?: string) {
  const after = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
  return api.get<Page<TimelineItem>>(
    `/api/customers/${customerId}/timeline?order=newest&limit=${limit}${after}`,
  );
}

/**
 * A conversation from a live event, without lists that did not come as arrays (the view keeps its own).
 * A whole conversation (one with its status) without `snoozedUntil` is awake: the key is set to
 * undefined so that merging it over the one shown drops an ended snooze.
 */
export function conversationFrom(value: unknown): Partial<Conversation> {
  const { channels, ...rest } = (value ?? {}) as Partial<Conversation>;
  const awake = rest.status !== undefined && rest.snoozedUntil === undefined;
  return {
    ...rest,
    ...(awake ? { snoozedUntil: undefined } : {}),
    ...(Array.isArray(channels) ? { channels } : {}),
  };
}
