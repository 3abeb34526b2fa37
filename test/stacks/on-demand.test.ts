import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { detectLanguage } from '#shared/domain/language.js';
import { ELD_ON_DEMAND, onDemandBuildCommand, ZOD_WITHOUT_LOCALES } from '../../stacks/bundling/on-demand.js';
import { BENCH_AGENT_TOKEN, bundle, ENV } from '../bench/bundles.js';

const dir = mkdtempSync(join(tmpdir(), 'threadline-on-demand-'));
const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
  description: string;
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** language.ts bundled with the resolver's options: `eld/small` replaced by its on-demand shim. */
async function bundleLanguage(): Promise<string> {
  const outfile = join(dir, 'language.mjs');
  await build({
    entryPoints: ['shared/domain/language.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    alias: { [ELD_ON_DEMAND.specifier]: ELD_ON_DEMAND.shim },
    logLevel: 'silent',
  });
  return outfile;
}

const TEXTS = [
  'Hi, I ordered a jacket last week, when will it arrive?',
  'Bonjour, où est mon colis ?',
  'Wo ist mein Paket?',
  '¿Cuánto tarda el envío a Madrid? Hice un pedido ayer.',
  'hi',
];

describe('language detection loaded on demand', () => {
  it('keeps the n-grams out of the bundle, loads them from beside it on first use, and detects the same', async () => {
    const outfile = await bundleLanguage();
    expect(statSync(outfile).size).toBeLessThan(100 * 1024);
    const bundled = (await import(pathToFileURL(outfile).href)) as { detectLanguage: typeof detectLanguage };
    // Imported without the data file: nothing reads it at load.
    expect(existsSync(join(dir, ELD_ON_DEMAND.file))).toBe(false);

    execSync(onDemandBuildCommand(ELD_ON_DEMAND, dir));
    expect(statSync(join(dir, ELD_ON_DEMAND.file)).size).toBeGreaterThan(1024 * 1024);
    expect(TEXTS.map((text) => bundled.detectLanguage(text))).toEqual(
      TEXTS.map((text) => detectLanguage(text)),
    );
    expect(TEXTS.map((text) => bundled.detectLanguage(text))).toEqual(['en', 'fr', 'de', 'es', undefined]);
  });
});

/** An API Gateway HTTP API (payload 2.0) request, as Lambda hands it to the agent API's handler. */
function apiRequest(method: string, path: string, body?: unknown) {
  const [rawPath = '', rawQueryString = ''] = path.split('?');
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers: {
      host: 'api.example.com',
      authorization: `Bearer ${BENCH_AGENT_TOKEN}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'test' },
      requestId: 'test',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jun/2026:12:00:00 +0000',
      timeEpoch: 1780315200000,
    },
  };
}

type Handler = (event: unknown) => Promise<{ statusCode: number; body: string }>;

/**
 * A DynamoDB endpoint that holds nothing: every call answers `{}` (a GetItem: no item). The agent API
 * reads the caller's removal record before a route reads its request; here the caller is not removed.
 */
async function emptyTable(): Promise<{ url: string; close(): void; calls: string[] }> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    calls.push(String(req.headers['x-amz-target']));
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end('{}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close(), calls };
}

describe("the agent API bundled with zod's locales left out", () => {
  it('is smaller, and answers the document and invalid requests with the same bodies as with them', async () => {
    const saved = { ...process.env };
    const table = await emptyTable();
    Object.assign(process.env, ENV, { AWS_ENDPOINT_URL_DYNAMODB: table.url });
    try {
      const plain = join(dir, 'agent-api-plain', 'index.mjs');
      const slim = join(dir, 'agent-api-slim', 'index.mjs');
      const plainSize = await bundle('functions/agent-api/handler.ts', plain, false);
      const slimSize = await bundle(
        'functions/agent-api/handler.ts',
        slim,
        false,
        [],
        [],
        ZOD_WITHOUT_LOCALES,
      );
      expect(plainSize - slimSize).toBeGreaterThan(200 * 1024);

      const handlers = await Promise.all(
        [plain, slim].map(
          async (file) => ((await import(pathToFileURL(file).href)) as { handler: Handler }).handler,
        ),
      );
      const requests = [
        apiRequest('GET', '/api/openapi.json'),
        apiRequest('GET', '/api/conversations?limit=abc'),
        apiRequest('GET', '/api/customers?q='),
        apiRequest('POST', '/api/conversations/cv_1/replies', { text: 5, channel: 'pigeon' }),
        apiRequest('PUT', '/api/agents/me', { capacity: -1, presence: 'asleep' }),
      ];
      for (const request of requests) {
        const [withLocales, without] = await Promise.all(handlers.map((handler) => handler(request)));
        expect(without).toEqual(withLocales);
        if (request.rawPath !== '/api/openapi.json') expect(without?.statusCode).toBe(400);
        // Its version is package.json's, defined at bundling: the bundle reads no file for it, nor holds the rest.
        else expect(JSON.parse(without?.body ?? '{}').info.version).toBe(PACKAGE.version);
      }
      expect(readFileSync(slim, 'utf8')).not.toContain(PACKAGE.description);
      // The removal record was read (once a minute per container: each bundle once), nothing else.
      expect(new Set(table.calls)).toEqual(new Set(['DynamoDB_20120810.GetItem']));
    } finally {
      process.env = saved;
      table.close();
    }
  }, 60_000);
});
