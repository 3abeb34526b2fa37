import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadQueueRules } from '#shared/config/queue-hours-file.js';
import { loadRoutingPolicy } from '#shared/config/routing-policy-file.js';
import { shippedPolicyFileWith } from '../../../support/policy-file.js';

describe('ROUTING_POLICY_FILE saved by Windows Notepad', () => {
  it('reads a policy file that opens with a byte-order mark', () => {
    const file = shippedPolicyFileWith(() => {});
    writeFileSync(file, `\uFEFF${readFileSync(file, 'utf8')}`);
    expect(loadRoutingPolicy(file).defaultQueue).toBe(loadRoutingPolicy().defaultQueue);
  });

  it('reads it for the voice webhook too, which reads only its queues and hours', () => {
    const file = shippedPolicyFileWith(() => {});
    writeFileSync(file, `\uFEFF${readFileSync(file, 'utf8')}`);
    // Before, the voice webhook refused the file the other functions read: "routing policy is not valid JSON".
    expect(loadQueueRules(file)).toEqual(loadQueueRules());
  });
});
