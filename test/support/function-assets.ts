import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

const TemplateSchema = z.object({
  Resources: z.record(
    z.string(),
    z.object({
      Type: z.string(),
      Metadata: z.optional(z.record(z.string(), z.unknown())),
    }),
  ),
});

/**
 * Each Lambda function's asset folder in the cloud assembly at `out`, by its construct id (the logical
 * id without its hash), from the template `stack`'s `aws:asset:path` metadata.
 */
export function functionAssets(out: string, stack: string): Map<string, string> {
  const template = TemplateSchema.parse(
    JSON.parse(readFileSync(join(out, `${stack}.template.json`), 'utf8')),
  );
  const assets = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const path = resource.Metadata?.['aws:asset:path'];
    if (resource.Type === 'AWS::Lambda::Function' && typeof path === 'string') {
      assets.set(logicalId.replace(/[0-9A-F]{8}$/, ''), join(out, path));
    }
  }
  return assets;
}
