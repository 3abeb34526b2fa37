import { type Context, Hono } from 'hono';
import { type Encoded, type EncodedJson, encodedBody, encodedFromJson } from '#shared/http/compressed.js';

/** The widget as built (functions/webchat/widget/build.ts): the loader, and the panel under its hashed name. */
export interface WebchatAssets {
  loader: string;
  panel: { name: string; body: string };
  /** Their brotli and gzip forms, made when the widget is built (none: served as they are). */
  encoded?: { loader: Encoded; panel: Encoded } | undefined;
  /** The demo page for the origin it is served from, locally only. */
  demo?: ((origin: string) => string) | undefined;
}

const JS = 'text/javascript; charset=utf-8';

/**
 * The widget's files: `GET /webchat/widget.js` (the loader, cached briefly so a new release is picked
 * up), the panel under its content hash (cached for good) and, locally, `GET /webchat/demo`. Served
 * with CORP cross-origin, so pages of any origin may load them, and nosniff; compressed (brotli, else
 * gzip) when the request's Accept-Encoding takes it, with `Vary: Accept-Encoding`.
 */
export function widgetRoutes(assets: WebchatAssets): Hono {
  const app = new Hono();
  const headers = { 'X-Content-Type-Options': 'nosniff', 'Cross-Origin-Resource-Policy': 'cross-origin' };
  const loader = new TextEncoder().encode(assets.loader);
  const panel = new TextEncoder().encode(assets.panel.body);
  // Brotli or gzip as made at build time when the browser takes it (API Gateway compresses nothing).
  const serve = (c: Context, raw: Uint8Array, encoded: Encoded | undefined, cache: string) => {
    const file = encodedBody(raw, encoded ?? {}, c.req.header('accept-encoding'));
    return c.body(file.body, 200, {
      ...headers,
      ...file.headers,
      'Content-Type': JS,
      'Cache-Control': cache,
    });
  };
  app.get('/webchat/widget.js', (c) => serve(c, loader, assets.encoded?.loader, 'public, max-age=300'));
  app.get(`/webchat/assets/${assets.panel.name}`, (c) =>
    serve(c, panel, assets.encoded?.panel, 'public, max-age=31536000, immutable'),
  );
  const demo = assets.demo;
  if (demo) app.get('/webchat/demo', (c) => c.html(demo(new URL(c.req.url).origin)));
  return app;
}

/** The widget as the stack's JSON file holds it (`webchat-widget.json`, beside the web-chat bundle). */
export interface WidgetJson {
  loader: string;
  panel: { name: string; body: string };
  encoded?: { loader: EncodedJson; panel: EncodedJson };
}

/** The widget read from its JSON file, its compressed forms decoded once (at cold start). */
export function widgetFromJson(json: WidgetJson): WebchatAssets {
  const { loader, panel, encoded } = json;
  return {
    loader,
    panel,
    ...(encoded
      ? { encoded: { loader: encodedFromJson(encoded.loader), panel: encodedFromJson(encoded.panel) } }
      : {}),
  };
}
