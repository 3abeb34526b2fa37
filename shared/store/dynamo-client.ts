import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UnavailableError } from '../errors.js';

/** The document client every repository uses: plain objects in, sets as JS Sets, undefined dropped. */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** Whether a write failed its condition, which callers treat as "already done" or "not allowed". */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}

/**
 * Runs one DynamoDB call: a condition failure is passed through for the caller to judge; any other SDK
 * error (throttling, a network failure) becomes UnavailableError, so the caller's caller retries.
 */
export async function sendDynamo<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isConditionFailure(error)) throw error;
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
