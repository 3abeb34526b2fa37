import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compress, compressible } from '../http/compressed.js';
import {
  type ConsoleBundle,
  type ConsoleFile,
  consoleContentType,
  consolePage,
  ENCODED_SUFFIX,
} from '../http/console-files.js';

const sources = fileURLToPath(new URL('../../functions/agent-api/console/', import.meta.url));

/**
 * Builds the console (Preact, TSX) with esbuild in memory: minified ES modules with a content hash in
 * every file name, the sign-in code for Cognito and the admins' Webhooks view split into their own chunks
 * (loaded when used), and the page that loads the rest; each text file also compressed (brotli, gzip).
 */
export async function buildConsole(): Promise<ConsoleBundle> {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    entryPoints: [join(sources, 'main.tsx')],
    bundle: true,
    splitting: true,
    format: 'esm',
    target: ['chrome111', 'firefox114', 'safari16.4'],
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    outdir: '/console-out',
    write: false,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const assets = new Map<string, ConsoleFile>();
  await Promise.all(
    out.outputFiles.map(async (file) => {
      const name = basename(file.path);
      const type = consoleContentType(name);
      // Compressed here, once, not per request: brotli and gzip, served by the request's Accept-Encoding.
      const encoded = compressible(type) ? await compress(file.contents) : {};
      assets.set(name, { body: file.contents, type, encoded });
    }),
  );
  const entry = Object.entries(out.metafile.outputs).find(([, o]) => o.entryPoint?.endsWith('main.tsx'));
  if (!entry) throw new Error('console build: no entry output');
  const style = entry[1].cssBundle ? basename(entry[1].cssBundle) : undefined;
  // The chunks the entry imports statically (what it shares with a view loaded on demand) load at start.
  const preload = entry[1].imports.filter((i) => i.kind === 'import-statement').map((i) => basename(i.path));
  return { html: consolePage(basename(entry[0]), style, preload), assets };
}

/**
 * Writes a built console into `dir` (`index.html`, `assets/` with each file's `.br` and `.gz` beside it):
 * what the agent API function's bundle ships.
 */
export async function writeConsole(dir: string): Promise<void> {
  const bundle = await buildConsole();
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(join(dir, 'index.html'), bundle.html);
  for (const [name, file] of bundle.assets) {
    await writeFile(join(dir, 'assets', name), file.body);
    for (const [coding, suffix] of Object.entries(ENCODED_SUFFIX)) {
      const form = file.encoded?.[coding as keyof typeof ENCODED_SUFFIX];
      if (form) await writeFile(join(dir, 'assets', name + suffix), form);
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: tsx shared/local/console-build.ts <output dir>');
  await writeConsole(dir);
}
