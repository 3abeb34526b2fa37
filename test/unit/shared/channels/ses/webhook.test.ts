import { sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SNSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MailNotification } from '#shared/channels/ses/mail.js';
import { mailEnvelopes } from '#shared/channels/ses/mail-envelopes.js';
import {
  getSnsUrl,
  SnsCertCache,
  type SnsMessage,
  SnsMessageSchema,
  snsStringToSign,
} from '#shared/channels/ses/sns.js';
import { handleSnsEvent, isSnsEvent } from '#shared/channels/ses/webhook.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { UnavailableError } from '#shared/errors.js';
import { createSesApp } from '#shared/local/webhook-apps.js';

const fixturePath = (path: string) => new URL(`../../../../fixtures/${path}`, import.meta.url);
const text = (path: string) => readFileSync(fixturePath(path), 'utf8');
const json = (path: string): Record<string, unknown> => JSON.parse(text(path));

const CERT = text('ses/test-signing-cert.pem');
const KEY = text('ses/test-signing-key.pem');
const OTHER_KEY = text('ses/other-signing-key.pem');
const TOPIC = 'arn:aws:sns:us-west-2:123456789012:MyTopic';
// The test certificate is valid from 2026-11-21.
const NOW = new Date('2027-03-01T12:00:00.000Z');

const NOTIFICATION = SnsMessageSchema.parse(json('ses/sns_notification.json'));
const SUBSCRIPTION = SnsMessageSchema.parse(json('ses/sns_subscription_confirmation.json'));
const UNSUBSCRIBE = SnsMessageSchema.parse(json('ses/sns_unsubscribe_confirmation.json'));

function signed<M extends SnsMessage>(
  message: M,
  change: Partial<M> = {},
  version: '1' | '2' = '2',
  key = KEY,
): M {
  const copy: M = { ...structuredClone(message), ...change, SignatureVersion: version };
  const algorithm = version === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
  return {
    ...copy,
    Signature: sign(algorithm, Buffer.from(snsStringToSign(copy), 'utf8'), key).toString('base64'),
  };
}

/** An SNS Notification carrying an SES notification, signed with the test key. */
const carrying = (notification: unknown, version: '1' | '2' = '2') =>
  signed(NOTIFICATION, { Message: JSON.stringify(notification), Subject: undefined }, version);

interface SetupOptions {
  failEnqueue?: boolean;
  maxBodyBytes?: number;
  trusted?: boolean;
  topicArns?: readonly string[];
  fetchObject?: (bucket: string, key: string) => Promise<Uint8Array>;
  fetchCert?: (url: string) => Promise<string>;
  confirm?: (url: string) => Promise<void>;
}

/** The envelopes ses-mail makes of queued notifications, in order. */
async function envelopesOf(
  notifications: readonly MailNotification[],
  fetchObject: (bucket: string, key: string) => Promise<Uint8Array>,
): Promise<Envelope[]> {
  const envelopes: Envelope[] = [];
  for (const notification of notifications) {
    envelopes.push(...(await mailEnvelopes(notification, { fetchObject })).envelopes);
  }
  return envelopes;
}

function setup(options: SetupOptions = {}) {
  const mailed: MailNotification[] = [];
  const enqueue = vi.fn(async (notifications: readonly MailNotification[]) => {
    if (options.failEnqueue) throw new UnavailableError('queue refused the batch');
    mailed.push(...notifications);
  });
  const fetchCert = vi.fn(options.fetchCert ?? (async () => CERT));
  const fetchObject = vi.fn(
    options.fetchObject ?? (async () => readFileSync(fixturePath('email/peer-reply.eml'))),
  );
  const confirmSubscription = vi.fn(options.confirm ?? (async () => {}));
  const app = createSesApp({
    mail: { enqueue },
    clock: { now: () => NOW },
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    fetchCert,
    ...(options.trusted ? { trustedCertPem: CERT } : {}),
    certCache: new SnsCertCache(),
    confirmSubscription,
    topicArns: 'topicArns' in options ? options.topicArns : [TOPIC],
  });
  const post = (message: unknown, type?: string, body = JSON.stringify(message)) =>
    app.request('/webhooks/ses', {
      method: 'POST',
      headers: {
        'content-type': 'text/plain; charset=UTF-8',
        ...(type ? { 'x-amz-sns-message-type': type } : {}),
      },
      body,
    });
  /** What ses-mail makes of everything queued so far. */
  const drain = () => envelopesOf(mailed, fetchObject);
  return { app, post, mailed, drain, enqueue, fetchCert, fetchObject, confirmSubscription };
}

