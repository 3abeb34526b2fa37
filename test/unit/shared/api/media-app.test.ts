import { describe, expect, it } from 'vitest';
import { createAgentApp, createMediaApp, type MediaAppDeps } from '#shared/api/app.js';
import type { AgentAppDeps } from '#shared/api/deps.js';
import type { MediaFile, MediaSource } from '#shared/domain/media.js';
import type { Customer } from '#shared/domain/timeline.js';
import { PHOTO } from '../../../support/media-items.js';

// The file routes' own app (the agent-media function on AWS): the agent API's guard and answers, and
// no other route.

const DANA = { id: 'cu_dana', identities: [], channels: ['whatsapp'] } as unknown as Customer;

const JPEG: MediaFile = { body: new Uint8Array([0xff, 0xd8, 0xff, 7]), contentType: 'image/jpeg' };

const PHOTO_PATH = `/api/customers/cu_dana/timeline/${encodeURIComponent(PHOTO.id)}/attachments/0`;

/** The media app over Dana's photo, counting what it reads and fetches; `removed` agents an admin removed. */
function mediaAppWith(removed: readonly string[] = []) {
  const calls = { removalLooks: 0, fetched: [] as MediaSource[] };
  const deps: MediaAppDeps = {
    authenticate: async (token) =>
      token.startsWith('t-') ? { agentId: token.slice(2), admin: false } : undefined,
    clock: { now: () => new Date('2026-12-06T09:00:00.000Z') },
    store: {
      getCustomer: async (id) => (id === DANA.id ? DANA : undefined),
      customerItem: async (customerId, itemId) =>
        customerId === PHOTO.customerId && itemId === PHOTO.id ? PHOTO : undefined,
      isAgentRemoved: async (agentId) => {
        calls.removalLooks += 1;
        return removed.includes(agentId);
      },
    },
    media: {
      fetch: async (source) => {
        calls.fetched.push(source);
        return JPEG;
      },
    },
  };
  return { app: createMediaApp(deps), deps, calls };
}

const as = (token: string, method = 'GET') => ({ method, headers: { authorization: `Bearer ${token}` } });

describe('createMediaApp: the file routes alone', () => {
  it("serves an agent the customer's file, with the agent API's headers", async () => {
    const { app, calls } = mediaAppWith();
    const res = await app.request(PHOTO_PATH, as('t-ana'));
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(JPEG.body);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(calls.fetched).toEqual([{ provider: 'whatsapp', mediaId: '1111' }]);
  });

  it("answers HEAD as GET without the body, with the file's length (its own route on AWS)", async () => {
    const { app, calls } = mediaAppWith();
    const res = await app.request(PHOTO_PATH, as('t-ana', 'HEAD'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('content-length')).toBe(String(JPEG.body.byteLength));
    expect(calls.fetched).toEqual([{ provider: 'whatsapp', mediaId: '1111' }]);
  });

  it('refuses a call without a valid token (401 and its challenge) before reading or fetching anything', async () => {
    const { app, calls } = mediaAppWith();
    for (const init of [{}, as('nobody')]) {
      const res = await app.request(PHOTO_PATH, init);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="threadline"/);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    expect(calls).toEqual({ removalLooks: 0, fetched: [] });
  });

  it('refuses an agent an admin removed (403 agent_removed), looking once a minute per agent', async () => {
    const { app, calls } = mediaAppWith(['zoe']);
    for (let i = 0; i < 2; i += 1) {
      const res = await app.request(PHOTO_PATH, as('t-zoe'));
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('agent_removed');
    }
    expect(calls.removalLooks).toBe(1);
    expect(calls.fetched).toEqual([]);
  });

  it("answers every other /api path 404, and another method on a file's path 405 with its Allow", async () => {
    const { app, calls } = mediaAppWith();
    for (const path of ['/api/customers/cu_dana', '/api/me', '/api/openapi.json', '/csat/abc']) {
      const res = await app.request(path, as('t-ana'));
      expect(res.status, path).toBe(404);
    }
    const post = await app.request(PHOTO_PATH, as('t-ana', 'POST'));
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(calls.fetched).toEqual([]);
  });

  it('answers as the agent API does, a refusal and a file alike', async () => {
    const { app, deps } = mediaAppWith();
    const agentApp = createAgentApp(deps as unknown as AgentAppDeps);
    const recording = `/api/customers/cu_dana/timeline/${encodeURIComponent(PHOTO.id)}/recording`;
    const cases: [string, RequestInit][] = [
      [PHOTO_PATH, as('t-ana')],
      [PHOTO_PATH, {}],
      [`${PHOTO_PATH}?at=yesterday`, as('t-ana')],
      [`${PHOTO_PATH.replace('/0', '/4')}`, as('t-ana')],
      [recording, as('t-ana')],
      ['/api/customers/cu_nobody/timeline/whatsapp:wamid.X/recording', as('t-ana')],
    ];
    for (const [path, init] of cases) {
      const [ours, theirs] = await Promise.all([app.request(path, init), agentApp.request(path, init)]);
      expect(ours.status, path).toBe(theirs.status);
      expect(await ours.text(), path).toBe(await theirs.text());
    }
  });
});
