import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, buildSync } from 'esbuild';
import { compress, compressSync, type Encoded, encodedToJson } from '#shared/http/compressed.js';

/** Where the widget's sources are, beside the function that serves them. */
const WIDGET_DIR = fileURLToPath(new URL('../../../functions/webchat/widget/', import.meta.url));

/** The built widget: the loader, the panel under its content-hashed name, and their compressed forms. */
export interface BuiltWidget {
  loader: string;
  panel: { name: string; body: string };
  encoded: { loader: Encoded; panel: Encoded };
}

const bytes = (text: string) => new TextEncoder().encode(text);

function options(entry: string, define: Record<string, string>): BuildOptions & { write: false } {
  return {
    entryPoints: [`${WIDGET_DIR}${entry}`],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    platform: 'browser',
    write: false,
    legalComments: 'none',
    define,
    logLevel: 'silent',
  };
}

function text(entry: string, files: readonly { text: string }[] | undefined): string {
  const [file] = files ?? [];
  if (!file) throw new Error(`esbuild wrote nothing for ${entry}`);
  return file.text;
}

async function bundle(entry: string, define: Record<string, string> = {}): Promise<string> {
  return text(entry, (await build(options(entry, define))).outputFiles);
}

const panelName = (panel: string) =>
  `panel-${createHash('sha256').update(panel).digest('hex').slice(0, 12)}.js`;

/**
 * Builds the widget synchronously into one JSON file (the stack's synth: the webchat Lambda serves it),
 * with the brotli and gzip forms of both files in base64, compressed here rather than per request.
 */
export function writeWidgetFile(path: string): void {
  const panel = text('panel.ts', buildSync(options('panel.ts', {})).outputFiles);
  const name = panelName(panel);
  const define = { PANEL_PATH: JSON.stringify(`/webchat/assets/${name}`) };
  const loader = text('loader.ts', buildSync(options('loader.ts', define)).outputFiles);
  const encoded = {
    loader: encodedToJson(compressSync(bytes(loader))),
    panel: encodedToJson(compressSync(bytes(panel))),
  };
  const json = { loader, panel: { name, body: panel }, encoded };
  writeFileSync(path, JSON.stringify(json));
}

/**
 * Builds the widget with esbuild: the panel (Preact) first, named by the hash of its content so it can
 * be cached for good, then the loader, which is told the panel's path. Run at local start and when the
 * stack bundles the web-chat function; built once per process.
 */
export function buildWidget(): Promise<BuiltWidget> {
  built ??= buildOnce();
  return built;
}

let built: Promise<BuiltWidget> | undefined;

async function buildOnce(): Promise<BuiltWidget> {
  const panel = await bundle('panel.ts');
  const name = panelName(panel);
  const loader = await bundle('loader.ts', { PANEL_PATH: JSON.stringify(`/webchat/assets/${name}`) });
  const [loaderForms, panelForms] = await Promise.all([compress(bytes(loader)), compress(bytes(panel))]);
  return { loader, panel: { name, body: panel }, encoded: { loader: loaderForms, panel: panelForms } };
}
