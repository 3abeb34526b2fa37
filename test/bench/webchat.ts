import { gzipSync } from 'node:zlib';
import { buildWidget } from '#shared/channels/webchat/widget-build.js';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The widget's loader and panel as esbuild builds them, raw and gzipped, against the budgets. */
export async function webchatWidgetFigures(): Promise<void> {
  const widget = await buildWidget();
  const rows: Array<[string, string, number]> = [
    ['loader (GET /webchat/widget.js)', widget.loader, 5 * 1024],
    [`panel (${widget.panel.name}, Preact)`, widget.panel.body, 50 * 1024],
  ];
  for (const [name, text, budget] of rows) {
    const raw = Buffer.byteLength(text);
    const gzipped = gzipSync(text, { level: 9 }).length;
    const verdict = gzipped <= budget ? 'within' : 'OVER';
    console.log(`  ${name}: ${kb(raw)} raw, ${kb(gzipped)} gzipped (${verdict} ${kb(budget)} gzipped)`);
  }
}
