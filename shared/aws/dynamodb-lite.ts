import type * as Doc from '@aws-sdk/lib-dynamodb';
import { marshallItem, unmarshallItem, type WireAttribute } from './dynamodb-marshall.js';
import { parseJsonObject } from './request-error.js';
import { type RetryOptions, withRetries } from './retry.js';
import { type AwsCallOptions, awsHost, resolveRegion, signedRequest } from './signed-request.js';

/** Options of the lite DynamoDB client. */
export interface DynamoDbLiteOptions extends AwsCallOptions, RetryOptions {}

type Record_ = Record<string, unknown>;

/** What the item calls answer, in the document client's shapes (plain values, Sets for sets). */
export interface LiteItemOutput {
  Item?: Record_;
  Attributes?: Record_;
  ConsumedCapacity?: unknown;
}

/** What a Query answers, in the document client's shapes. */
export interface LiteQueryOutput {
  Items?: Record_[];
  Count?: number;
  ScannedCount?: number;
  LastEvaluatedKey?: Record_;
  ConsumedCapacity?: unknown;
}

/** What a BatchGetItem answers, in the document client's shapes. */
export interface LiteBatchGetOutput {
  Responses?: Record<string, Record_[]>;
  UnprocessedKeys?: Doc.BatchGetCommandOutput['UnprocessedKeys'];
  ConsumedCapacity?: unknown;
}

/** A DynamoDB call's time limit: a 1 MB Query page comes back in well under a second. */
const DEFAULT_TIMEOUT_MS = 5_000;
/** Members the document client marshals; the rest of an input goes on the wire as it is. */
const VALUE_MEMBERS = ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const;
/** The legacy parameters, which this client does not speak (expressions do the same). */
const LEGACY_MEMBERS = ['AttributeUpdates', 'Expected', 'KeyConditions', 'QueryFilter', 'AttributesToGet'];

function wireInput(operation: string, input: object): Record_ {
  const wire: Record_ = { ...input };
  for (const member of LEGACY_MEMBERS) {
    if (wire[member] !== undefined) throw new TypeError(`DynamoDB ${operation}: ${member} is not supported`);
  }
  for (const member of VALUE_MEMBERS) {
    const value = wire[member];
    if (value !== undefined) wire[member] = marshallItem(value as Record_);
  }
  if (wire.RequestItems && typeof wire.RequestItems === 'object') {
    wire.RequestItems = mapTables(wire.RequestItems as Record_, (request) => ({
      ...request,
      Keys: (request.Keys as Record_[]).map(marshallItem),
    }));
  }
  return wire;
}

/** A BatchGetItem member keyed by table name, each table's value mapped. */
function mapTables(tables: Record_, map: (value: Record_) => unknown): Record_ {
  return Object.fromEntries(Object.entries(tables).map(([table, value]) => [table, map(value as Record_)]));
}

const unmarshallAll = (items: unknown) =>
  (items as Record<string, WireAttribute>[]).map((item) => unmarshallItem(item));

function nativeOutput(json: Record_): Record_ {
  const out: Record_ = { ...json };
  for (const member of ['Item', 'Attributes', 'LastEvaluatedKey']) {
    const value = json[member];
    if (value && typeof value === 'object')
      out[member] = unmarshallItem(value as Record<string, WireAttribute>);
  }
  if (Array.isArray(json.Items)) {
    out.Items = unmarshallAll(json.Items);
  }
  if (json.Responses && typeof json.Responses === 'object') {
    out.Responses = mapTables(json.Responses as Record_, unmarshallAll);
  }
  if (json.UnprocessedKeys && typeof json.UnprocessedKeys === 'object') {
    out.UnprocessedKeys = mapTables(json.UnprocessedKeys as Record_, (request) => ({
      ...request,
      Keys: unmarshallAll(request.Keys),
    }));
  }
  return out;
}

/**
 * DynamoDB's item calls without the SDK: AWS JSON 1.0 (`POST /`, `X-Amz-Target:
 * DynamoDB_20120810.<Operation>`) to `dynamodb.<region>.amazonaws.com` (or `endpoint`, else the
 * `AWS_ENDPOINT_URL_DYNAMODB` the AWS SDK reads too, e.g. DynamoDB Local), signed with
 * SigV4. It takes and answers the shapes of `@aws-sdk/lib-dynamodb`'s commands (marshalled as its
 * document client does with `removeUndefinedValues`), so the repositories run on it unchanged. Throttling,
 * 5xx, network errors and timeouts are tried again, `maxAttempts` in all with the SDK's backoff; any other
 * error answer throws AwsRequestError whose `code` is DynamoDB's error name (e.g.
 * `ConditionalCheckFailedException`, whose `document.Item` holds the item, as DynamoDB sends it, when the
 * input asked for it).
 */
export function dynamoDbLite(options: DynamoDbLiteOptions = {}) {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL_DYNAMODB;
  const call = async (operation: string, input: object): Promise<Record_> => {
    const region = resolveRegion('dynamodb', options.region);
    const body = JSON.stringify(wireInput(operation, input));
    const request = {
      service: 'dynamodb',
      region,
      method: 'POST',
      url: `https://${awsHost('dynamodb', region)}/`,
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': `DynamoDB_20120810.${operation}`,
      },
      body,
    };
    const response = await withRetries(
      () =>
        signedRequest(request, {
          timeoutMs: DEFAULT_TIMEOUT_MS,
          ...options,
          ...(endpoint ? { endpoint } : {}),
        }),
      options,
    );
    return nativeOutput(parseJsonObject('dynamodb', response.body));
  };
  return {
    get: (input: Doc.GetCommandInput): Promise<LiteItemOutput> => call('GetItem', input),
    put: (input: Doc.PutCommandInput): Promise<LiteItemOutput> => call('PutItem', input),
    update: (input: Doc.UpdateCommandInput): Promise<LiteItemOutput> => call('UpdateItem', input),
    delete: (input: Doc.DeleteCommandInput): Promise<LiteItemOutput> => call('DeleteItem', input),
    query: (input: Doc.QueryCommandInput): Promise<LiteQueryOutput> => call('Query', input),
    batchGet: (input: Doc.BatchGetCommandInput): Promise<LiteBatchGetOutput> => call('BatchGetItem', input),
  };
}
