import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeApiRegion, liveConnectionsApi } from '#shared/aws/live-connections-api.js';
import { AwsRequestError } from '#shared/aws/request-error.js';
import { websocketPush } from '#shared/aws/websocket-push.js';

const CALLBACK = 'https://abc123.execute-api.eu-west-1.amazonaws.com/live';

describe('liveConnectionsApi', () => {
  const received: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders; body: string }> = [];
  let status = 200;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      res
        .writeHead(status, { 'Content-Type': 'application/json' })
        .end(status === 410 ? '{"message":"Gone"}' : '');
    });
  });
  let endpoint = '';
  const credentials = () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts the frame to @connections/<id> of the stage, signed for execute-api in the URL’s region', async () => {
    status = 200;
    const api = liveConnectionsApi(CALLBACK, { endpoint, credentials });
    expect(await api.send('abc=', { type: 'pong' })).toBe('sent');
    const [request] = received.splice(0);
    expect(request).toMatchObject({
      method: 'POST',
      url: '/live/@connections/abc%3D',
      body: '{"type":"pong"}',
    });
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\//,
    );
  });

  it('answers gone for a socket API Gateway no longer has (410), and throws on other failures', async () => {
    const api = liveConnectionsApi(CALLBACK, { endpoint, credentials });
    status = 410;
    expect(await api.send('c1', { type: 'pong' })).toBe('gone');
    status = 500;
    await expect(api.send('c1', { type: 'pong' })).rejects.toBeInstanceOf(AwsRequestError);
  });

  it('closes a socket with a signed DELETE of @connections/<id>; one already gone is closed too', async () => {
    received.splice(0);
    const api = liveConnectionsApi(CALLBACK, { endpoint, credentials });
    for (const answer of [204, 410]) {
      status = answer;
      await api.close?.('abc=');
    }
    expect(received.splice(0).map((r) => [r.method, r.url])).toEqual([
      ['DELETE', '/live/@connections/abc%3D'],
      ['DELETE', '/live/@connections/abc%3D'],
    ]);
    status = 500;
    await expect(api.close?.('abc=')).rejects.toBeInstanceOf(AwsRequestError);
    received.splice(0);
  });

  it('reads the region of an execute-api URL', () => {
    expect(executeApiRegion(CALLBACK)).toBe('eu-west-1');
    expect(executeApiRegion('https://example.com/live')).toBeUndefined();
  });

  it("pushes a visitor's frames in order over the same call, and stops at the first gone", async () => {
    received.splice(0);
    const push = websocketPush(CALLBACK, 'eu-west-1', { endpoint, credentials });
    status = 200;
    const frames = [
      { type: 'typing', on: true },
      { type: 'typing', on: false },
    ] as never;
    expect(await push.push('v1', frames)).toBe('sent');
    expect(received.splice(0).map((r) => [r.url, r.body])).toEqual([
      ['/live/@connections/v1', '{"type":"typing","on":true}'],
      ['/live/@connections/v1', '{"type":"typing","on":false}'],
    ]);
    status = 410;
    expect(await push.push('v1', frames)).toBe('gone');
    expect(received.splice(0)).toHaveLength(1);
  });
});
