import { gzipSync } from 'node:zlib';
import { consoleApp } from '#shared/api/console.js';
import { buildConsole } from '#shared/local/console-build.js';
import { served } from './served.js';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * The agent console's built files, raw, gzipped and as its routes send them to a browser (the brotli
 * form made at build time), and the initial JS against its 80 KB gzipped budget: the files the page names (the entry
 * and the chunks it imports, preloaded), not those loaded on demand.
 */
export async function consoleBundleFigures(): Promise<void> {
  const bundle = await buildConsole();
  const app = consoleApp({ load: async () => bundle, auth: { kind: 'token' } });
  const initial = new Set([...bundle.html.matchAll(/\/console\/assets\/([^"]+)"/g)].map((m) => m[1]));
  let initialJs = 0;
  let initialSent = 0;
  console.log('file'.padEnd(26), 'raw'.padStart(10), 'gzipped'.padStart(10), 'sent'.padStart(10), ' loaded');
  for (const [name, file] of [...bundle.assets].sort(([a], [b]) => a.localeCompare(b))) {
    const gz = gzipSync(file.body, { level: 9 }).length;
    const sent = await served(app, `/console/assets/${name}`);
    const first = initial.has(name);
    if (first && name.endsWith('.js')) initialJs += gz;
    if (first) initialSent += sent.body + sent.headers;
    console.log(
      name.padEnd(26),
      kb(file.body.length).padStart(10),
      kb(gz).padStart(10),
      `${kb(sent.body)} ${sent.encoding}`.padStart(10),
      first ? ' at start' : ' on demand (Cognito sign-in, Webhooks, Audit)',
    );
  }
  console.log(`initial JS gzipped: ${kb(initialJs)} (budget 80 KB)`);
  const page = await served(app, '/console');
  console.log(
    `first load as sent (the page, its JS and CSS, with headers): ${kb(initialSent + page.body + page.headers)}`,
  );
}
