import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import * as z from 'zod';

const CdkJsonSchema = z.object({ context: z.record(z.string(), z.unknown()) });
const cdkJson = CdkJsonSchema.parse(
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')),
);

/**
 * An app with the feature flags of cdk.json, so the templates are the ones `cdk synth` writes, and
 * `context` on top; no stack is bundled.
 */
export function appWith(context: Record<string, unknown>): App {
  return new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context } });
}
