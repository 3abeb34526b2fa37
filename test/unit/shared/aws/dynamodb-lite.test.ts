import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocument } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dynamoDbLite } from '#shared/aws/dynamodb-lite.js';
import { AwsRequestError } from '#shared/aws/request-error.js';
import { retryDelayMs } from '#shared/aws/retry.js';
import type { AwsCredentials } from '#shared/aws/signed-request.js';
import { PermanentError, UnavailableError } from '#shared/errors.js';
import { type DocumentStore, isConditionFailure, putItem, putItemIf } from '#shared/store/dynamo-client.js';
import { FakeAws } from '../../../support/fake-aws.js';

const CREDENTIALS: AwsCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token',
};
const REGION = 'eu-west-1';

/** Values of every kind the document client marshals, nested, with undefined members to drop. */
const RICH = {
  pk: 'CUSTOMER#cu_1',
  sk: 'PROFILE',
  name: 'Zoë 😀',
  empty: '',
  count: 42,
  ratio: -0.125,
  big: 12345678901234567890n,
  yes: true,
  no: false,
  nothing: null,
  gone: undefined,
  tags: new Set(['vip', 'de']),
  scores: new Set([1, 2.5]),
  bytes: new Uint8Array([0, 1, 254, 255]),
  list: ['a', 1, undefined, { deep: [true, null] }],
  map: { inner: { leaf: 'x', skip: undefined }, emptyMap: {} },
};

/** A recorded DynamoDB answer of every shape: attributes of every type, as the wire carries them. */
const WIRE_ITEM = {
  pk: { S: 'CUSTOMER#cu_1' },
  n: { N: '3.5' },
  huge: { N: '123456789012345678901' },
  b: { B: 'AAH+/w==' },
  ok: { BOOL: true },
  nil: { NULL: true },
  ss: { SS: ['a', 'b'] },
  ns: { NS: ['1', '2'] },
  bs: { BS: ['AQ=='] },
  l: { L: [{ S: 'x' }, { M: { y: { N: '1' } } }] },
  m: { M: { z: { SS: ['q'] } } },
};

/** One call of each kind, as the repositories' params builders make them. */
const CALLS: Array<[keyof DocumentStore, Record<string, unknown>, Record<string, unknown>]> = [
  [
    'get',
    { TableName: 't', Key: { pk: 'a', sk: 'b' }, ConsistentRead: true, ProjectionExpression: '#n' },
    { Item: WIRE_ITEM, ConsumedCapacity: { TableName: 't', CapacityUnits: 1 } },
  ],
  [
    'put',
    {
      TableName: 't',
      Item: RICH,
      ConditionExpression: 'attribute_not_exists(pk) OR #at < :at',
      ExpressionAttributeNames: { '#at': 'at' },
      ExpressionAttributeValues: { ':at': '2025-01-01', ':gone': undefined },
      ReturnValues: 'ALL_OLD',
    },
    { Attributes: WIRE_ITEM },
  ],
  [
    'update',
    {
      TableName: 't',
      Key: { pk: 'a', sk: 'b' },
      UpdateExpression: 'SET #c = if_not_exists(#c, :zero) + :one ADD tags :tags',
      ExpressionAttributeNames: { '#c': 'count' },
      ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':tags': new Set(['x']) },
      ReturnValues: 'ALL_NEW',
    },
    { Attributes: WIRE_ITEM },
  ],
  ['delete', { TableName: 't', Key: { pk: 'a', sk: 'b' }, ReturnValues: 'ALL_OLD' }, {}],
  [
    'query',
    {
      TableName: 't',
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p AND begins_with(gsi1sk, :s)',
      ExpressionAttributeValues: { ':p': 'INBOX#open', ':s': '2025' },
      ExclusiveStartKey: { pk: 'a', sk: 'b', gsi1pk: 'INBOX#open', gsi1sk: '2025-01' },
      ScanIndexForward: false,
      Limit: 25,
    },
    {
      Items: [WIRE_ITEM, { pk: { S: 'x' } }],
      Count: 2,
      ScannedCount: 3,
      LastEvaluatedKey: { pk: { S: 'x' }, sk: { S: 'y' } },
    },
  ],
  [
    'batchGet',
    {
      RequestItems: {
        t: {
          Keys: [
            { pk: 'a', sk: 'b' },
            { pk: 'c', sk: 'd' },
            { pk: 'e', sk: 'f' },
          ],
          ConsistentRead: true,
          ProjectionExpression: '#n',
          ExpressionAttributeNames: { '#n': 'n' },
        },
      },
      ReturnConsumedCapacity: 'TOTAL',
    },
    {
      Responses: { t: [WIRE_ITEM, { pk: { S: 'c' }, sk: { S: 'd' } }] },
      UnprocessedKeys: { t: { Keys: [{ pk: { S: 'e' }, sk: { S: 'f' } }], ConsistentRead: true } },
      ConsumedCapacity: [{ TableName: 't', CapacityUnits: 1 }],
    },
  ],
];

