import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ScanCommandDeps } from '#shared/local/scan-command.js';

/**
 * What a unit test gives an upgrade command (`runScanCommand`): a DynamoDB client the test mocks at the
 * SDK, a data folder that is not there (no local runtime), and the lines it writes pushed to `lines`.
 */
export const scanCommandDeps = (lines: string[]): ScanCommandDeps => ({
  dynamo: () => new DynamoDBClient({ region: 'eu-west-1' }),
  dataDir: '/nonexistent',
  write: (line) => lines.push(line),
});
