import type {
  BatchGetCommandInput,
  DeleteCommandInput,
  GetCommandInput,
  PutCommandInput,
  QueryCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { PermanentError, UnavailableError } from '../errors.js';

type Item = Record<string, unknown>;

/**
 * The item calls every repository makes, in `@aws-sdk/lib-dynamodb`'s shapes (plain values in and out,
 * sets as JS Sets, undefined dropped): the SDK's document client (`sdkDocuments`, the local runtime
 * and the tests) or the lite client over SigV4 (`dynamoDbLite`, the Lambda functions).
 */
export interface DocumentStore {
  get(input: GetCommandInput): Promise<{ Item?: Item | undefined }>;
  put(input: PutCommandInput): Promise<{ Attributes?: Item | undefined }>;
  update(input: UpdateCommandInput): Promise<{ Attributes?: Item | undefined }>;
  delete(input: DeleteCommandInput): Promise<{ Attributes?: Item | undefined }>;
  query(input: QueryCommandInput): Promise<QueryOutput>;
  batchGet(input: BatchGetCommandInput): Promise<BatchGetOutput>;
}

/** What one BatchGetItem answers: the items found per table, and the keys DynamoDB left for another try. */
export interface BatchGetOutput {
  Responses?: Record<string, Item[]> | undefined;
  UnprocessedKeys?: BatchGetCommandInput['RequestItems'] | undefined;
}

/** What a Query answers: a page of items and where the next page starts. */
export interface QueryOutput {
  Items?: Item[] | undefined;
  Count?: number | undefined;
  ScannedCount?: number | undefined;
  LastEvaluatedKey?: Item | undefined;
}

/** What every repository sends its commands through: one document store and the table's name. */
export interface DynamoDb {
  doc: DocumentStore;
  table: string;
}

/**
 * The DynamoDB error name of a failure: the SDK's exception name, or the code of the lite client's
 * AwsRequestError (its name is its class's).
 */
export function dynamoErrorName(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code } = error as { code?: unknown };
  return error.name === 'AwsRequestError' && typeof code === 'string' ? code : error.name;
}

/** Whether a write failed its condition, which callers treat as "already done" or "not allowed". */
export function isConditionFailure(error: unknown): boolean {
  return dynamoErrorName(error) === 'ConditionalCheckFailedException';
}

/**
 * DynamoDB errors that say the request itself is wrong, so every retry fails the same way: an item over
 * 400 KB, a key too long, an expression that does not parse (ValidationException), or a local secondary
 * index's item collection over 10 GB.
 */
const PERMANENT_ERRORS = new Set(['ValidationException', 'ItemCollectionSizeLimitExceededException']);

/**
 * Runs one DynamoDB call: a condition failure is passed through for the caller to judge; a request
 * DynamoDB will never accept becomes PermanentError (not retried); any other SDK error (throttling, a
 * network failure) becomes UnavailableError, so the caller's caller retries.
 */
export async function sendDynamo<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isConditionFailure(error)) throw error;
    const name = dynamoErrorName(error);
    if (name && PERMANENT_ERRORS.has(name)) {
      throw new PermanentError(`DynamoDB ${operation} refused the request (${name})`, { cause: error });
    }
    throw new UnavailableError(`DynamoDB ${operation} failed`, { cause: error });
  }
}

/** Runs a conditional write; false when its condition failed. */
export async function sendConditional(operation: string, run: () => Promise<unknown>): Promise<boolean> {
  try {
    await sendDynamo(operation, run);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Sends a GetItem built by a params builder. */
export function getItem(db: DynamoDb, input: GetCommandInput): Promise<{ Item?: Item | undefined }> {
  return sendDynamo('GetItem', () => db.doc.get(input));
}

/** Sends a PutItem built by a params builder; a failed condition throws. */
export function putItem(db: DynamoDb, input: PutCommandInput): Promise<unknown> {
  return sendDynamo('PutItem', () => db.doc.put(input));
}

/** Sends a conditional PutItem; false when its condition failed. */
export function putItemIf(db: DynamoDb, input: PutCommandInput): Promise<boolean> {
  return sendConditional('PutItem', () => db.doc.put(input));
}

/** Sends an UpdateItem built by a params builder; a failed condition throws. */
export function updateItem(
  db: DynamoDb,
  input: UpdateCommandInput,
): Promise<{ Attributes?: Item | undefined }> {
  return sendDynamo('UpdateItem', () => db.doc.update(input));
}

/** Sends a conditional UpdateItem; false when its condition failed. */
export function updateItemIf(db: DynamoDb, input: UpdateCommandInput): Promise<boolean> {
  return sendConditional('UpdateItem', () => db.doc.update(input));
}

/** Sends a conditional UpdateItem; the attributes it returned ({} for none), undefined when its condition failed. */
export async function updateItemReturningIf(
  db: DynamoDb,
  input: UpdateCommandInput,
): Promise<Record<string, unknown> | undefined> {
  try {
    return (await updateItem(db, input)).Attributes ?? {};
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Sends a Query built by a params builder. */
export function queryItems(db: DynamoDb, input: QueryCommandInput): Promise<QueryOutput> {
  return sendDynamo('Query', () => db.doc.query(input));
}

/** Sends a DeleteItem built by a params builder. */
export async function deleteItem(db: DynamoDb, input: DeleteCommandInput): Promise<void> {
  await sendDynamo('DeleteItem', () => db.doc.delete(input));
}

/** Sends a conditional DeleteItem; false when its condition failed. */
export function deleteItemIf(db: DynamoDb, input: DeleteCommandInput): Promise<boolean> {
  return sendConditional('DeleteItem', () => db.doc.delete(input));
}

/**
 * The resolver's upserts: the update for an event newer than what is stored; when its condition says
 * the event is older, the update that only adds to order-independent sets, then the optional
 * conditional follow-ups (a reply window or a wait moved back to an earlier inbound message). Answers
 * which update applied and the attributes it returned (if its input asked for any).
 */
export async function updateCurrentOrStaleReturning(
  db: DynamoDb,
  inputs: {
    current: UpdateCommandInput;
    stale: UpdateCommandInput;
    /** The follow-ups, or a function of what the stale update returned (if its input asked) giving them. */
    followUp:
      | UpdateCommandInput
      | readonly UpdateCommandInput[]
      | ((staleAttributes: Record<string, unknown> | undefined) => readonly UpdateCommandInput[])
      | undefined;
  },
): Promise<{ current: boolean; attributes: Record<string, unknown> | undefined }> {
  try {
    const out = await updateItem(db, inputs.current);
    return { current: true, attributes: out.Attributes };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const out = await updateItem(db, inputs.stale);
    const { followUp } = inputs;
    const followUps =
      typeof followUp === 'function'
        ? followUp(out.Attributes)
        : Array.isArray(followUp)
          ? followUp
          : [followUp ?? []].flat();
    for (const next of followUps) await updateItemIf(db, next);
    return { current: false, attributes: out.Attributes };
  }
}

/** `updateCurrentOrStaleReturning` for a caller that needs no answer. */
export async function updateCurrentOrStale(
  db: DynamoDb,
  inputs: Parameters<typeof updateCurrentOrStaleReturning>[1],
): Promise<void> {
  await updateCurrentOrStaleReturning(db, inputs);
}
