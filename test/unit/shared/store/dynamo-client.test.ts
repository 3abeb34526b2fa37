import {
  DynamoDBClient,
  DynamoDBServiceException,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { PermanentError, UnavailableError } from '#shared/errors.js';
import { putItem } from '#shared/store/dynamo-client.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = () => ({ doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' });
const put = { TableName: 'threadline', Item: { pk: 'a', sk: 'b' } };

/** What DynamoDB answers an item over 400 KB (or a malformed request): the same on every retry. */
const validationException = () =>
  new DynamoDBServiceException({
    name: 'ValidationException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'Item size has exceeded the maximum allowed size',
  });

describe('sendDynamo', () => {
  beforeEach(() => ddb.reset());

  it('turns a ValidationException into a PermanentError, never one to retry', async () => {
    ddb.on(PutCommand).rejects(validationException());
    const error = await putItem(db(), put).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).not.toBeInstanceOf(UnavailableError);
    expect((error as PermanentError).code).toBe('permanent_failure');
    expect((error as PermanentError).cause).toBeInstanceOf(DynamoDBServiceException);
  });

  it('still turns throttling into UnavailableError, to retry', async () => {
    ddb
      .on(PutCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow', $metadata: {} }));
    await expect(putItem(db(), put)).rejects.toBeInstanceOf(UnavailableError);
  });
});
