// What a webhook written the usual way would carry and load: the AWS SDK clients for SQS and Secrets
// Manager, built at module scope, instead of SigV4 over node:https (shared/aws). Injected by bundles.ts.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';

(globalThis as { __sdk?: unknown }).__sdk = [
  new SQSClient({}),
  new SecretsManagerClient({}),
  SendMessageBatchCommand,
];
