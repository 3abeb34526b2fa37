import { Hono } from 'hono';

/** The widget as built (functions/webchat/widget/build.ts): the loader, and the panel under its hashed name. */
export interface WebchatAssets {
  loader: string;
  panel: { name: string; body: string };
  /** The demo page for the origin it is served from, locally only. */
  demo?: ((origin: string) => string) | undefined;
}

const JS = 'text/javascript; charset=utf-8';

/**
 * The widget's files: `GET /webchat/widget.js` (the loader, cached briefly so a new release is picked
 * up), the panel under its content hash (cached for good) and, locally, `GET /webchat/demo`. Served
 * with CORP cross-origin, so pages of any origin may load them, and nosniff.
 */
export function widgetRoutes(assets: WebchatAssets): Hono {
  const app = new Hono();
  const headers = { 'X-Content-Type-Options': 'nosniff', 'Cross-Origin-Resource-Policy': 'cross-origin' };
  app.get('/webchat/widget.js', (c) =>
    c.body(assets.loader, 200, { ...headers, 'Content-Type': JS, 'Cache-Control': 'public, max-age=300' }),
  );
  app.get(`/webchat/assets/${assets.panel.name}`, (c) =>
    c.body(assets.panel.body, 200, {
      ...headers,
      'Content-Type': JS,
      'Cache-Control': 'public, max-age=31536000, immutable',
    }),
  );
  const demo = assets.demo;
  if (demo) app.get('/webchat/demo', (c) => c.html(demo(new URL(c.req.url).origin)));
  return app;
}
