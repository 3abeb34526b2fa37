import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AwsRequestError, errorFromResponse } from '#shared/aws/request-error.js';
import { encodeS3Key, getObjectBytes, s3ObjectUrl } from '#shared/aws/s3-lite.js';
import { getSecretString, secretArnRegion } from '#shared/aws/secrets-lite.js';
import { type AwsCredentials, awsHost, signedRequest } from '#shared/aws/signed-request.js';
import { queueUrlRegion, sqsSendMessageBatch } from '#shared/aws/sqs-lite.js';
import { type Expected, FakeAws, type Received, type Reply } from '../../../support/fake-aws.js';

const CREDENTIALS: AwsCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/threadline-inbound';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:threadline/providers-AbCdEf';
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

let fake: FakeAws;
let endpoint: string;

async function startFake(expected: Expected): Promise<void> {
  fake = new FakeAws(expected);
  endpoint = await fake.start();
}

beforeEach(() => {
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', '');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
  vi.stubEnv('AWS_SESSION_TOKEN', '');
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await fake?.stop();
  // Every test's requests must have been signed exactly as the SDK signs them.
  expect(fake?.mismatches ?? []).toEqual([]);
});

/** The rejection of `promise`, which must reject with an AwsRequestError. */
async function awsError(promise: Promise<unknown>): Promise<AwsRequestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AwsRequestError);
  return error as AwsRequestError;
}

/** SQS's answer accepting `ids` of a received SendMessageBatch, with the MD5s SQS computes. */
function accepted(request: Received, failing: readonly string[] = []) {
  const { Entries } = JSON.parse(request.body.toString('utf8')) as {
    Entries: { Id: string; MessageBody: string }[];
  };
  return {
    Successful: Entries.filter((entry) => !failing.includes(entry.Id)).map((entry) => ({
      Id: entry.Id,
      MessageId: `msg-${entry.Id}`,
      MD5OfMessageBody: createHash('md5').update(entry.MessageBody, 'utf8').digest('hex'),
    })),
    Failed: failing.map((id) => ({
      Id: id,
      SenderFault: false,
      Code: 'InternalError',
      Message: 'try again',
    })),
  };
}

const jsonReply = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'req-1', ...headers },
  body: JSON.stringify(body),
});

const batch = (bodies: string[]) => ({
  QueueUrl: QUEUE_URL,
  Entries: bodies.map((body, index) => ({
    Id: String(index),
    MessageBody: body,
    MessageAttributes: {
      kind: { DataType: 'String', StringValue: 'message' },
      channel: { DataType: 'String', StringValue: 'whatsapp' },
    },
  })),
});

