import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import { createCsatPage } from '#shared/api/csat-page.js';
import { signCsatToken } from '#shared/domain/csat/token.js';
import { fakeCsatStore } from '../../../support/csat-store.js';

const now = new Date('2026-12-05T10:00:00.000Z');
const SECRET = 'csat-page-headers-secret-0123456789';

/** The CSP's directives by name. */
function directives(csp: string | null): Map<string, string> {
  return new Map(
    (csp ?? '').split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')];
    }),
  );
}

/**
 * The pages Threadline serves to browsers besides the console keep its stance: no other site may frame
 * them (`frame-ancestors 'none'`, and `X-Frame-Options: DENY` for browsers without it) and nothing is
 * sniffed. QA: the survey page could be framed (its one button clicked through a decoy), and the API's
 * docs page sent no CSP at all.
 */
describe('page headers', () => {
  it('refuses to be framed on the email survey page, which the customer answers with one button', async () => {
    const { store } = fakeCsatStore();
    const app = createCsatPage({ store, clock: { now: () => now }, secrets: [SECRET] });
    const token = signCsatToken(
      { s: 'sv1', c: 'cv_1', u: 'cu_1', t: '2026-12-05T09:00:00.000Z', e: now.getTime() + 60_000 },
      SECRET,
    );
    for (const method of ['GET', 'POST']) {
      const res = await app.request(`/csat/${token}?score=4`, { method });
      const csp = directives(res.headers.get('content-security-policy'));
      expect(csp.get('frame-ancestors')).toBe("'none'");
      expect(csp.get('default-src')).toBe("'none'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('serves the API docs page under a CSP that allows only its own inline script and style, unframed', async () => {
    const app = createAgentApp({
      store: {} as never,
      admin: {} as never,
      audit: {} as never,
      replies: {} as never,
      clock: { now: () => now },
      authenticate: async () => undefined,
      phone: {},
    });
    const res = await app.request('/api/docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    const csp = directives(res.headers.get('content-security-policy'));
    const hash = (tag: string) => {
      const body = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html)?.[1] ?? '';
      return `'sha256-${createHash('sha256').update(body).digest('base64')}'`;
    };
    expect(csp.get('default-src')).toBe("'none'");
    expect(csp.get('script-src')).toBe(hash('script'));
    expect(csp.get('style-src')).toBe(hash('style'));
    expect(csp.get('connect-src')).toBe("'self'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  // QA (repro-6): no answer set Strict-Transport-Security; on AWS every one is https (API Gateway), and
  // a browser keeps it only from an https answer, so the local runtime's http is untouched by it.
  it('tells browsers to come back over https only, from the console, /api, the files and the survey page', async () => {
    const bundle = { html: '<!doctype html>', assets: new Map() };
    const opened = { body: new Uint8Array([1]), type: 'image/png' };
    const app = createAgentApp({
      store: {} as never,
      admin: {} as never,
      audit: {} as never,
      replies: {} as never,
      clock: { now: () => now },
      authenticate: async () => undefined,
      phone: {},
      console: { load: async () => bundle, auth: { kind: 'token' } },
      uploads: { open: async () => opened } as never,
    });
    const csat = createCsatPage({
      store: fakeCsatStore().store,
      clock: { now: () => now },
      secrets: [SECRET],
    });
    const answers = [
      await app.request('https://api.example.com/console'),
      await app.request('https://api.example.com/api/me'),
      await app.request('https://api.example.com/api/nowhere'),
      await app.request('https://api.example.com/files/cu_1/fl_1/a.png'),
      await csat.request('https://api.example.com/csat/not-a-token'),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 401, 401, 200, 400]);
    for (const res of answers) expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
  });
});
