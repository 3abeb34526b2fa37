import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocument } from '@aws-sdk/lib-dynamodb';

/**
 * The SDK's document client over `client` (plain objects in, sets as JS Sets, undefined dropped): a
 * DocumentStore for the repositories, which also `send`s commands, so aws-sdk-client-mock's mocks of
 * DynamoDBDocumentClient answer it. The local runtime and the tests use it; the Lambda functions use
 * the lite client (shared/aws/dynamodb-lite.ts), which takes and answers the same shapes.
 */
export function documentClient(client: DynamoDBClient): DynamoDBDocument {
  return DynamoDBDocument.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