describe('sqsSendMessageBatch', () => {
  const sqs = { service: 'sqs', region: 'eu-west-1', credentials: CREDENTIALS };

  it('sends AWS JSON 1.0 SendMessageBatch, signed for the queue URL’s region, and returns the results', async () => {
    await startFake(sqs);
    fake.reply = (request) => jsonReply(200, accepted(request));
    const bodies = ['{"text":"Hello, my order has not arrived"}', '{"text":"Grüße aus Köln 📦"}'];

    const output = await sqsSendMessageBatch(batch(bodies), { endpoint, credentials: () => CREDENTIALS });

    expect(output.Failed).toEqual([]);
    expect(output.Successful.map((entry) => [entry.Id, entry.MessageId])).toEqual([
      ['0', 'msg-0'],
      ['1', 'msg-1'],
    ]);
    expect(fake.received).toHaveLength(1);
    const [request] = fake.received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/');
    expect(request?.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(request?.headers['x-amz-target']).toBe('AmazonSQS.SendMessageBatch');
    expect(request?.headers['x-amzn-query-mode']).toBe('true');
    expect(request?.headers['x-amz-security-token']).toBeUndefined();
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/sqs\/aws4_request, SignedHeaders=/,
    );
    expect(Number(request?.headers['content-length'])).toBe(request?.body.length);
    expect(JSON.parse(request?.body.toString('utf8') ?? '')).toEqual(batch(bodies));
  });

  it('returns the entries SQS refused in Failed', async () => {
    await startFake(sqs);
    fake.reply = (request) => jsonReply(200, accepted(request, ['1']));

    const output = await sqsSendMessageBatch(batch(['a', 'b', 'c']), {
      endpoint,
      credentials: () => CREDENTIALS,
    });

    expect(output.Successful.map((entry) => entry.Id)).toEqual(['0', '2']);
    expect(output.Failed).toEqual([
      { Id: '1', SenderFault: false, Code: 'InternalError', Message: 'try again' },
    ]);
  });

  it('throws a retryable AwsRequestError for SQS throttling, without the message bodies', async () => {
    await startFake(sqs);
    fake.reply = () =>
      jsonReply(
        403,
        { __type: 'com.amazonaws.sqs#RequestThrottled', message: 'Request is throttled.' },
        { 'x-amzn-query-error': 'RequestThrottled;Sender' },
      );

    const error = await awsError(
      sqsSendMessageBatch(batch(['secret customer text']), { endpoint, credentials: () => CREDENTIALS }),
    );

    expect(error).toMatchObject({ status: 403, code: 'RequestThrottled', retryable: true, service: 'sqs' });
    expect(error.requestId).toBe('req-1');
    expect(error.message).toBe('sqs: HTTP 403 RequestThrottled: Request is throttled.');
    expect(error.message).not.toContain('secret customer text');
  });

  it('throws a final AwsRequestError for a missing queue', async () => {
    await startFake(sqs);
    fake.reply = () =>
      jsonReply(
        400,
        { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' },
        { 'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender' },
      );

    const error = await awsError(
      sqsSendMessageBatch(batch(['a']), { endpoint, credentials: () => CREDENTIALS }),
    );

    expect(error).toMatchObject({ status: 400, code: 'QueueDoesNotExist', retryable: false });
  });

  it('throws a retryable AwsRequestError for a 5xx without a JSON body', async () => {
    await startFake(sqs);
    fake.reply = () => ({ status: 503, body: 'Service Unavailable' });

    const error = await awsError(
      sqsSendMessageBatch(batch(['a']), { endpoint, credentials: () => CREDENTIALS }),
    );

    expect(error).toMatchObject({ status: 503, code: 'Http503', retryable: true });
  });

  it('throws when an accepted entry’s MD5OfMessageBody does not match what was sent', async () => {
    await startFake(sqs);
    fake.reply = (request) => {
      const answer = accepted(request);
      const first = answer.Successful[0];
      if (first) first.MD5OfMessageBody = createHash('md5').update('something else').digest('hex');
      return jsonReply(200, answer);
    };

    const error = await awsError(
      sqsSendMessageBatch(batch(['a', 'b']), { endpoint, credentials: () => CREDENTIALS }),
    );

    expect(error).toMatchObject({ code: 'InvalidMd5', retryable: true });
    expect(error.message).toContain('entries 0');
  });

  it('refuses binary attributes before sending anything', async () => {
    await startFake(sqs);
    const input = batch(['a']);
    const attributes = input.Entries[0]?.MessageAttributes as Record<string, unknown>;
    attributes.blob = { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2]) };

    await expect(sqsSendMessageBatch(input, { endpoint, credentials: () => CREDENTIALS })).rejects.toThrow(
      /attribute blob: only StringValue attributes are supported/,
    );
    expect(fake.received).toHaveLength(0);
  });

  it('takes the region from the queue URL', () => {
    expect(queueUrlRegion(QUEUE_URL)).toBe('eu-west-1');
    expect(queueUrlRegion('https://ap-southeast-2.queue.amazonaws.com/123456789012/q')).toBe(
      'ap-southeast-2',
    );
    expect(queueUrlRegion('https://queue.amazonaws.com/123456789012/q')).toBe('us-east-1');
    expect(queueUrlRegion('https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q')).toBe('cn-north-1');
    expect(queueUrlRegion('http://localhost:4566/000000000000/q')).toBeUndefined();
    expect(awsHost('sqs', 'eu-west-1')).toBe('sqs.eu-west-1.amazonaws.com');
    expect(awsHost('sqs', 'cn-north-1')).toBe('sqs.cn-north-1.amazonaws.com.cn');
  });
});

