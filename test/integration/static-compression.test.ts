import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { handle } from 'hono/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleApp } from '#shared/api/console.js';
import { type WidgetJson, widgetFromJson, widgetRoutes } from '#shared/api/webchat/assets.js';
import { writeWidgetFile } from '#shared/channels/webchat/widget-build.js';
import { readConsoleDir } from '#shared/http/console-files.js';
import { writeConsole } from '#shared/local/console-build.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { startTestRuntime } from '../support/runtime.js';

/** One GET as the bytes came over the wire (node:http: nothing decoded, unlike fetch). */
function get(url: string, acceptEncoding?: string) {
  return new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>(
    (resolve, reject) => {
      const headers = acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding };
      request(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    },
  );
}

const decode = (encoding: unknown, body: Buffer) =>
  encoding === 'br' ? brotliDecompressSync(body) : encoding === 'gzip' ? gunzipSync(body) : body;

/** What each Accept-Encoding should get: brotli when taken, gzip when only it is, else the file as it is. */
const CASES: Array<[string | undefined, string | undefined]> = [
  [undefined, undefined],
  ['gzip, deflate, br', 'br'],
  ['gzip', 'gzip'],
  ['br;q=0.5, gzip', 'gzip'],
  ['br;q=0, gzip;q=0', undefined],
  ['*', 'br'],
  ['identity', undefined],
];

describe('the console and widget files, compressed at build time', { timeout: 120_000 }, () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime();
  });
  afterAll(async () => {
    await runtime?.close();
  });

  /** The files to fetch: the console's assets the page names, the loader and the panel the loader names. */
  const files = async () => {
    const page = await (await get(`${runtime.url}/console`)).body.toString();
    const assets = [...page.matchAll(/\/console\/assets\/[^"]+/g)].map((m) => m[0]);
    const loader = (await get(`${runtime.url}/webchat/widget.js`)).body.toString();
    const panel = /\/webchat\/assets\/panel-[0-9a-f]{12}\.js/.exec(loader)?.[0];
    expect(assets.length).toBeGreaterThan(1);
    expect(panel).toBeDefined();
    return [...assets, '/webchat/widget.js', panel as string];
  };

  it('serves brotli or gzip as the request takes it, decoding to the same bytes, with its length and Vary', async () => {
    for (const path of await files()) {
      const raw = await get(`${runtime.url}${path}`);
      expect(raw.headers['content-encoding']).toBeUndefined();
      expect(raw.headers.vary).toMatch(/accept-encoding/i);
      for (const [accept, expected] of CASES) {
        const got = await get(`${runtime.url}${path}`, accept);
        expect([path, accept, got.headers['content-encoding']]).toEqual([path, accept, expected]);
        expect(Number(got.headers['content-length'])).toBe(got.body.length);
        expect(got.headers.vary).toMatch(/accept-encoding/i);
        expect(got.headers['cache-control']).toBe(raw.headers['cache-control']);
        expect(got.headers['content-type']).toBe(raw.headers['content-type']);
        expect(decode(expected, got.body).equals(raw.body)).toBe(true);
        if (expected && raw.body.length > 4096) expect(got.body.length).toBeLessThan(raw.body.length * 0.5);
      }
    }
  });
});

describe('the same files as the Lambda functions serve them (API Gateway HTTP API)', {
  timeout: 120_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'static-compression-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const event = (path: string, acceptEncoding?: string) =>
    ({
      version: '2.0',
      routeKey: '$default',
      rawPath: path,
      rawQueryString: '',
      headers: { host: 'api.example', ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) },
      isBase64Encoded: false,
      requestContext: { http: { method: 'GET', path, sourceIp: '192.0.2.1' }, domainName: 'api.example' },
    }) as unknown as Parameters<ReturnType<typeof handle>>[0];
  const body = (result: APIGatewayProxyStructuredResultV2) =>
    Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');

  it('answers base64 with isBase64Encoded when compressed, the text as it is otherwise, all well under 6 MB', async () => {
    await writeConsole(join(dir, 'console'));
    writeWidgetFile(join(dir, 'webchat-widget.json'));
    const bundle = await readConsoleDir(join(dir, 'console'));
    const json = JSON.parse(readFileSync(join(dir, 'webchat-widget.json'), 'utf8')) as WidgetJson;
    const widget = widgetFromJson(json);
    const served: Array<[ReturnType<typeof handle>, string, Uint8Array]> = [
      ...[...bundle.assets].map(
        ([name, file]) =>
          [
            handle(consoleApp({ load: async () => bundle, auth: { kind: 'token' } })),
            `/console/assets/${name}`,
            file.body,
          ] as [ReturnType<typeof handle>, string, Uint8Array],
      ),
      [handle(widgetRoutes(widget)), '/webchat/widget.js', Buffer.from(json.loader)],
      [handle(widgetRoutes(widget)), `/webchat/assets/${json.panel.name}`, Buffer.from(json.panel.body)],
    ];
    for (const [handler, path, raw] of served) {
      for (const [accept, expected] of CASES) {
        const result = (await handler(
          event(path, accept),
          {} as Context,
        )) as APIGatewayProxyStructuredResultV2;
        expect([path, accept, result.statusCode, result.headers?.['content-encoding']]).toEqual([
          path,
          accept,
          200,
          expected,
        ]);
        expect(result.isBase64Encoded).toBe(expected !== undefined);
        expect(String(result.headers?.vary)).toMatch(/accept-encoding/i);
        expect(decode(expected, body(result)).equals(Buffer.from(raw))).toBe(true);
        // A synchronous Lambda answers at most 6 MB, base64 included.
        expect(JSON.stringify(result).length).toBeLessThan(1024 * 1024);
      }
    }
  });
});
