import { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { operatorFileAssets } from '../../stacks/operator-files.js';
import { appWith } from '../support/cdk-app.js';

/**
 * A routing policy that parses with warnings (`routingPolicyWarnings`) synthesizes, with each warning
 * as a synth warning naming the setting, once however many functions read the file.
 */
describe('the routing policy’s warnings at synth', () => {
  it('are the stack’s warnings, once each', () => {
    const app = appWith({ routingPolicyFile: 'test/fixtures/routing-policy/warned.json' });
    const stack = new Stack(app, 'Warned');
    for (const reader of ['resolver', 'agent-api', 'timers']) operatorFileAssets(stack, reader);
    const warnings = stack.node.metadata.filter((m) => m.type === 'aws:cdk:warning');
    expect(warnings.map((m) => m.data)).toEqual([
      expect.stringContaining(
        'routingPolicyFile: sla.policies[0] ("all") matches every conversation ({}), so "vip" after it can never apply',
      ),
    ]);
  });
});