describe('signedRequest', () => {
  const sqs = { service: 'sqs', region: 'eu-west-1', credentials: CREDENTIALS };
  const request = (body = '{}') => ({
    service: 'sqs',
    region: 'eu-west-1',
    method: 'POST',
    url: 'https://sqs.eu-west-1.amazonaws.com/',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AmazonSQS.ListQueues' },
    body,
  });

  it('reads the credentials from the environment at call time', async () => {
    await startFake(sqs);
    vi.stubEnv('AWS_ACCESS_KEY_ID', CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', CREDENTIALS.secretAccessKey);
    await signedRequest(request(), { endpoint });

    const rotated = {
      accessKeyId: 'AKIDROTATED',
      secretAccessKey: 'rotated-secret',
      sessionToken: 'token-2',
    };
    fake.expected = { ...sqs, credentials: rotated };
    vi.stubEnv('AWS_ACCESS_KEY_ID', rotated.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', rotated.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', rotated.sessionToken);
    const response = await signedRequest(request(), { endpoint });

    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('{}');
    expect(fake.received.map((r) => String(r.headers.authorization).slice(0, 40))).toEqual([
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/',
      'AWS4-HMAC-SHA256 Credential=AKIDROTATED/',
    ]);
    expect(fake.received[0]?.headers['x-amz-security-token']).toBeUndefined();
    expect(fake.received[1]?.headers['x-amz-security-token']).toBe('token-2');
  });

  it('sends and signs the session token', async () => {
    const credentials = { ...CREDENTIALS, sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//token+/=' };
    await startFake({ ...sqs, credentials });

    await signedRequest(request(), { endpoint, credentials: async () => credentials });

    expect(fake.received[0]?.headers['x-amz-security-token']).toBe(credentials.sessionToken);
    expect(String(fake.received[0]?.headers.authorization)).toMatch(
      /SignedHeaders=[^,]*x-amz-security-token/,
    );
  });

  it('is caught by the fake endpoint when signed with other credentials', async () => {
    await startFake(sqs);
    const wrong = { ...CREDENTIALS, secretAccessKey: 'not-the-secret' };

    const error = await awsError(signedRequest(request(), { endpoint, credentials: () => wrong }));

    expect(error).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch', retryable: false });
    expect(fake.mismatches).toHaveLength(1);
    fake.mismatches.length = 0;
  });

  it('throws CredentialsMissing when the environment has no credentials', async () => {
    await startFake(sqs);

    const error = await awsError(signedRequest(request(), { endpoint }));

    expect(error).toMatchObject({ status: 0, code: 'CredentialsMissing', retryable: false });
    expect(fake.received).toHaveLength(0);
  });

  it('gives up after timeoutMs with a retryable TimeoutError', async () => {
    await startFake(sqs);
    fake.reply = () => 'hang';
    const started = Date.now();

    const error = await awsError(
      signedRequest(request('{"QueueUrl":"customer data"}'), {
        endpoint,
        credentials: () => CREDENTIALS,
        timeoutMs: 50,
      }),
    );

    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error).toMatchObject({ status: 0, code: 'TimeoutError', retryable: true });
    expect(error.message).toBe('sqs: no complete response within 50 ms');
  });

  it('throws a retryable error when the connection is refused', async () => {
    await startFake(sqs);
    await fake.stop();

    const error = await awsError(signedRequest(request(), { endpoint, credentials: () => CREDENTIALS }));

    expect(error).toMatchObject({ status: 0, code: 'ECONNREFUSED', retryable: true });
  });

  it('sends once more on a new connection when a reused keep-alive connection was closed', async () => {
    await startFake(sqs);
    fake.reply = (received) => (received.onSocket === 2 ? 'destroy' : { status: 200, body: '{"n":1}' });

    await signedRequest(request(), { endpoint, credentials: () => CREDENTIALS });
    const response = await signedRequest(request(), { endpoint, credentials: () => CREDENTIALS });

    expect(response.body.toString()).toBe('{"n":1}');
    expect(fake.received.map((r) => r.onSocket)).toEqual([1, 2, 1]);
  });

  it('does not resend when a new connection fails', async () => {
    await startFake(sqs);
    fake.reply = () => 'destroy';

    const error = await awsError(signedRequest(request(), { endpoint, credentials: () => CREDENTIALS }));

    expect(error).toMatchObject({ status: 0, code: 'ECONNRESET', retryable: true });
    expect(fake.received).toHaveLength(1);
  });
});

describe('errorFromResponse', () => {
  const response = (status: number, body: string, headers: IncomingHttpHeaders = {}) => ({
    status,
    headers,
    body: Buffer.from(body),
  });

  it('takes the code from __type, without namespace or URL suffix', () => {
    const error = errorFromResponse(
      'secretsmanager',
      response(
        400,
        '{"__type":"com.amazonaws.x#ThrottlingException:http://internal/","Message":"Rate exceeded"}',
      ),
    );
    expect(error).toMatchObject({ code: 'ThrottlingException', retryable: true, status: 400 });
    expect(error.message).toBe('secretsmanager: HTTP 400 ThrottlingException: Rate exceeded');
  });

  it('falls back on the x-amzn-query-error header, then the status', () => {
    expect(
      errorFromResponse('sqs', response(400, '', { 'x-amzn-query-error': 'KMS.ThrottlingException;Sender' })),
    ).toMatchObject({ code: 'KMS.ThrottlingException', retryable: true });
    expect(errorFromResponse('sqs', response(404, ''))).toMatchObject({ code: 'Http404', retryable: false });
    expect(errorFromResponse('sqs', response(429, ''))).toMatchObject({ code: 'Http429', retryable: true });
  });

  it('reads S3’s XML error', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
    expect(errorFromResponse('s3', response(503, xml, { 'x-amz-request-id': 'R1' }))).toMatchObject({
      code: 'SlowDown',
      retryable: true,
      requestId: 'R1',
      message: 's3: HTTP 503 SlowDown: Please reduce your request rate.',
    });
  });
});

