import { log } from '#shared/log.js';

/** How many distinct refused origins a process logs; the rest go unlogged, so memory stays bounded. */
export const REFUSED_ORIGINS_LOGGED = 100;

/** The longest origin a log line carries (the header is the caller's text). */
const ORIGIN_LOGGED_CHARS = 200;

/**
 * Logs a web-chat call from an origin not in WEBCHAT_ALLOWED_ORIGINS, once per origin per process:
 * the browser blocks such a page's calls (no CORS headers) and the visitor sees only that the chat
 * could not start, so this line is where the operator learns which setting to change. At most
 * REFUSED_ORIGINS_LOGGED origins are remembered; past them one line says so and no more are logged.
 */
export function refusedOriginLog(allowedOrigins: readonly string[]): (origin: string) => void {
  const seen = new Set<string>();
  let full = false;
  return (origin) => {
    const shown = origin.slice(0, ORIGIN_LOGGED_CHARS);
    if (full || seen.has(shown)) return;
    if (seen.size >= REFUSED_ORIGINS_LOGGED) {
      full = true;
      log('warn', `web chat: ${REFUSED_ORIGINS_LOGGED} origins refused; no more refused origins are logged`, {
        setting: 'WEBCHAT_ALLOWED_ORIGINS',
      });
      return;
    }
    seen.add(shown);
    log(
      'warn',
      'web chat: a page of an origin not in WEBCHAT_ALLOWED_ORIGINS called /webchat/* and was refused (no CORS headers: the browser blocks the widget there); add the origin to WEBCHAT_ALLOWED_ORIGINS if it is your site',
      { origin: shown, allowedOrigins: [...allowedOrigins], setting: 'WEBCHAT_ALLOWED_ORIGINS' },
    );
  };
}
