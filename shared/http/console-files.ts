import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Encoded } from './compressed.js';

/** One built file of the console: its bytes, content type and compressed forms (made when built). */
export interface ConsoleFile {
  body: Uint8Array;
  type: string;
  encoded?: Encoded;
}

/** The suffixes of a file's compressed forms, written beside it (`main-….js.br`, `main-….js.gz`). */
export const ENCODED_SUFFIX = { br: '.br', gzip: '.gz' } as const;

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

/**
 * Reads a console built into `dir` (`index.html` and `assets/`, each asset's compressed forms beside it),
 * as the agent API function ships it.
 */
export async function readConsoleDir(dir: string): Promise<ConsoleBundle> {
  const html = await readFile(join(dir, 'index.html'), 'utf8');
  const names = new Set(await readdir(join(dir, 'assets')));
  const suffixes = Object.entries(ENCODED_SUFFIX) as [keyof Encoded, string][];
  const assets = new Map<string, ConsoleFile>();
  for (const name of names) {
    if (suffixes.some(([, suffix]) => name.endsWith(suffix))) continue;
    const encoded: Encoded = {};
    for (const [coding, suffix] of suffixes)
      if (names.has(name + suffix)) encoded[coding] = await readFile(join(dir, 'assets', name + suffix));
    const body = await readFile(join(dir, 'assets', name));
    assets.set(name, { body, type: consoleContentType(name), encoded });
  }
  return { html, assets };
}
