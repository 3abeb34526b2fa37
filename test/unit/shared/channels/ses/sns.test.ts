import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  getSnsUrl,
  isSnsSigningCertUrl,
  isSnsUrl,
  SNS_REFUSED_CERT_MS,
  SnsCertCache,
  SnsHttpError,
  type SnsMessage,
  SnsMessageSchema,
  SnsSignatureError,
  snsStringToSign,
  snsTopicRegion,
  verifySnsMessage,
} from '#shared/channels/ses/sns.js';
import { UnavailableError } from '#shared/errors.js';
import { logger } from '#shared/log.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../../fixtures/ses/${name}`, import.meta.url), 'utf8'));
const pem = (name: string): string =>
  readFileSync(new URL(`../../../../fixtures/ses/${name}`, import.meta.url), 'utf8');

const CERT = pem('test-signing-cert.pem');
const KEY = pem('test-signing-key.pem');
const OTHER_KEY = pem('other-signing-key.pem');
const OTHER_CERT = pem('other-signing-cert.pem');
// The test certificate is valid from 2026-11-21 for a century.
const NOW = () => new Date('2027-03-01T12:00:00.000Z');

const NOTIFICATION = SnsMessageSchema.parse(fixture('sns_notification.json'));
const SUBSCRIPTION = SnsMessageSchema.parse(fixture('sns_subscription_confirmation.json'));
const UNSUBSCRIBE = SnsMessageSchema.parse(fixture('sns_unsubscribe_confirmation.json'));

/** Signs a message as SNS does: v1 SHA1withRSA, v2 SHA256withRSA over the string to sign. */
function signed<M extends SnsMessage>(message: M, version: '1' | '2' = '1', key = KEY): M {
  const copy = { ...structuredClone(message), SignatureVersion: version };
  const algorithm = version === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
  return {
    ...copy,
    Signature: sign(algorithm, Buffer.from(snsStringToSign(copy), 'utf8'), key).toString('base64'),
  };
}

/** Verifies against the committed test certificate, served by a stubbed fetch. */
async function check(message: SnsMessage, options: { cert?: string; cache?: SnsCertCache } = {}) {
  const fetchCert = vi.fn(async () => options.cert ?? CERT);
  await verifySnsMessage(message, { fetchCert, cache: options.cache ?? new SnsCertCache(), now: NOW });
  return fetchCert;
}

describe('snsStringToSign', () => {
  it('builds the documented string for the example Notification (providers.md §4.6)', () => {
    expect(snsStringToSign(NOTIFICATION)).toBe(
      'Message\nHello world!\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nSubject\nMy First Message\nTimestamp\n2012-05-02T00:54:06.655Z\nTopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\nType\nNotification\n',
    );
  });

  it.each([
    ['absent', undefined],
    ['null (the Lambda shape)', null],
  ])('skips a Subject that is %s', (_name, subject) => {
    const message = { ...structuredClone(NOTIFICATION), Subject: subject };
    expect(snsStringToSign(message)).toBe(
      'Message\nHello world!\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nTimestamp\n2012-05-02T00:54:06.655Z\nTopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\nType\nNotification\n',
    );
  });

  it.each([
    ['SubscriptionConfirmation', SUBSCRIPTION],
    ['UnsubscribeConfirmation', UNSUBSCRIBE],
  ])('signs SubscribeURL and Token of a %s, in byte order', (type, message) => {
    if (message.Type === 'Notification') throw new Error('fixture is not a confirmation');
    expect(snsStringToSign(message)).toBe(
      `Message\n${message.Message}\nMessageId\n${message.MessageId}\nSubscribeURL\n${message.SubscribeURL}\n` +
        `Timestamp\n${message.Timestamp}\nToken\n${message.Token}\nTopicArn\n${message.TopicArn}\nType\n${type}\n`,
    );
  });

  it('uses the Message with its JSON escapes decoded', () => {
    expect(SUBSCRIPTION.Message).toContain('MyTopic.\nTo confirm');
    expect(snsStringToSign(SUBSCRIPTION)).toContain('MyTopic.\nTo confirm the subscription');
  });
});

