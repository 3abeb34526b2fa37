import { Hono } from 'hono';
import { onFirstUse } from '#shared/domain/on-first-use.js';
import { encodedBody } from '#shared/http/compressed.js';
import type { ConsoleBundle } from '#shared/http/console-files.js';

/** How agents sign in to the console: a token of AGENT_TOKENS locally, Cognito SRP with TOTP on AWS. */
export type ConsoleAuth =
  | { kind: 'token' }
  | { kind: 'cognito'; region: string; userPoolId: string; clientId: string };

/** What the console is served with: the built files (loaded on the first request) and its settings. */
export interface ConsoleServing {
  load(): Promise<ConsoleBundle>;
  auth: ConsoleAuth;
  /** The live WebSocket when it is not `/api/live` on this host (API Gateway's WebSocket API on AWS). */
  liveUrl?: string | undefined;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The console's CSP: its own scripts and styles only, images and audio of its own (`blob:` for the
 * timeline's files it fetched), and connections to this API, the live socket and Cognito.
 */
export function consoleCsp(requestUrl: string, serving: Pick<ConsoleServing, 'auth' | 'liveUrl'>): string {
  const url = new URL(requestUrl);
  const connect = new Set([`'self'`, `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}`]);
  if (serving.liveUrl) connect.add(new URL(serving.liveUrl).origin);
  if (serving.auth.kind === 'cognito')
    connect.add(`https://cognito-idp.${serving.auth.region}.amazonaws.com`);
  return [
    `default-src 'self'`,
    `script-src 'self'`,
    `style-src 'self'`,
    // blob: the timeline's files, fetched with the agent's token and shown from a URL of the page's own.
    `img-src 'self' data: blob:`,
    `media-src 'self' blob:`,
    `connect-src ${[...connect].join(' ')}`,
    `base-uri 'none'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
    `object-src 'none'`,
  ].join('; ');
}

/**
 * The agent console at `/console`: the page (never cached, so a deploy shows at once), its hashed assets
 * (cached for a year, immutable) and `/console/config.json` (how to sign in, where the live socket is).
 * The files are read on the first request, not at cold start.
 */
export function consoleApp(serving: ConsoleServing): Hono {
  const loaded = onFirstUse(() => serving.load());
  const app = new Hono();
  const page = async (c: import('hono').Context) => {
    const { html } = await loaded();
    c.header('Cache-Control', 'no-cache');
    c.header('Content-Security-Policy', consoleCsp(c.req.url, serving));
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(html);
  };
  app.get('/console', page);
  app.get('/console/', page);
  app.get('/console/config.json', (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.json({ auth: serving.auth, ...(serving.liveUrl ? { liveUrl: serving.liveUrl } : {}) });
  });
  app.get('/console/assets/:name', async (c) => {
    const file = (await loaded()).assets.get(c.req.param('name'));
    if (!file) return c.json({ error: { code: 'not_found', message: 'no such console file' } }, 404);
    // Brotli or gzip as made at build time when the browser takes it (API Gateway compresses nothing).
    const { body, headers } = encodedBody(file.body, file.encoded ?? {}, c.req.header('accept-encoding'));
    return c.body(body, 200, {
      ...headers,
      'Cache-Control': IMMUTABLE,
      'Content-Type': file.type,
      'X-Content-Type-Options': 'nosniff',
    });
  });
  return app;
}
