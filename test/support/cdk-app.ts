import { readFileSync } from 'node:fs';
import { App, CfnElement, type Stack } from 'aws-cdk-lib';
import * as z from 'zod';

const CdkJsonSchema = z.object({ context: z.record(z.string(), z.unknown()) });
const cdkJson = CdkJsonSchema.parse(
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')),
);

/**
 * An app with the feature flags of cdk.json, so the templates are the ones `cdk synth` writes, and
 * `context` on top; no stack is bundled (unless `context` says `aws:cdk:bundling-stacks`). It writes
 * its assembly into `outdir` when given one.
 */
export function appWith(context: Record<string, unknown>, outdir?: string): App {
  return new App({ outdir, context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context } });
}

/** The logical id of the CloudFormation resource at `path` (a construct path below the stack). */
export function logicalId(stack: Stack, path: string): string {
  const found = stack.node.findAll().find((c) => c.node.path === `${stack.node.id}/${path}`);
  const element = found instanceof CfnElement ? found : found?.node.defaultChild;
  if (!(element instanceof CfnElement)) throw new Error(`no CloudFormation resource at ${path}`);
  return stack.getLogicalId(element);
}

/** The HTTP API's default URL as the template writes it: `https://<api>.execute-api.<region>.<suffix>`. */
export function executeApiUrlOf(stack: Stack): unknown {
  return {
    'Fn::Join': [
      '',
      [
        'https://',
        { Ref: logicalId(stack, 'HttpApi') },
        '.execute-api.',
        { Ref: 'AWS::Region' },
        '.',
        { Ref: 'AWS::URLSuffix' },
      ],
    ],
  };
}
