import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One built file of the console: its bytes and content type. */
export interface ConsoleFile {
  body: Uint8Array;
  type: string;
}

/** The built console: its page and its hashed assets by file name (served under `/console/assets/`). */
export interface ConsoleBundle {
  html: string;
  assets: ReadonlyMap<string, ConsoleFile>;
}

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  json: 'application/json',
};

/** The content type of an asset, from its extension. */
export function consoleContentType(name: string): string {
  return TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
}

/**
 * The page that loads the built entry script and style sheet (no inline script: the CSP forbids it),
 * and preloads the chunks the entry imports (`preload`: code it shares with a view loaded on demand),
 * so they load beside it rather than after it.
 */
export function consolePage(
  script: string,
  style: string | undefined,
  preload: readonly string[] = [],
): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light">',
    '<title>Threadline console</title>',
    '<link rel="icon" href="data:,">',
    ...(style ? [`<link rel="stylesheet" href="/console/assets/${style}">`] : []),
    ...preload.map((chunk) => `<link rel="modulepreload" href="/console/assets/${chunk}">`),
    `<script type="module" src="/console/assets/${script}"></script>`,
    '</head>',
    '<body><div id="app"></div><noscript>The Threadline console needs JavaScript.</noscript></body>',
    '</html>',
    '',
  ].join('\n');
}

/** Reads a console built into `dir` (`index.html` and `assets/`), as the agent API function ships it. */
export async function readConsoleDir(dir: string): Promise<ConsoleBundle> {
  const html = await readFile(join(dir, 'index.html'), 'utf8');
  const names = await readdir(join(dir, 'assets'));
  const assets = new Map<string, ConsoleFile>();
  for (const name of names) {
    assets.set(name, { body: await readFile(join(dir, 'assets', name)), type: consoleContentType(name) });
  }
  return { html, assets };
}
