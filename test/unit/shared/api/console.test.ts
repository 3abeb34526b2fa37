import { describe, expect, it } from 'vitest';
import { consoleApp } from '#shared/api/console.js';
import type { ConsoleBundle } from '#shared/http/console-files.js';

const bundle: ConsoleBundle = {
  html: '<!doctype html><script type="module" src="/console/assets/main-ABC.js"></script>',
  assets: new Map([
    ['main-ABC.js', { body: new TextEncoder().encode('export {}'), type: 'text/javascript' }],
  ]),
};

function app(auth: Parameters<typeof consoleApp>[0]['auth'] = { kind: 'token' }, liveUrl?: string) {
  let loads = 0;
  const load = async () => {
    loads++;
    return bundle;
  };
  const served = consoleApp({ load, auth, liveUrl });
  return { served, loads: () => loads };
}

describe('the console at /console', () => {
  it('reads its files on the first request only, not before', async () => {
    const { served, loads } = app();
    expect(loads()).toBe(0);
    await served.request('http://x/console');
    await served.request('http://x/console/assets/main-ABC.js');
    expect(loads()).toBe(1);
  });

  it('serves the page uncached under a strict CSP, and hashed assets immutable', async () => {
    const { served } = app();
    const page = await served.request('http://127.0.0.1:3000/console');
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:3000");
    const asset = await served.request('http://x/console/assets/main-ABC.js');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toBe('text/javascript');
    expect((await served.request('http://x/console/assets/other.js')).status).toBe(404);
  });

  it('lets the page reach Cognito and the live socket on AWS, and tells it how to sign in', async () => {
    const auth = {
      kind: 'cognito',
      region: 'eu-west-1',
      userPoolId: 'eu-west-1_Abc',
      clientId: 'c1',
    } as const;
    const { served } = app(auth, 'wss://ws.example.com/live');
    const page = await served.request('https://api.example.com/console');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain('wss://api.example.com');
    expect(csp).toContain('wss://ws.example.com');
    expect(csp).toContain('https://cognito-idp.eu-west-1.amazonaws.com');
    const config = await (await served.request('https://api.example.com/console/config.json')).json();
    expect(config).toEqual({ auth, liveUrl: 'wss://ws.example.com/live' });
  });

  it('tries the files again after a failed load', async () => {
    let calls = 0;
    const served = consoleApp({
      load: async () => {
        calls++;
        if (calls === 1) throw new Error('disk');
        return bundle;
      },
      auth: { kind: 'token' },
    });
    await expect(served.request('http://x/console')).resolves.toHaveProperty('status', 500);
    expect((await served.request('http://x/console')).status).toBe(200);
  });
});