describe('getSecretString', () => {
  const secrets = { service: 'secretsmanager', region: 'eu-central-1', credentials: CREDENTIALS };

  it('sends AWS JSON 1.1 GetSecretValue, signed for the ARN’s region, and returns SecretString', async () => {
    await startFake(secrets);
    const secret = '{"WHATSAPP_TOKEN":"EAAG...","TWILIO_AUTH_TOKEN":"abc"}';
    fake.reply = () =>
      jsonReply(200, {
        ARN: SECRET_ARN,
        Name: 'threadline/providers',
        VersionId: 'v1',
        SecretString: secret,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1.7e9,
      });

    await expect(getSecretString(SECRET_ARN, { endpoint, credentials: () => CREDENTIALS })).resolves.toBe(
      secret,
    );

    const [request] = fake.received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/');
    expect(request?.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(request?.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(JSON.parse(request?.body.toString() ?? '')).toEqual({ SecretId: SECRET_ARN });
    expect(String(request?.headers.authorization)).toContain('/eu-central-1/secretsmanager/aws4_request');
  });

  it('returns undefined for a binary secret', async () => {
    await startFake(secrets);
    fake.reply = () => jsonReply(200, { ARN: SECRET_ARN, SecretBinary: 'AAEC' });

    await expect(
      getSecretString(SECRET_ARN, { endpoint, credentials: () => CREDENTIALS }),
    ).resolves.toBeUndefined();
  });

  it('throws the service’s error code, not retryable for a missing secret', async () => {
    await startFake(secrets);
    fake.reply = () =>
      jsonReply(400, {
        __type: 'ResourceNotFoundException',
        Message: "Secrets Manager can't find the specified secret.",
      });

    const error = await awsError(getSecretString(SECRET_ARN, { endpoint, credentials: () => CREDENTIALS }));

    expect(error).toMatchObject({ status: 400, code: 'ResourceNotFoundException', retryable: false });
  });

  it('takes the region from an ARN only', () => {
    expect(secretArnRegion(SECRET_ARN)).toBe('eu-central-1');
    expect(secretArnRegion('arn:aws-us-gov:secretsmanager:us-gov-west-1:1:secret:x')).toBe('us-gov-west-1');
    expect(secretArnRegion('threadline/providers')).toBeUndefined();
  });
});

describe('getObjectBytes', () => {
  const s3 = { service: 's3', region: 'eu-west-1', credentials: CREDENTIALS };
  const KEY = "inbound/My Folder/café 📧/a+b!(x)*~'.eml";
  const ENCODED = 'inbound/My%20Folder/caf%C3%A9%20%F0%9F%93%A7/a%2Bb%21%28x%29%2A~%27.eml';

  it('GETs the key encoded as S3 signs it, with the empty payload hash', async () => {
    await startFake(s3);
    const mime = Buffer.from('From: a@example.com\r\nSubject: Hi\r\n\r\nHello\r\n');
    fake.reply = () => ({ status: 200, headers: { 'content-type': 'application/octet-stream' }, body: mime });

    const bytes = await getObjectBytes('threadline-inbound-mail', KEY, {
      endpoint,
      region: 'eu-west-1',
      credentials: () => CREDENTIALS,
    });

    expect(bytes.equals(mime)).toBe(true);
    const [request] = fake.received;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe(`/threadline-inbound-mail/${ENCODED}`);
    expect(request?.headers['x-amz-content-sha256']).toBe(EMPTY_SHA256);
    expect(String(request?.headers.authorization)).toContain('/eu-west-1/s3/aws4_request');
  });

  it('addresses the bucket in the host on AWS, in the path for dotted names', () => {
    expect(encodeS3Key(KEY)).toBe(ENCODED);
    expect(s3ObjectUrl('threadline-mail', KEY, 'eu-west-1')).toBe(
      `https://threadline-mail.s3.eu-west-1.amazonaws.com/${ENCODED}`,
    );
    expect(s3ObjectUrl('mail.example.com', 'a b', 'us-east-1')).toBe(
      'https://s3.us-east-1.amazonaws.com/mail.example.com/a%20b',
    );
  });

  it('throws NoSuchKey from S3’s XML error', async () => {
    // Signed for AWS_REGION (us-east-1 here) when no region is given.
    await startFake({ ...s3, region: 'us-east-1' });
    fake.reply = () => ({
      status: 404,
      headers: { 'content-type': 'application/xml', 'x-amz-request-id': '4442587FB7D0A2F9' },
      body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>inbound/x</Key></Error>',
    });

    const error = await awsError(
      getObjectBytes('b-1', 'inbound/x', { endpoint, credentials: () => CREDENTIALS }),
    );

    expect(error).toMatchObject({
      status: 404,
      code: 'NoSuchKey',
      retryable: false,
      requestId: '4442587FB7D0A2F9',
    });
    expect(error.message).toBe('s3: HTTP 404 NoSuchKey: The specified key does not exist.');
    expect(String(fake.received[0]?.headers.authorization)).toContain('/us-east-1/s3/');
  });

  it('refuses an object whose Content-Length is over maxBytes', async () => {
    await startFake({ ...s3, region: 'us-east-1' });
    fake.reply = () => ({ status: 200, body: Buffer.alloc(2_000) });

    const error = await awsError(
      getObjectBytes('b-1', 'big', { endpoint, credentials: () => CREDENTIALS, maxBytes: 1_000 }),
    );

    expect(error).toMatchObject({ status: 200, code: 'ResponseTooLarge', retryable: false });
  });

  it('refuses an object streamed without Content-Length once it passes maxBytes', async () => {
    await startFake({ ...s3, region: 'us-east-1' });
    fake.reply = () => ({ status: 200, chunks: [Buffer.alloc(600), Buffer.alloc(600), Buffer.alloc(600)] });

    const error = await awsError(
      getObjectBytes('b-1', 'big', { endpoint, credentials: () => CREDENTIALS, maxBytes: 1_000 }),
    );
    expect(error).toMatchObject({ code: 'ResponseTooLarge' });

    fake.reply = () => ({ status: 200, chunks: [Buffer.alloc(500), Buffer.alloc(500)] });
    const bytes = await getObjectBytes('b-1', 'fits', {
      endpoint,
      credentials: () => CREDENTIALS,
      maxBytes: 1_000,
    });
    expect(bytes.length).toBe(1_000);
  });
});
