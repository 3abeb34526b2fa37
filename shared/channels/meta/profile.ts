import type { Identity } from '../../domain/envelope.js';
import { logger } from '../../log.js';
import { cleanName, hasVisibleText } from '../../validation/visible-text.js';
import { GRAPH_API_VERSION, graphOrigin } from './graph.js';
import { META_SEND_API_VERSION } from './send.js';

/** How long one profile lookup may take: a name is a nicety, never worth holding a message for. */
const PROFILE_TIMEOUT_MS = 2_000;

/** What a profile lookup needs: the Page token (Messenger, Instagram through Facebook Login) and where Graph is. */
export interface MetaProfileOptions {
  pageAccessToken: string;
  /** META_GRAPH_URL (a local fake); Meta's `graph.facebook.com` by default. */
  graphUrl?: string | undefined;
  apiVersion?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * The fields asked for each channel (Meta's User Profile API): Messenger's person by their PSID
 * (`first_name`, `last_name`; the person's opt-in by writing to the Page grants them), Instagram's by
 * their IGSID (`name`, `username`).
 */
const FIELDS = { messenger: 'first_name,last_name', instagram: 'name,username' } as const;

/**
 * The name Meta gives a Messenger or Instagram customer, for a customer who has none: one GET with the
 * Page token, a 2-second limit. Never throws: a refusal (a PSID Meta will not describe, a token
 * without the permission), a timeout, a network failure or an answer with no name is undefined, with
 * one log line naming the channel and the reason, never the id or the token.
 */
export async function metaProfileName(
  identity: Identity,
  options: MetaProfileOptions,
): Promise<string | undefined> {
  if (identity.kind !== 'messenger' && identity.kind !== 'instagram') return undefined;
  const colon = identity.value.indexOf(':');
  const scoped = identity.value.slice(colon + 1);
  const version = options.apiVersion ?? META_SEND_API_VERSION;
  if (colon < 0 || !/^\d{1,32}$/.test(scoped) || !GRAPH_API_VERSION.test(version)) return undefined;
  const origin = graphOrigin(options.graphUrl, 'https://graph.facebook.com');
  const url = `${origin}/${version}/${scoped}?fields=${FIELDS[identity.kind]}`;
  try {
    const response = await (options.fetch ?? globalThis.fetch)(url, {
      headers: { Authorization: `Bearer ${options.pageAccessToken}` },
      signal: AbortSignal.timeout(options.timeoutMs ?? PROFILE_TIMEOUT_MS),
    });
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
      logger.warn('profile lookup refused', {
        channel: identity.kind,
        status: response.status,
        ...(typeof code === 'number' ? { code } : {}),
      });
      return undefined;
    }
    return nameOf(identity.kind, body);
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'network error';
    logger.warn('profile lookup failed', { channel: identity.kind, reason });
    return undefined;
  }
}

/** The person's name as the answer gives it: first and last name, else the Instagram name, else the username. */
function nameOf(kind: 'messenger' | 'instagram', body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const field = (key: string) => {
    const value = (body as Record<string, unknown>)[key];
    return typeof value === 'string' ? cleanName(value.slice(0, 256)) : '';
  };
  const name =
    kind === 'messenger'
      ? [field('first_name'), field('last_name')].filter(hasVisibleText).join(' ')
      : [field('name'), field('username')].find(hasVisibleText);
  return name && hasVisibleText(name) ? name.slice(0, 256) : undefined;
}
