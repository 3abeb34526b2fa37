import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Where the widget's sources are, beside the function that serves them. */
const WIDGET_DIR = fileURLToPath(new URL('../../../functions/webchat/widget/', import.meta.url));

/** The built widget: the loader, and the panel under its content-hashed name. */
export interface BuiltWidget {
  loader: string;
  panel: { name: string; body: string };
}

async function bundle(entry: string, define: Record<string, string> = {}): Promise<string> {
  const out = await build({
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
  });
  const [file] = out.outputFiles;
  if (!file) throw new Error(`esbuild wrote nothing for ${entry}`);
  return file.text;
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
  const name = `panel-${createHash('sha256').update(panel).digest('hex').slice(0, 12)}.js`;
  const loader = await bundle('loader.ts', { PANEL_PATH: JSON.stringify(`/webchat/assets/${name}`) });
  return { loader, panel: { name, body: panel } };
}