describe('SES webhook (SNS over HTTP)', () => {
  it.each(['1', '2'] as const)(
    'queues the email of a signed (v%s) SNS-action notification and answers 200',
    async (version) => {
      const { post, mailed, drain, fetchCert } = setup();
      const message = carrying(json('ses/received_sns_action.json'), version);
      const res = await post(message, 'Notification');
      expect(res.status).toBe(200);
      expect(mailed).toEqual([
        {
          snsMessageId: NOTIFICATION.MessageId,
          topicArn: TOPIC,
          message: message.Message,
          receivedAt: NOW.toISOString(),
        },
      ]);
      expect(await drain()).toEqual([
        expect.objectContaining({
          id: 'ses:msg:d6iitobk75ur44p8kdnnp7g2n800',
          kind: 'message',
          channel: 'email',
          customer: { kind: 'email', value: 'sender@example.com' },
          text: 'Example content',
          receivedAt: NOW.toISOString(),
          rawRef: `ses:sns:${NOTIFICATION.MessageId}#`,
        }),
      ]);
      expect(fetchCert).toHaveBeenCalledWith(NOTIFICATION.SigningCertURL);
    },
  );

  it('leaves the email an S3 action stored to ses-mail, which fetches and references it', async () => {
    const { post, drain, fetchObject } = setup();
    const res = await post(carrying(json('ses/received_s3_action.json')), 'Notification');
    expect(res.status).toBe(200);
    expect(fetchObject).not.toHaveBeenCalled();
    const envelopes = await drain();
    expect(fetchObject).toHaveBeenCalledWith('my-S3-bucket', 'inbound/d6iitobk75ur44p8kdnnp7g2n800');
    expect(envelopes).toEqual([
      expect.objectContaining({
        text: "Let's talk about these images:",
        customer: { kind: 'email', value: 'sony@chatwoot.com' },
        data: expect.objectContaining({
          s3: { bucket: 'my-S3-bucket', key: 'inbound/d6iitobk75ur44p8kdnnp7g2n800' },
        }),
      }),
    ]);
  });

  it('answers 200 without reading S3: a stored email that cannot be read fails in ses-mail, which retries', async () => {
    const { post, enqueue, drain } = setup({
      fetchObject: async () => {
        throw new Error('AccessDenied');
      },
    });
    const res = await post(carrying(json('ses/received_s3_action.json')), 'Notification');
    expect(res.status).toBe(200);
    expect(enqueue).toHaveBeenCalledTimes(1);
    await expect(drain()).rejects.toThrow(UnavailableError);
  });

  it('answers 503 when the mail queue refuses the notification, so SNS retries', async () => {
    const { post } = setup({ failEnqueue: true });
    const res = await post(carrying(json('ses/received_sns_action.json')), 'Notification');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
  });

  it('queues a status and a suppression for a permanent bounce', async () => {
    const { post, drain } = setup();
    const res = await post(carrying(json('ses/bounce_permanent_dsn.json')), 'Notification');
    expect(res.status).toBe(200);
    expect((await drain()).map((e) => e.kind)).toEqual(['status', 'system']);
  });

  it('queues the same envelope ids when SNS redelivers a notification', async () => {
    const { post, drain } = setup();
    const message = carrying(json('ses/delivery.json'));
    await post(message, 'Notification');
    await post(message, 'Notification');
    const queued = await drain();
    expect(queued).toHaveLength(2);
    expect(queued[0]?.id).toBe(queued[1]?.id);
  });

  it('fetches the signing certificate once for several messages', async () => {
    const { post, fetchCert } = setup();
    await post(carrying(json('ses/delivery.json')), 'Notification');
    await post(carrying(json('ses/bounce_permanent_dsn.json')), 'Notification');
    expect(fetchCert).toHaveBeenCalledTimes(1);
  });

  it('checks against SNS_TRUSTED_CERT_FILE instead of fetching when one is configured', async () => {
    const { post, fetchCert } = setup({ trusted: true });
    expect((await post(carrying(json('ses/delivery.json')), 'Notification')).status).toBe(200);
    expect(fetchCert).not.toHaveBeenCalled();
  });

  it.each([
    [
      'a Message changed after signing',
      () => ({ ...carrying(json('ses/delivery.json')), Message: '{"x":1}' }),
    ],
    ['a signature made with another key', () => signed(NOTIFICATION, {}, '2', OTHER_KEY)],
    ['the placeholder signature of the documentation', () => NOTIFICATION],
    [
      'an http SigningCertURL',
      () =>
        signed(NOTIFICATION, {
          SigningCertURL: 'http://sns.us-west-2.amazonaws.com/SimpleNotificationService-x.pem',
        }),
    ],
    [
      'a SigningCertURL on an attacker host',
      () =>
        signed(NOTIFICATION, {
          SigningCertURL: 'https://sns.evil.com.attacker.net/SimpleNotificationService-x.pem',
        }),
    ],
    [
      'a topic that is not ours',
      () => signed(NOTIFICATION, { TopicArn: 'arn:aws:sns:us-west-2:999999999999:Theirs' }),
    ],
  ])('answers 403 and queues nothing for %s', async (_name, message) => {
    const { post, enqueue } = setup();
    const res = await post(message(), 'Notification');
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect(enqueue).not.toHaveBeenCalled();
  });

  it("answers 403 without fetching the certificate when SigningCertURL is not in the topic's region", async () => {
    const { post, enqueue, fetchCert } = setup({ topicArns: undefined });
    const message = signed(carrying(json('ses/delivery.json')), {
      TopicArn: 'arn:aws:sns:eu-west-1:111111111111:Any',
    });
    const res = await post(message, 'Notification');
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect(fetchCert).not.toHaveBeenCalled();
    expect(enqueue).not.toHaveBeenCalled();
  });

  it('answers 503 when the signing certificate cannot be fetched, so SNS retries', async () => {
    const { post, enqueue } = setup({
      fetchCert: async () => {
        throw new Error('ETIMEDOUT');
      },
    });
    const res = await post(carrying(json('ses/delivery.json')), 'Notification');
    expect(res.status).toBe(503);
    expect(enqueue).not.toHaveBeenCalled();
  });

  describe('with the certificate fetched from a real SNS host', () => {
    afterEach(() => vi.unstubAllGlobals());
    const certUrl = 'https://sns.us-west-2.amazonaws.com/SimpleNotificationService-forged.pem';
    const forged = () => carrying(json('ses/delivery.json'));
    const answering = (status: number) => {
      const fetch = vi.fn(async () => new Response(status === 200 ? CERT : 'no', { status }));
      vi.stubGlobal('fetch', fetch);
      return fetch;
    };

    it.each([403, 404, 400])(
      'answers 403 when the URL answers %s, and fetches it once for repeated forgeries',
      async (status) => {
        const fetch = answering(status);
        const { post, enqueue } = setup({ fetchCert: (url) => getSnsUrl(url) });
        for (let i = 0; i < 3; i++) {
          const res = await post({ ...forged(), SigningCertURL: certUrl }, 'Notification');
          expect(res.status).toBe(403);
        }
        expect(fetch).toHaveBeenCalledTimes(1);
        expect(fetch).toHaveBeenCalledWith(certUrl, expect.anything());
        expect(enqueue).not.toHaveBeenCalled();
      },
    );

    it.each([500, 503, 429])(
      'answers 503 when the URL answers %s, and fetches again next time',
      async (status) => {
        const fetch = answering(status);
        const { post } = setup({ fetchCert: (url) => getSnsUrl(url) });
        for (let i = 0; i < 2; i++) {
          expect((await post({ ...forged(), SigningCertURL: certUrl }, 'Notification')).status).toBe(503);
        }
        expect(fetch).toHaveBeenCalledTimes(2);
      },
    );

    it('answers 503 when the fetch fails on the network', async () => {
      vi.stubGlobal(
        'fetch',
        vi.fn(async () => {
          throw new TypeError('fetch failed');
        }),
      );
      const { post } = setup({ fetchCert: (url) => getSnsUrl(url) });
      expect((await post(forged(), 'Notification')).status).toBe(503);
    });

    it('accepts a genuine message whose certificate the URL serves', async () => {
      const fetch = answering(200);
      const { post, enqueue } = setup({ fetchCert: (url) => getSnsUrl(url) });
      expect((await post(forged(), 'Notification')).status).toBe(200);
      expect(fetch).toHaveBeenCalledWith(NOTIFICATION.SigningCertURL, expect.anything());
      expect(enqueue).toHaveBeenCalledTimes(1);
    });
  });

  it.each([
    ['no x-amz-sns-message-type header', () => carrying(json('ses/delivery.json')), undefined, undefined],
    [
      'a header that disagrees with the body',
      () => carrying(json('ses/delivery.json')),
      'SubscriptionConfirmation',
      undefined,
    ],
    ['a body that is not JSON', () => ({}), 'Notification', 'Type=Notification&Message=hi'],
    [
      'JSON that is not an SNS message',
      () => ({ Type: 'Notification', Message: 'hi' }),
      'Notification',
      undefined,
    ],
    [
      'a Message that is not an SES notification',
      () => signed(NOTIFICATION, { Message: JSON.stringify({ hello: 'world' }) }),
      'Notification',
      undefined,
    ],
    ['the documented Hello world! message', () => signed(NOTIFICATION), 'Notification', undefined],
    [
      'a Message that is not JSON',
      () => signed(NOTIFICATION, { Message: '{oops' }),
      'Notification',
      undefined,
    ],
  ])('answers 400 and queues nothing for %s', async (_name, message, type, body) => {
    const { post, enqueue } = setup();
    const res = await post(message(), type, body);
    expect(res.status).toBe(400);
    expect(enqueue).not.toHaveBeenCalled();
  });

  it('answers 413 for a body over the limit', async () => {
    const { post, enqueue } = setup({ maxBodyBytes: 1024 });
    const res = await post(carrying(json('ses/received_sns_action.json')), 'Notification');
    expect(res.status).toBe(413);
    expect(enqueue).not.toHaveBeenCalled();
  });

  it('confirms a signed subscription by GETting its SubscribeURL', async () => {
    const { post, confirmSubscription, enqueue } = setup();
    const res = await post(signed(SUBSCRIPTION), 'SubscriptionConfirmation');
    expect(res.status).toBe(200);
    if (SUBSCRIPTION.Type !== 'SubscriptionConfirmation') throw new Error('fixture is not a confirmation');
    expect(confirmSubscription).toHaveBeenCalledWith(SUBSCRIPTION.SubscribeURL);
    expect(enqueue).not.toHaveBeenCalled();
  });

  it('refuses to GET a signed SubscribeURL that is not on an SNS host', async () => {
    const { post, confirmSubscription } = setup();
    const res = await post(
      signed(SUBSCRIPTION, { SubscribeURL: 'https://attacker.example/confirm' }),
      'SubscriptionConfirmation',
    );
    expect(res.status).toBe(403);
    expect(confirmSubscription).not.toHaveBeenCalled();
  });

  it('refuses a subscription to a topic that is not ours, without confirming it', async () => {
    const { post, confirmSubscription } = setup();
    const res = await post(
      signed(SUBSCRIPTION, { TopicArn: 'arn:aws:sns:us-west-2:999999999999:Theirs' }),
      'SubscriptionConfirmation',
    );
    expect(res.status).toBe(403);
    expect(confirmSubscription).not.toHaveBeenCalled();
  });

  it('answers 503 when the confirmation GET fails', async () => {
    const { post } = setup({
      confirm: async () => {
        throw new Error('HTTP 500');
      },
    });
    expect((await post(signed(SUBSCRIPTION), 'SubscriptionConfirmation')).status).toBe(503);
  });

  it('acknowledges an unsubscribe confirmation without re-subscribing', async () => {
    const { post, confirmSubscription } = setup();
    const res = await post(signed(UNSUBSCRIBE), 'UnsubscribeConfirmation');
    expect(res.status).toBe(200);
    expect(confirmSubscription).not.toHaveBeenCalled();
  });

  it('accepts any topic when no topic list is configured (local development)', async () => {
    const { post, mailed } = setup({ topicArns: undefined });
    const message = signed(carrying(json('ses/delivery.json')), {
      TopicArn: 'arn:aws:sns:us-west-2:111111111111:Any',
    });
    expect((await post(message, 'Notification')).status).toBe(200);
    expect(mailed).toHaveLength(1);
  });
});