describe('verifySnsMessage', () => {
  it.each([
    ['v1 (RSA-SHA1)', '1'],
    ['v2 (RSA-SHA256)', '2'],
  ] as const)(
    'accepts a Notification signed %s with the certificate at SigningCertURL',
    async (_name, version) => {
      const fetchCert = await check(signed(NOTIFICATION, version));
      expect(fetchCert).toHaveBeenCalledWith(NOTIFICATION.SigningCertURL);
    },
  );

  it.each([
    ['SubscriptionConfirmation', SUBSCRIPTION],
    ['UnsubscribeConfirmation', UNSUBSCRIBE],
  ])('accepts a signed %s (Token and SubscribeURL are signed)', async (_name, message) => {
    await expect(check(signed(message, '2'))).resolves.toBeDefined();
  });

  it('accepts a signature checked against a bare public key PEM', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const message = signed(NOTIFICATION, '2', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    await expect(
      check(message, { cert: publicKey.export({ type: 'spki', format: 'pem' }).toString() }),
    ).resolves.toBeDefined();
  });

  it.each([
    ['Message', { Message: 'Hello world?' }],
    ['MessageId', { MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf325' }],
    ['Subject', { Subject: 'My Second Message' }],
    ['Timestamp', { Timestamp: '2012-05-02T00:54:06.656Z' }],
    ['TopicArn', { TopicArn: 'arn:aws:sns:us-west-2:123456789012:OtherTopic' }],
    ['a removed Subject', { Subject: undefined }],
  ])('refuses a Notification whose %s changed after signing', async (_name, change) => {
    const message = { ...signed(NOTIFICATION, '2'), ...change };
    await expect(check(message)).rejects.toThrow(SnsSignatureError);
  });

  it.each([
    ['Token', { Token: 'forged' }],
    [
      'SubscribeURL',
      { SubscribeURL: 'https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=x' },
    ],
  ])('refuses a SubscriptionConfirmation whose %s changed after signing', async (_name, change) => {
    const message = { ...signed(SUBSCRIPTION, '1'), ...change };
    await expect(check(message)).rejects.toThrow(SnsSignatureError);
  });

  it('refuses a message signed with another key', async () => {
    await expect(check(signed(NOTIFICATION, '2', OTHER_KEY))).rejects.toThrow(
      'the SNS message signature does not match',
    );
  });

  it('refuses a v1 signature presented as v2', async () => {
    const message = { ...signed(NOTIFICATION, '1'), SignatureVersion: '2' as const };
    await expect(check(message)).rejects.toThrow(SnsSignatureError);
  });

  it('refuses the documentation example, whose signature is a placeholder', async () => {
    await expect(check(NOTIFICATION)).rejects.toThrow(SnsSignatureError);
  });

  it.each([
    [
      'http',
      'http://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem',
    ],
    ['a path not ending in .pem', 'https://sns.us-west-2.amazonaws.com/SimpleNotificationService.crt'],
    ['an attacker host starting with sns.', 'https://sns.evil.com.attacker.net/cert.pem'],
    ['an SNS name under an attacker domain', 'https://sns.us-west-2.amazonaws.com.attacker.net/cert.pem'],
    ['credentials before an attacker host', 'https://sns.us-west-2.amazonaws.com@attacker.net/cert.pem'],
    ['another AWS service', 'https://s3.us-west-2.amazonaws.com/bucket/cert.pem'],
    ['a non-default port', 'https://sns.us-west-2.amazonaws.com:8443/cert.pem'],
    ['no region', 'https://sns.amazonaws.com/cert.pem'],
    ['not a URL', 'sns.us-west-2.amazonaws.com/cert.pem'],
  ])('refuses a SigningCertURL with %s, without fetching it', async (_name, url) => {
    const fetchCert = vi.fn(async () => CERT);
    const message = { ...signed(NOTIFICATION, '2'), SigningCertURL: url };
    await expect(
      verifySnsMessage(message, { fetchCert, cache: new SnsCertCache(), now: NOW }),
    ).rejects.toThrow('SigningCertURL is not an https .pem URL on an SNS host');
    expect(fetchCert).not.toHaveBeenCalled();
  });

  it('checks the URL rules also with a trusted PEM, and then never fetches', async () => {
    const fetchCert = vi.fn(async () => OTHER_CERT);
    const options = { fetchCert, trustedCertPem: CERT, cache: new SnsCertCache(), now: NOW };
    await verifySnsMessage(signed(NOTIFICATION, '2'), options);
    const http = { ...signed(NOTIFICATION, '2'), SigningCertURL: 'http://sns.us-west-2.amazonaws.com/x.pem' };
    await expect(verifySnsMessage(http, options)).rejects.toThrow(SnsSignatureError);
    expect(fetchCert).not.toHaveBeenCalled();
  });

  it.each([
    ['a topic in another region', { TopicArn: 'arn:aws:sns:eu-west-1:123456789012:MyTopic' }, 'eu-west-1'],
    ['a TopicArn that names no region', { TopicArn: 'MyTopic' }, 'none'],
    [
      'a certificate URL in another region',
      { SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem' },
      'us-west-2',
    ],
  ])(
    'refuses %s before fetching the certificate, with a log line naming both regions',
    async (_n, change, topicRegion) => {
      const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
      onTestFinished(() => warn.mockRestore());
      const fetchCert = vi.fn(async () => CERT);
      const message = signed({ ...NOTIFICATION, ...change }, '2');
      for (const trustedCertPem of [undefined, CERT]) {
        await expect(
          verifySnsMessage(message, { fetchCert, trustedCertPem, cache: new SnsCertCache(), now: NOW }),
        ).rejects.toThrow(new SnsSignatureError("SigningCertURL is not in the TopicArn's region"));
      }
      expect(fetchCert).not.toHaveBeenCalled();
      const certRegion = new URL(message.SigningCertURL).hostname.split('.')[1];
      expect(warn).toHaveBeenCalledWith('sns signing certificate is not in the topic region', {
        snsMessageId: NOTIFICATION.MessageId,
        topicRegion,
        certRegion,
      });
    },
  );

  it('accepts a topic and a certificate of the same region in the China partition', async () => {
    const message = signed(
      {
        ...NOTIFICATION,
        TopicArn: 'arn:aws-cn:sns:cn-north-1:123456789012:MyTopic',
        SigningCertURL: 'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-x.pem',
      },
      '2',
    );
    const fetchCert = await check(message);
    expect(fetchCert).toHaveBeenCalledWith(message.SigningCertURL);
  });

  it.each([
    ['arn:aws:sns:us-west-2:123456789012:MyTopic', 'us-west-2'],
    ['arn:aws-us-gov:sns:us-gov-west-1:123456789012:Alerts.fifo', 'us-gov-west-1'],
    ['arn:aws:sqs:us-west-2:123456789012:NotATopic', undefined],
    ['us-west-2', undefined],
  ])('reads the region of %s', (arn, region) => {
    expect(snsTopicRegion(arn)).toBe(region);
  });

  it('fetches a certificate once per URL while the cache holds it', async () => {
    const cache = new SnsCertCache();
    const fetchCert = vi.fn(async () => CERT);
    await verifySnsMessage(signed(NOTIFICATION, '1'), { fetchCert, cache, now: NOW });
    await verifySnsMessage(signed(SUBSCRIPTION, '2'), { fetchCert, cache, now: NOW });
    expect(fetchCert).toHaveBeenCalledTimes(1);
  });

  it('answers UnavailableError when the certificate cannot be fetched, and retries on the next message', async () => {
    const cache = new SnsCertCache();
    const fetchCert = vi.fn<(url: string) => Promise<string>>().mockRejectedValueOnce(new Error('timeout'));
    fetchCert.mockResolvedValue(CERT);
    await expect(verifySnsMessage(signed(NOTIFICATION), { fetchCert, cache, now: NOW })).rejects.toThrow(
      UnavailableError,
    );
    await verifySnsMessage(signed(NOTIFICATION), { fetchCert, cache, now: NOW });
    expect(fetchCert).toHaveBeenCalledTimes(2);
  });

  it('says, in the answer and a log line, that a message signed with a key of your own needs SNS_TRUSTED_CERT_FILE', async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    onTestFinished(() => warn.mockRestore());
    const fetchCert = vi.fn<(url: string) => Promise<string>>().mockRejectedValue(new Error('offline'));
    const answer = verifySnsMessage(signed(NOTIFICATION), { fetchCert, cache: new SnsCertCache(), now: NOW });
    await expect(answer).rejects.toThrow(
      /could not fetch the SNS signing certificate.*SNS_TRUSTED_CERT_FILE/,
    );
    expect(warn).toHaveBeenCalledWith(
      'could not fetch the SNS signing certificate',
      expect.objectContaining({ hint: expect.stringContaining('SNS_TRUSTED_CERT_FILE') }),
    );
  });

  it('refuses a certificate URL that serves something other than a PEM', async () => {
    await expect(check(signed(NOTIFICATION), { cert: '<html>not found</html>' })).rejects.toThrow(
      'the SNS signing certificate is not a valid PEM',
    );
  });

  it('refuses a certificate outside its validity period', async () => {
    const fetchCert = async () => CERT;
    await expect(
      verifySnsMessage(signed(NOTIFICATION), {
        fetchCert,
        cache: new SnsCertCache(),
        now: () => new Date('2200-01-01T00:00:00.000Z'),
      }),
    ).rejects.toThrow('the SNS signing certificate is not valid at this time');
  });
});

describe('verifySnsMessage on a certificate URL that is refused', () => {
  const forgedUrl = (n: number) => `https://sns.us-west-2.amazonaws.com/SimpleNotificationService-${n}.pem`;
  const notFound = () => Promise.reject(new SnsHttpError(404));

  it('refuses as a bad signature, and fetches again only once the refusal has aged', async () => {
    const cache = new SnsCertCache();
    const fetchCert = vi.fn(notFound);
    const message = { ...signed(NOTIFICATION), SigningCertURL: forgedUrl(1) };
    let now = NOW().getTime();
    const options = { fetchCert, cache, now: () => new Date(now) };
    for (let i = 0; i < 3; i++) {
      await expect(verifySnsMessage(message, options)).rejects.toThrow(
        new SnsSignatureError('the SNS signing certificate URL answered HTTP 404'),
      );
    }
    expect(fetchCert).toHaveBeenCalledTimes(1);
    now += SNS_REFUSED_CERT_MS - 1;
    await expect(verifySnsMessage(message, options)).rejects.toThrow(SnsSignatureError);
    expect(fetchCert).toHaveBeenCalledTimes(1);
    now += 1;
    await expect(verifySnsMessage(message, options)).rejects.toThrow(SnsSignatureError);
    expect(fetchCert).toHaveBeenCalledTimes(2);
  });

  it('remembers a URL that served no PEM as refused', async () => {
    const cache = new SnsCertCache();
    const fetchCert = vi.fn(async () => '<html>not found</html>');
    for (let i = 0; i < 2; i++) {
      await expect(verifySnsMessage(signed(NOTIFICATION), { fetchCert, cache, now: NOW })).rejects.toThrow(
        SnsSignatureError,
      );
    }
    expect(fetchCert).toHaveBeenCalledTimes(1);
  });

  it.each([500, 503, 408, 429])(
    'answers UnavailableError for HTTP %s and does not remember it',
    async (status) => {
      const cache = new SnsCertCache();
      const fetchCert = vi.fn(() => Promise.reject(new SnsHttpError(status)));
      for (let i = 0; i < 2; i++) {
        await expect(verifySnsMessage(signed(NOTIFICATION), { fetchCert, cache, now: NOW })).rejects.toThrow(
          UnavailableError,
        );
      }
      expect(fetchCert).toHaveBeenCalledTimes(2);
      expect(cache.refusedSize).toBe(0);
    },
  );

  it('keeps a bounded number of refusals, apart from the keys: forgeries do not push a real certificate out', async () => {
    const cache = new SnsCertCache(2, 3);
    const fetchCert = vi.fn((url: string) =>
      url === NOTIFICATION.SigningCertURL ? Promise.resolve(CERT) : notFound(),
    );
    const options = { fetchCert, cache, now: NOW };
    await verifySnsMessage(signed(NOTIFICATION), options);
    for (let n = 0; n < 50; n++) {
      const forged = { ...signed(NOTIFICATION), SigningCertURL: forgedUrl(n) };
      await expect(verifySnsMessage(forged, options)).rejects.toThrow(SnsSignatureError);
    }
    expect(cache.refusedSize).toBe(3);
    await verifySnsMessage(signed(NOTIFICATION), options);
    expect(fetchCert.mock.calls.filter(([url]) => url === NOTIFICATION.SigningCertURL)).toHaveLength(1);
  });
});

describe('getSnsUrl', () => {
  afterEach(() => vi.unstubAllGlobals());

  it.each([404, 503])('throws SnsHttpError with the status of a %s answer', async (status) => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('no', { status })),
    );
    const error = await getSnsUrl('https://sns.us-west-2.amazonaws.com/x.pem').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnsHttpError);
    expect((error as SnsHttpError).status).toBe(status);
  });
});

