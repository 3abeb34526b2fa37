import { gzipSync } from 'node:zlib';
import { widgetRoutes } from '#shared/api/webchat/assets.js';
import { buildWidget } from '#shared/channels/webchat/widget-build.js';
import { served } from './served.js';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * The widget's loader and panel as esbuild builds them: raw, gzipped, and as its routes send them to a
 * browser (the brotli form made at build time, and with the response's headers), against the budgets,
 * which are of the body sent.
 */
export async function webchatWidgetFigures(): Promise<void> {
  const widget = await buildWidget();
  const app = widgetRoutes(widget);
  const rows = [
    ['loader (GET /webchat/widget.js)', widget.loader, '/webchat/widget.js', 5 * 1024],
    [
      `panel (${widget.panel.name}, Preact)`,
      widget.panel.body,
      `/webchat/assets/${widget.panel.name}`,
      50 * 1024,
    ],
  ] as const;
  for (const [name, text, path, budget] of rows) {
    const raw = Buffer.byteLength(text);
    const gzipped = gzipSync(text, { level: 9 }).length;
    const sent = await served(app, path);
    const verdict = sent.body <= budget ? 'within' : 'OVER';
    console.log(
      `  ${name}: ${kb(raw)} raw, ${kb(gzipped)} gzipped; sent ${kb(sent.body)} (${sent.encoding}; ${verdict} ${kb(budget)}), ${kb(sent.body + sent.headers)} with headers`,
    );
  }
}