/** The SDK's document client over a handler that records each request and answers `answer`. */
function sdkRecording(answer: () => { status: number; body: string }) {
  const sent: Array<{ target: string; body: unknown }> = [];
  const client = new DynamoDBClient({
    region: REGION,
    credentials: CREDENTIALS,
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { headers: Record<string, string>; body: string | Uint8Array }) => {
        const text = typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString();
        sent.push({ target: request.headers['x-amz-target'] ?? '', body: JSON.parse(text) });
        const { status, body } = answer();
        return {
          response: {
            statusCode: status,
            headers: { 'content-type': 'application/x-amz-json-1.0' },
            body: Buffer.from(body),
          },
        };
      },
    },
  });
  const doc = DynamoDBDocument.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { doc, sent };
}

let fake: FakeAws;
let endpoint: string;
let sleeps: number[];
const lite = (maxAttempts?: number) =>
  dynamoDbLite({
    region: REGION,
    endpoint,
    credentials: () => CREDENTIALS,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...(maxAttempts ? { maxAttempts } : {}),
  });
const dynamoError = (status: number, type: string, extra: Record<string, unknown> = {}) => ({
  status,
  headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'REQ1' },
  body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: type, ...extra }),
});

beforeEach(async () => {
  sleeps = [];
  fake = new FakeAws({ service: 'dynamodb', region: REGION, credentials: CREDENTIALS });
  endpoint = await fake.start();
});
afterEach(async () => {
  await fake.stop();
  // Every request was signed exactly as the SDK's own signer signs it.
  expect(fake.mismatches).toEqual([]);
});

describe('dynamoDbLite: the same requests and answers as the SDK document client', () => {
  it.each(CALLS)(
    '%s: the same JSON body and target on the wire, the same answer back',
    async (op, input, wire) => {
      const sdk = sdkRecording(() => ({ status: 200, body: JSON.stringify(wire) }));
      fake.reply = () => ({ status: 200, body: JSON.stringify(wire) });
      const call = (store: DocumentStore) =>
        (store[op] as (i: unknown) => Promise<Record<string, unknown>>)(input);
      const fromSdk = await call(sdk.doc);
      const fromLite = await call(lite());

      const received = fake.received[0];
      expect(received?.headers['x-amz-target']).toBe(sdk.sent[0]?.target);
      expect(received?.headers['content-type']).toBe('application/x-amz-json-1.0');
      expect(received?.headers['x-amz-security-token']).toBe('session-token');
      expect(JSON.parse(String(received?.body))).toEqual(sdk.sent[0]?.body);
      const { $metadata: _, ...sdkAnswer } = fromSdk;
      expect(fromLite).toEqual(sdkAnswer);
    },
  );

  it('reads numbers beyond the safe integers as bigint and binary as Uint8Array, like the SDK', async () => {
    fake.reply = () => ({ status: 200, body: JSON.stringify({ Item: WIRE_ITEM }) });
    const { Item } = await lite().get({ TableName: 't', Key: { pk: 'a' } });
    expect(Item?.huge).toBe(123456789012345678901n);
    expect(Item?.b).toEqual(new Uint8Array([0, 1, 254, 255]));
    expect(Item?.ns).toEqual(new Set([1, 2]));
  });

  it('refuses what the document client refuses, before sending anything', async () => {
    const put = (value: unknown) => lite().put({ TableName: 't', Item: { pk: 'a', value } });
    await expect(put(Number.NaN)).rejects.toThrow(/NaN/);
    await expect(put(2 ** 60)).rejects.toThrow(/safe integer/);
    await expect(put(new Set())).rejects.toThrow(/non-empty set/);
    await expect(put(new Date())).rejects.toThrow(/Unsupported type/);
    await expect(
      lite().query({ TableName: 't', KeyConditions: { pk: { ComparisonOperator: 'EQ' } } }),
    ).rejects.toThrow(/KeyConditions is not supported/);
    expect(fake.received).toHaveLength(0);
  });
});

