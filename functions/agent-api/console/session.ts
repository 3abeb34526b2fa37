import { keepPlaceFor, takePlace } from './place.js';

/** How the console signs in, as `/console/config.json` says. */
export interface ConsoleConfig {
  auth: { kind: 'token' } | { kind: 'cognito'; region: string; userPoolId: string; clientId: string };
  liveUrl?: string;
}

/** The signed-in agent: their bearer token (kept in sessionStorage: gone when the tab closes). */
export interface Session {
  token: string;
  agentId: string;
  admin: boolean;
}

const KEY = 'threadline.session';

/** The session of this tab, if signed in. */
export function readSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

/** Keeps (or with null forgets) the session for this tab. */
export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}

/**
 * A session that ended under the agent (a 401: the token's hour is up): forgotten, the agent's place in
 * the tab (open conversation, drafts) kept for them alone.
 */
export function endSession(): void {
  const was = readSession();
  if (was) keepPlaceFor(was.agentId);
  saveSession(null);
}

/** A sign-in: the place kept at a session's end comes back to the same agent, and goes for another. */
export function startSession(session: Session): void {
  takePlace(session.agentId);
  saveSession(session);
}

/** Why `GET /api/me` refused the token, in the sign-in form's words. */
async function refusal(response: Response): Promise<string> {
  if (response.status === 401) return 'That token was not accepted.';
  const body = (await response.json().catch(() => undefined)) as { error?: { code?: string } } | undefined;
  if (body?.error?.code === 'agent_removed')
    return 'An admin removed you from Threadline: ask an admin to restore you.';
  return 'Sign-in failed.';
}

/** The routing policy's queues as the sign-in's `GET /api/me` answered them, for that token's console. */
let signInQueues: { token: string; queues: string[] } | undefined;

/**
 * The queues the sign-in just read for `token`, taken once (the console's first load needs no second
 * `GET /api/me`); undefined after a reload, where the session comes from the tab and nothing was read.
 */
export function queuesReadAtSignIn(token: string): string[] | undefined {
  const kept = signInQueues?.token === token ? signInQueues.queues : undefined;
  signInQueues = undefined;
  return kept;
}

/** Checks a token with `GET /api/me` and makes the session. */
export async function sessionFor(token: string): Promise<Session> {
  const response = await fetch('/api/me', { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(await refusal(response));
  const me = (await response.json()) as { agentId: string; admin: boolean; queues?: string[] };
  signInQueues = { token, queues: me.queues ?? [] };
  return { token, agentId: me.agentId, admin: me.admin };
}

/** The live socket's URL: the configured one (AWS), else `/api/live` on this host. */
export function liveUrl(config: ConsoleConfig): string {
  if (config.liveUrl) return config.liveUrl;
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live`;
}
