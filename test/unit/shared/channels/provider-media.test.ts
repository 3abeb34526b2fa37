import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configuredMediaFetcher, isS3Host, providerMediaFetcher } from '#shared/channels/provider-media.js';
import { loadConfig } from '#shared/config/config.js';
import { BadGatewayError, NotFoundError, PayloadTooLargeError, UnavailableError } from '#shared/errors.js';
import { basicOf, fakeBytes, startFakeMediaProvider } from '../../../support/fake-media-provider.js';

// A Twilio Account SID's form (AC and 32 hexadecimal digits): the config refuses any other.
const SID = 'AC0000000000000000000000000000a001';
const TOKEN = 'twilio-media-token';
const WA_TOKEN = 'whatsapp-media-token';
const RECORDING = `/2010-04-01/Accounts/${SID}/Recordings/REmedia1`;

describe('providerMediaFetcher: files fetched from their provider, and nowhere else', () => {
  let fake: Awaited<ReturnType<typeof startFakeMediaProvider>>;
  const fetcher = (over: Partial<Parameters<typeof providerMediaFetcher>[0]> = {}) =>
    providerMediaFetcher({
      twilioApiUrl: fake.origin,
      metaGraphUrl: fake.origin,
      twilio: { accountSid: SID, authToken: TOKEN },
      whatsappAccessToken: WA_TOKEN,
      ...over,
    });

  beforeAll(async () => {
    fake = await startFakeMediaProvider({ bearer: WA_TOKEN, basic: basicOf(SID, TOKEN) });
  });
  afterAll(() => fake?.close());
  beforeEach(() => {
    fake.seen.length = 0;
    fake.answers.clear();
  });

  it('asks the Graph API for a WhatsApp media id, then fetches its address, both with the token', async () => {
    const file = await fetcher().fetch({ provider: 'whatsapp', mediaId: '1234567890' }, 1024);
    expect(file.contentType).toBe('image/jpeg');
    expect(Buffer.from(file.body).equals(Buffer.from(fakeBytes('/cdn/1234567890')))).toBe(true);
    expect(fake.seen).toEqual([
      { path: '/v23.0/1234567890', authorization: `Bearer ${WA_TOKEN}` },
      { path: '/cdn/1234567890', authorization: `Bearer ${WA_TOKEN}` },
    ]);
  });

  it("fetches a Twilio recording as MP3 with the account's basic auth", async () => {
    const file = await fetcher().fetch(
      { provider: 'twilio', url: `${fake.origin}${RECORDING}`, recording: true },
      1024,
    );
    expect(file.contentType).toBe('audio/mpeg');
    expect(fake.seen).toEqual([{ path: `${RECORDING}.mp3`, authorization: `Basic ${basicOf(SID, TOKEN)}` }]);
  });

  it("never asks a host that is not the provider's: a stored Twilio address elsewhere is refused unasked", async () => {
    const elsewhere = 'http://169.254.169.254/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1';
    await expect(
      fetcher().fetch({ provider: 'twilio', url: elsewhere, recording: false }, 1024),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      fetcher().fetch({ provider: 'meta', url: 'https://evil.example/cdn/1' }, 1024),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(fake.seen).toEqual([]);
  });

  it("follows no redirect off the provider's hosts, and sends its credentials to none", async () => {
    const path = '/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1';
    fake.answers.set(path, { redirect: 'http://127.0.0.2:9/stolen' });
    const error = await fetcher()
      .fetch({ provider: 'twilio', url: `${fake.origin}${path}`, recording: false }, 1024)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toMatch(/host that is not its own/);
    expect(fake.seen.map((s) => s.path)).toEqual([path]);
  });

  it('answers a provider refusal as 502 media_unavailable, saying the media may have expired', async () => {
    fake.answers.set('/v23.0/expired1', { status: 404 });
    const error = await fetcher()
      .fetch({ provider: 'whatsapp', mediaId: 'expired1' }, 1024)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadGatewayError);
    expect(error).toMatchObject({ code: 'media_unavailable' });
    expect((error as Error).message).toMatch(/HTTP 404.*expired/);
  });

  it('answers a provider that does not answer in time as 502 provider_unreachable', async () => {
    const path = '/2010-04-01/Accounts/AC1/Recordings/REhang';
    fake.answers.set(`${path}.mp3`, { hang: true });
    const error = await fetcher({ timeoutMs: 200 })
      .fetch({ provider: 'twilio', url: `${fake.origin}${path}`, recording: true }, 1024)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'provider_unreachable' });
    expect((error as Error).message).toMatch(/did not answer in time/);
  });

  it('refuses a file over the limit, by its declared length or as it streams, naming the console', async () => {
    const big = '/2010-04-01/Accounts/AC1/Messages/MM1/Media/MEbig';
    fake.answers.set(big, { body: fakeBytes('big', 2048), type: 'image/png' });
    const error = await fetcher()
      .fetch({ provider: 'twilio', url: `${fake.origin}${big}`, recording: false }, 1024)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ code: 'media_too_large' });
    expect((error as Error).message).toMatch(/open it in Twilio's console/);
    // The Graph object's file_size says so before the file is asked for.
    await expect(fetcher().fetch({ provider: 'whatsapp', mediaId: '42' }, 32)).rejects.toMatchObject({
      code: 'media_too_large',
    });
    expect(fake.seen.map((s) => s.path)).not.toContain('/cdn/42');
  });

  // Before, the file was asked for without credentials: a 401 (502) from an account enforcing media
  // auth, a file from another; and locally with no Twilio at hand, 502 provider_unreachable.
  it.each([
    ['both are', {}, /Twilio files need TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, which are not set/],
    [
      'the account SID is',
      { TWILIO_AUTH_TOKEN: TOKEN },
      /Twilio files need TWILIO_ACCOUNT_SID, which is not set/,
    ],
    [
      'the auth token is',
      { TWILIO_ACCOUNT_SID: SID },
      /Twilio files need TWILIO_AUTH_TOKEN, which is not set/,
    ],
  ])('says which setting Twilio files need when %s unset (503), asking nothing', async (_, env, message) => {
    const config = loadConfig({ TWILIO_API_URL: fake.origin, ...env });
    for (const recording of [true, false]) {
      const fetching = configuredMediaFetcher(config).fetch(
        { provider: 'twilio', url: `${fake.origin}${RECORDING}`, recording },
        1024,
      );
      await expect(fetching).rejects.toBeInstanceOf(UnavailableError);
      await expect(fetching).rejects.toThrow(message);
    }
    expect(fake.seen).toEqual([]);
  });

  it('fetches with the settings once both are set', async () => {
    const config = loadConfig({
      TWILIO_API_URL: fake.origin,
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: TOKEN,
    });
    const file = await configuredMediaFetcher(config).fetch(
      { provider: 'twilio', url: `${fake.origin}${RECORDING}`, recording: true },
      1024,
    );
    expect(file.contentType).toBe('audio/mpeg');
    expect(fake.seen).toEqual([{ path: `${RECORDING}.mp3`, authorization: `Basic ${basicOf(SID, TOKEN)}` }]);
  });

  it('says WhatsApp files need WHATSAPP_ACCESS_TOKEN when it is unset, asking nothing', async () => {
    await expect(
      fetcher({ whatsappAccessToken: undefined }).fetch({ provider: 'whatsapp', mediaId: '1' }, 1024),
    ).rejects.toThrow(/WHATSAPP_ACCESS_TOKEN/);
    expect(fake.seen).toEqual([]);
  });
});

describe('isS3Host: the S3 hosts Twilio media may redirect to, and no other amazonaws.com name', () => {
  it.each([
    ['https://s3-external-1.amazonaws.com/media/ME1', true],
    ['https://api-media.s3.amazonaws.com/ME1', true],
    ['https://s3.eu-west-1.amazonaws.com/bucket/ME1', true],
    ['https://ec2-203-0-113-9.compute-1.amazonaws.com/ME1', false],
    ['https://evil.execute-api.us-east-1.amazonaws.com/ME1', false],
    ['http://s3-external-1.amazonaws.com/media/ME1', false],
    ['https://s3.amazonaws.com.evil.example/ME1', false],
  ])('%s → %s', (address, expected) => {
    expect(isS3Host(new URL(address))).toBe(expected);
  });
});