describe('dynamoDbLite: errors and retries', () => {
  it('names a failed condition as the SDK does, does not retry it, and keeps the item asked for', async () => {
    fake.reply = () =>
      dynamoError(400, 'ConditionalCheckFailedException', { Item: { pk: { S: 'a' }, v: { N: '1' } } });
    const error = await lite()
      .put({ TableName: 't', Item: { pk: 'a' }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsRequestError);
    expect((error as AwsRequestError).code).toBe('ConditionalCheckFailedException');
    expect((error as AwsRequestError).document?.Item).toEqual({ pk: { S: 'a' }, v: { N: '1' } });
    expect(isConditionFailure(error)).toBe(true);
    expect(fake.received).toHaveLength(1);
    // Through the repositories' helper: a failed condition is an answer, not an error.
    expect(await putItemIf({ doc: lite(), table: 't' }, { TableName: 't', Item: { pk: 'a' } })).toBe(false);
  });

  it('retries throttling with the SDK backoff (500 ms base) and succeeds on the third try', async () => {
    let n = 0;
    fake.reply = () =>
      ++n < 3 ? dynamoError(400, 'ProvisionedThroughputExceededException') : { status: 200, body: '{}' };
    await lite().put({ TableName: 't', Item: { pk: 'a' } });
    expect(fake.received).toHaveLength(3);
    expect(sleeps).toEqual([250, 500]);
    // Every try is the same request, signed afresh.
    expect(new Set(fake.received.map((r) => String(r.body)))).toHaveLength(1);
  });

  it('retries 5xx (100 ms base), then gives up after maxAttempts with a retryable error', async () => {
    fake.reply = () => dynamoError(500, 'InternalServerError');
    const error = await lite()
      .get({ TableName: 't', Key: { pk: 'a' } })
      .catch((e: unknown) => e);
    expect(fake.received).toHaveLength(3);
    expect(sleeps).toEqual([50, 100]);
    expect(error).toMatchObject({ code: 'InternalServerError', retryable: true, status: 500 });
    // The repositories turn it into UnavailableError: the message is retried by the queue.
    fake.received.length = 0;
    await expect(
      putItem({ doc: lite(1), table: 't' }, { TableName: 't', Item: { pk: 'a' } }),
    ).rejects.toBeInstanceOf(UnavailableError);
    expect(fake.received).toHaveLength(1);
  });

  it('retries a connection cut before the answer', async () => {
    let n = 0;
    fake.reply = () =>
      ++n === 1 ? 'destroy' : { status: 200, body: JSON.stringify({ Item: { pk: { S: 'a' } } }) };
    expect(await lite().get({ TableName: 't', Key: { pk: 'a' } })).toEqual({ Item: { pk: 'a' } });
    expect(n).toBe(2);
  });

  it('does not retry a ValidationException, which the repositories make a PermanentError', async () => {
    fake.reply = () => dynamoError(400, 'ValidationException');
    const error = await putItem({ doc: lite(), table: 't' }, { TableName: 't', Item: { pk: 'a' } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toContain('ValidationException');
    expect(fake.received).toHaveLength(1);
  });

  it('backs off exponentially up to 20 s, with full jitter', () => {
    const throttled = new AwsRequestError('x', {
      status: 400,
      code: 'ThrottlingException',
      retryable: true,
      service: 'dynamodb',
    });
    const failed = new AwsRequestError('x', {
      status: 503,
      code: 'Http503',
      retryable: true,
      service: 'dynamodb',
    });
    expect(retryDelayMs(1, failed, () => 0.999)).toBe(99);
    expect(retryDelayMs(4, failed, () => 0.5)).toBe(400);
    expect(retryDelayMs(3, throttled, () => 0.5)).toBe(1000);
    expect(retryDelayMs(12, throttled, () => 0.5)).toBe(10_000);
    expect(retryDelayMs(5, throttled, () => 0)).toBe(0);
  });

  it('signs with the environment credentials and AWS_REGION when given none', async () => {
    vi.stubEnv('AWS_REGION', REGION);
    vi.stubEnv('AWS_ACCESS_KEY_ID', CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', CREDENTIALS.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', 'session-token');
    try {
      await dynamoDbLite({ endpoint }).get({ TableName: 't', Key: { pk: 'a' } });
    } finally {
      vi.unstubAllEnvs();
    }
    expect(fake.received[0]?.headers.host).toBe(new URL(endpoint).host);
  });
});
