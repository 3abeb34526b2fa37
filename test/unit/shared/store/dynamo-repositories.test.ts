import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoRepositories, storePorts } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';

const repos = dynamoRepositories(documentClient(new DynamoDBClient({ region: 'us-east-1' })), 'threadline');

describe('dynamoRepositories', () => {
  it('gives every method to exactly one repository, so spreading them loses none', () => {
    const names = Object.values(repos).flatMap((repository) => Object.keys(repository));
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it("keeps the ports' optional methods in the spread store, where a missing one would go unnoticed", () => {
    const store = storePorts(repos);
    expect(typeof store.countDecision).toBe('function');
    expect(typeof store.recordFirstResponse).toBe('function');
  });
});
