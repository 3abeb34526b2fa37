import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import type { AgentAppDeps } from '#shared/api/deps.js';
import { configuredMediaFetcher } from '#shared/channels/provider-media.js';
import { loadConfig } from '#shared/config/config.js';
import type { MediaFetcher, MediaFile, MediaSource } from '#shared/domain/media.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { BadGatewayError, GoneError, PayloadTooLargeError } from '#shared/errors.js';
import { PHOTO } from '../../../support/media-items.js';

const DANA: Customer = {
  id: 'cu_dana',
  identities: [{ kind: 'phone', value: '+14155550100' }],
  channels: ['whatsapp', 'voice'],
  createdAt: '2026-12-01T09:00:00.000Z',
} as Customer;

const VOICEMAIL: TimelineItem = {
  id: 'twilio:call:CA1:recording',
  type: 'event',
  event: 'call_recording',
  channel: 'voice',
  direction: 'inbound',
  at: '2026-12-01T09:40:00.000Z',
  customerId: 'cu_dana',
  providerMessageId: 'CA1',
  data: {
    recordingUrl: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1',
    durationSeconds: 14,
  },
};

/** The agent API over a store holding Dana's items, and a fetcher that answers `files` by source. */
function appWith(
  files: (source: MediaSource) => MediaFile | Error,
  options: { erased?: boolean; items?: TimelineItem[]; fetcher?: MediaFetcher } = {},
) {
  const asked: MediaSource[] = [];
  const items = options.items ?? [PHOTO, VOICEMAIL];
  const deps = {
    authenticate: async (token: string) => (token === 't-ana' ? { agentId: 'ana', admin: false } : undefined),
    removals: { isRemoved: async () => false, forget: () => undefined },
    store: {
      getCustomer: async (id: string) => {
        if (options.erased) throw new GoneError();
        return id === DANA.id ? DANA : undefined;
      },
      customerItem: async (customerId: string, itemId: string) =>
        items.find((i) => i.customerId === customerId && i.id === itemId),
    },
    media: {
      fetch: async (source: MediaSource, maxBytes: number) => {
        asked.push(source);
        if (options.fetcher) return options.fetcher.fetch(source, maxBytes);
        const answer = files(source);
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
  } as unknown as AgentAppDeps;
  const app = createAgentApp(deps);
  const get = (path: string, token = 't-ana') =>
    app.request(`/api/customers/${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { get, asked };
}

const jpeg = (): MediaFile => ({
  body: new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]),
  contentType: 'image/jpeg',
});

describe('GET /api/customers/{id}/timeline/{itemId}/attachments/{index} and /recording', () => {
  it('serves a WhatsApp photo by its media id, private, unsniffed and inert', async () => {
    const { get, asked } = appWith(() => jpeg());
    const res = await get(`cu_dana/timeline/${encodeURIComponent(PHOTO.id)}/attachments/0`);
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(jpeg().body);
    expect(asked).toEqual([{ provider: 'whatsapp', mediaId: '1111' }]);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toMatch(/^private/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(res.headers.get('content-disposition')).toBe('inline');
  });

  it('serves a type a browser could run (HTML, SVG) as a download of bytes, its name made safe', async () => {
    const { get } = appWith(() => ({
      body: new Uint8Array([60, 115]),
      contentType: 'text/html; charset=utf-8',
    }));
    const res = await get(`cu_dana/timeline/${encodeURIComponent(PHOTO.id)}/attachments/1`);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="invoice _march_.html"; filename*=UTF-8''invoice%20_march_.html`,
    );
    const svg = appWith(() => ({ body: new Uint8Array([60]), contentType: 'image/svg+xml' }));
    const answer = await svg.get(`cu_dana/timeline/${encodeURIComponent(PHOTO.id)}/attachments/0`);
    expect(answer.headers.get('content-type')).toBe('application/octet-stream');
  });

  it("serves a voicemail's recording from Twilio", async () => {
    const { get, asked } = appWith(() => ({ body: new Uint8Array([73, 68, 51]), contentType: 'audio/mpeg' }));
    const res = await get(`cu_dana/timeline/${encodeURIComponent(VOICEMAIL.id)}/recording`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(asked).toEqual([{ provider: 'twilio', url: VOICEMAIL.data?.recordingUrl, recording: true }]);
  });

  it("answers 503 naming the setting when Twilio's credentials are not set (before, 502 provider_unreachable)", async () => {
    const fetcher = configuredMediaFetcher(loadConfig({ TWILIO_AUTH_TOKEN: 'set' }));
    const { get } = appWith(() => jpeg(), { fetcher });
    const res = await get(`cu_dana/timeline/${encodeURIComponent(VOICEMAIL.id)}/recording`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      error: { code: 'unavailable', message: 'Twilio files need TWILIO_ACCOUNT_SID, which is not set' },
    });
  });

  it.each([
    [
      'an item not on the timeline',
      `cu_dana/timeline/${encodeURIComponent('whatsapp:wamid.X')}/attachments/0`,
    ],
    ['an index past the attachments', `cu_dana/timeline/${encodeURIComponent(PHOTO.id)}/attachments/2`],
    ['a recording of a message', `cu_dana/timeline/${encodeURIComponent(PHOTO.id)}/recording`],
    ['an unknown customer', `cu_nope/timeline/${encodeURIComponent(PHOTO.id)}/attachments/0`],
  ])('answers 404 not_found for %s, asking no provider', async (_label, path) => {
    const { get, asked } = appWith(() => jpeg());
    const res = await get(path);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect(asked).toEqual([]);
  });

  it('answers 404 for a message the customer deleted, saying its files are gone', async () => {
    const deleted = { ...PHOTO, deleted: true as const, attachments: undefined };
    const { get, asked } = appWith(() => jpeg(), { items: [deleted] });
    const res = await get(`cu_dana/timeline/${encodeURIComponent(PHOTO.id)}/attachments/0`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/deleted/);
    expect(asked).toEqual([]);
  });

  it('answers 410 for a customer being erased, 401 without a token, 400 for an id that is no item id', async () => {
    expect(
      (
        await appWith(() => jpeg(), { erased: true }).get(
          `cu_dana/timeline/${encodeURIComponent(PHOTO.id)}/recording`,
        )
      ).status,
    ).toBe(410);
    expect(
      (await appWith(() => jpeg()).get(`cu_dana/timeline/${encodeURIComponent(PHOTO.id)}/recording`, 'nope'))
        .status,
    ).toBe(401);
    expect((await appWith(() => jpeg()).get('cu_dana/timeline/a.b/recording')).status).toBe(400);
    expect(
      (await appWith(() => jpeg()).get(`cu_dana/timeline/${encodeURIComponent(PHOTO.id)}/attachments/x`))
        .status,
    ).toBe(400);
  });

  it.each([
    [
      new BadGatewayError('WhatsApp refused the file: HTTP 404', 'media_unavailable'),
      502,
      'media_unavailable',
    ],
    [
      new BadGatewayError('Twilio did not answer in time', 'provider_unreachable'),
      502,
      'provider_unreachable',
    ],
    [new PayloadTooLargeError("open it in WhatsApp's console", 'media_too_large'), 413, 'media_too_large'],
  ])('answers the provider failure %s as %i %s', async (error, status, code) => {
    const res = await appWith(() => error).get(
      `cu_dana/timeline/${encodeURIComponent(PHOTO.id)}/attachments/0`,
    );
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
  });
});
