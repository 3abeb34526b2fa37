import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config.js';
import { loadRoutingPolicy } from '#shared/config/routing-policy-file.js';
import { awsConversationClock } from '#shared/lambda/conversation-clock.js';
import { dynamoRepositories } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { AWS_CLOCK_ENV } from '../../../support/aws-clock-env.js';

const dir = mkdtempSync(join(tmpdir(), 'threadline-clock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const repos = dynamoRepositories(documentClient(new DynamoDBClient({ region: 'eu-west-1' })), 'threadline');
const clockWith = (policyFile: string) =>
  awsConversationClock(loadConfig({ ...AWS_CLOCK_ENV, ROUTING_POLICY_FILE: policyFile }), repos);

describe('awsConversationClock', () => {
  it('reads the routing policy on first use, not at cold start, and only once', () => {
    const file = join(dir, 'policy.json');
    const clock = clockWith(file);
    // No file when the clock was built: building it read nothing.
    writeFileSync(file, readFileSync('shared/domain/routing/default-policy.json'));
    const first = clock.policy;
    expect(first).toEqual(loadRoutingPolicy(file));
    writeFileSync(file, 'not json');
    expect(clock.policy).toBe(first);
  });

  it('names the policy error on the first use of a broken file', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"sla": 5}');
    const clock = clockWith(file);
    expect(() => clock.policy).toThrow(/invalid routing policy: .*sla/);
  });
});
