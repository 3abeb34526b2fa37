import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRoutingPolicy } from '#shared/config/routing-policy-file.js';
import { shippedPolicyFileWith } from '../../../support/policy-file.js';

describe('ROUTING_POLICY_FILE saved by Windows Notepad', () => {
  it('reads a policy file that opens with a byte-order mark', () => {
    const file = shippedPolicyFileWith(() => {});
    writeFileSync(file, `\uFEFF${readFileSync(file, 'utf8')}`);
    expect(loadRoutingPolicy(file).defaultQueue).toBe(loadRoutingPolicy().defaultQueue);
  });
});