describe('handleSnsEvent (SNS invokes the function)', () => {
  const EVENT = json('ses/sns_lambda_event_delivery.json') as unknown as SNSEvent;
  const LAMBDA_TOPIC = 'arn:aws:sns:us-east-1:246796806071:snsNetTest';

  function withRecords(...messages: { Message: string; MessageId: string; TopicArn?: string }[]): SNSEvent {
    const [template] = EVENT.Records;
    if (!template) throw new Error('fixture has no record');
    return {
      Records: messages.map((m) => ({
        ...structuredClone(template),
        Sns: { ...structuredClone(template.Sns), ...m },
      })),
    };
  }

  const fetchObject = vi.fn(async () => readFileSync(fixturePath('email/peer-only_text.eml')));

  function deps(options: { failQueue?: boolean; topicArns?: readonly string[] } = {}) {
    const enqueue = vi.fn(async (_notifications: readonly MailNotification[]) => {
      if (options.failQueue) throw new Error('SQS unavailable');
    });
    return {
      enqueue,
      deps: {
        mail: { enqueue },
        clock: { now: () => NOW },
        topicArns: options.topicArns ?? [LAMBDA_TOPIC],
      },
    };
  }

  it("queues every record's notification in one batch, for ses-mail to normalise", async () => {
    const { enqueue, deps: d } = deps();
    const event = withRecords(
      { MessageId: 'm-1', Message: JSON.stringify(json('ses/delivery.json')) },
      { MessageId: 'm-2', Message: JSON.stringify(json('ses/received_s3_action.json')) },
    );
    await handleSnsEvent(event, d);
    expect(enqueue).toHaveBeenCalledTimes(1);
    const notifications = enqueue.mock.calls[0]?.[0] ?? [];
    expect(notifications.map((n) => [n.snsMessageId, n.topicArn, n.receivedAt])).toEqual([
      ['m-1', LAMBDA_TOPIC, NOW.toISOString()],
      ['m-2', LAMBDA_TOPIC, NOW.toISOString()],
    ]);
    const envelopes = await envelopesOf(notifications, fetchObject);
    expect(envelopes.map((e) => [e.kind, e.rawRef])).toEqual([
      ['status', 'ses:sns:m-1#/delivery/recipients/0'],
      ['message', 'ses:sns:m-2#'],
    ]);
    expect(fetchObject).toHaveBeenCalledWith('my-S3-bucket', 'inbound/d6iitobk75ur44p8kdnnp7g2n800');
  });

  it('handles the documented event shape (SigningCertUrl casing, Subject null) without verifying it', async () => {
    const { enqueue, deps: d } = deps();
    await handleSnsEvent(EVENT, d);
    expect(await envelopesOf(enqueue.mock.calls[0]?.[0] ?? [], fetchObject)).toEqual([
      expect.objectContaining({ kind: 'status', status: 'delivered' }),
    ]);
  });

  it('skips records that are not SES notifications or come from another topic, and queues the rest', async () => {
    const { enqueue, deps: d } = deps();
    const event = withRecords(
      { MessageId: 'm-1', Message: 'Hello from SNS!' },
      { MessageId: 'm-2', Message: JSON.stringify({ hello: 'world' }) },
      {
        MessageId: 'm-3',
        Message: JSON.stringify(json('ses/delivery.json')),
        TopicArn: 'arn:aws:sns:us-east-1:1:Other',
      },
      { MessageId: 'm-4', Message: JSON.stringify(json('ses/delivery.json')) },
    );
    await handleSnsEvent(event, d);
    expect(enqueue.mock.calls[0]?.[0]?.map((n) => n.snsMessageId)).toEqual(['m-4']);
  });

  it('throws when the mail queue refuses, so Lambda retries the event', async () => {
    const { deps: d } = deps({ failQueue: true });
    const event = withRecords({
      MessageId: 'm-1',
      Message: JSON.stringify(json('ses/received_s3_action.json')),
    });
    await expect(handleSnsEvent(event, d)).rejects.toThrow(UnavailableError);
  });
});

describe('isSnsEvent', () => {
  it.each([
    ['the SNS event', json('ses/sns_lambda_event_delivery.json'), true],
    [
      'an API Gateway v2 event',
      { version: '2.0', routeKey: 'POST /webhooks/ses', rawPath: '/webhooks/ses' },
      false,
    ],
    ['an SQS event', { Records: [{ eventSource: 'aws:sqs', body: '{}' }] }, false],
    ['no records', { Records: [] }, false],
    ['null', null, false],
  ])('tells %s: %s', (_name, event, expected) => {
    expect(isSnsEvent(event)).toBe(expected);
  });
});
