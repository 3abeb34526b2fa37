import { gzipSync } from 'node:zlib';
import { buildConsole } from '#shared/local/console-build.js';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * The agent console's built files, raw and gzipped, and the initial JS against its 80 KB gzipped budget:
 * the files the page names (the entry and the chunks it imports, preloaded), not those loaded on demand.
 */
export async function consoleBundleFigures(): Promise<void> {
  const bundle = await buildConsole();
  const initial = new Set([...bundle.html.matchAll(/\/console\/assets\/([^"]+)"/g)].map((m) => m[1]));
  let initialJs = 0;
  console.log('file'.padEnd(26), 'raw'.padStart(10), 'gzipped'.padStart(10), ' loaded');
  for (const [name, file] of [...bundle.assets].sort(([a], [b]) => a.localeCompare(b))) {
    const gz = gzipSync(file.body, { level: 9 }).length;
    const first = initial.has(name);
    if (first && name.endsWith('.js')) initialJs += gz;
    console.log(
      name.padEnd(26),
      kb(file.body.length).padStart(10),
      kb(gz).padStart(10),
      first ? ' at start' : ' on demand (Cognito sign-in, Webhooks, Audit)',
    );
  }
  console.log(`initial JS gzipped: ${kb(initialJs)} (budget 80 KB)`);
}
