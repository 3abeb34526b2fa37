import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the synthesized stacks cost a month before a single message: the resources billed by the month,
 * counted from the templates `npm run synth` writes, at us-east-1 list prices (December 2026). Usage
 * (requests, invocations, read and write units, log bytes, storage) is not counted here: the cost per
 * conversation and per agent-month cover it.
 */
interface Price {
  type: string;
  what: string;
  /** Dollars per resource a month. */
  monthly: number;
  /** How many the account gets free a month (across all its stacks). */
  free: number;
}

export const fixedPrices: readonly Price[] = [
  {
    type: 'AWS::CloudWatch::Alarm',
    what: 'CloudWatch alarms (standard, one metric each)',
    monthly: 0.1,
    free: 10,
  },
  { type: 'AWS::SecretsManager::Secret', what: 'Secrets Manager secrets', monthly: 0.4, free: 0 },
  { type: 'AWS::KMS::Key', what: 'KMS customer managed keys', monthly: 1, free: 0 },
  { type: 'AWS::CloudWatch::Dashboard', what: 'CloudWatch dashboards', monthly: 3, free: 3 },
  { type: 'AWS::EC2::NatGateway', what: 'NAT gateways', monthly: 32.85, free: 0 },
  { type: 'AWS::WAFv2::WebACL', what: 'WAF web ACLs', monthly: 5, free: 0 },
  { type: 'AWS::Route53::HostedZone', what: 'Route 53 hosted zones', monthly: 0.5, free: 0 },
];

/** One row a priced resource type: its count in `templates`, and its cost a month. */
export function fixedMonthlyCost(templates: readonly { Resources?: Record<string, { Type: string }> }[]) {
  const counts = new Map<string, number>();
  for (const template of templates) {
    for (const resource of Object.values(template.Resources ?? {})) {
      counts.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);
    }
  }
  const rows = fixedPrices.map((price) => {
    const count = counts.get(price.type) ?? 0;
    return { ...price, count, dollars: Math.max(0, count - price.free) * price.monthly };
  });
  return {
    rows,
    total: rows.reduce((sum, row) => sum + row.dollars, 0),
    logGroups: counts.get('AWS::Logs::LogGroup') ?? 0,
  };
}

/** Prints the fixed monthly cost of the templates in `dir` (BENCH_CDK_OUT, default `cdk.out`). */
export function fixedCostFigures(dir = process.env.BENCH_CDK_OUT ?? 'cdk.out'): void {
  const files = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.template.json')) : [];
  if (files.length === 0) throw new Error(`no templates in ${dir}: run npm run synth first`);
  const templates = files.map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')));
  const { rows, total, logGroups } = fixedMonthlyCost(templates);
  for (const row of rows.filter((r) => r.count > 0)) {
    const free = row.free > 0 ? ` (${row.free} free an account)` : '';
    console.log(`  ${row.what}: ${row.count} × $${row.monthly}${free} = $${row.dollars.toFixed(2)} a month`);
  }
  console.log(
    `  fixed monthly baseline: $${total.toFixed(2)} (${files.join(', ')}); ${logGroups} log groups, billed by use`,
  );
}
