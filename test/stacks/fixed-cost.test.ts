import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ApiStack, statefulInputs } from '../../stacks/api-stack.js';
import { StatefulStack } from '../../stacks/stateful-stack.js';
import { fixedMonthlyCost } from '../bench/fixed-cost.js';
import { appWith } from '../support/cdk-app.js';

/**
 * The README's fixed monthly baseline is the one the templates give (`npm run bench -- 15` counts the
 * synthesized ones): a stack change that adds an alarm or a secret must change the README with it.
 */
describe('fixed monthly baseline', () => {
  const app = appWith({});
  const statefulStack = new StatefulStack(app, 'ThreadlineStateful');
  const apiStack = new ApiStack(app, 'ThreadlineApi', statefulInputs(statefulStack));
  const { rows, total } = fixedMonthlyCost([
    Template.fromStack(statefulStack).toJSON(),
    Template.fromStack(apiStack).toJSON(),
  ]);
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const baseline = /\*\*Fixed monthly baseline on AWS\*\*[\s\S]*?a month\*\*/.exec(readme)?.[0] ?? '';

  it('names every priced resource the stacks hold, with its count and cost, and the total', () => {
    expect(baseline).not.toBe('');
    for (const row of rows.filter((r) => r.count > 0)) {
      expect(baseline).toContain(`| ${row.what} | ${row.count} |`);
      expect(baseline).toContain(`$${row.dollars.toFixed(2)}`);
    }
    expect(baseline).toContain(`**$${total.toFixed(2)} a month**`);
  });
});