describe('SnsCertCache', () => {
  it('keeps at most its capacity, dropping the oldest entry', async () => {
    const cache = new SnsCertCache(2);
    const load = vi.fn(async () => ({ key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey }));
    await cache.get('a', load);
    await cache.get('b', load);
    await cache.get('c', load);
    expect(cache.size).toBe(2);
    await cache.get('a', load);
    expect(load).toHaveBeenCalledTimes(4);
  });
});

describe('SNS URL rules', () => {
  it.each([
    'https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem',
    'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem',
    'https://SNS.EU-WEST-1.AMAZONAWS.COM/SimpleNotificationService-abc.pem',
  ])('accepts the signing certificate URL %s', (url) => {
    expect(isSnsSigningCertUrl(url)).toBe(true);
  });

  it('accepts the documented SubscribeURL and refuses one on another host', () => {
    if (SUBSCRIPTION.Type !== 'SubscriptionConfirmation') throw new Error('fixture is not a confirmation');
    expect(isSnsUrl(SUBSCRIPTION.SubscribeURL)).toBe(true);
    expect(isSnsUrl('https://attacker.example/?Action=ConfirmSubscription')).toBe(false);
    expect(isSnsUrl('http://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription')).toBe(false);
  });
});

describe('SnsMessageSchema', () => {
  it.each([
    ['an unknown SignatureVersion', { SignatureVersion: '3' }],
    ['no Signature', { Signature: undefined }],
    ['an unknown Type', { Type: 'Publish' }],
  ])('refuses a message with %s', (_name, change) => {
    expect(SnsMessageSchema.safeParse({ ...structuredClone(NOTIFICATION), ...change }).success).toBe(false);
  });

  it('refuses a confirmation without its Token (raw delivery carries no signature fields either)', () => {
    const { Token: _token, ...rest } = structuredClone(SUBSCRIPTION) as Record<string, unknown>;
    expect(SnsMessageSchema.safeParse(rest).success).toBe(false);
  });
});
