import * as z from 'zod/mini';
import { ChannelSchema } from '../domain/envelope.js';
import { DEFAULT_ROUTING_POLICY_URL } from '../domain/routing/default-policy.js';
import type { QueueRules } from '../domain/routing/queues.js';
import { parseSettingFile } from './setting-file.js';

const HoursSchema = z.object({
  timezone: z.string(),
  hours: z.array(
    z.object({
      days: z.array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])),
      open: z.string(),
      close: z.string(),
    }),
  ),
  holidays: z.optional(z.array(z.string())),
  overrides: z.optional(z.record(z.string(), z.array(z.object({ open: z.string(), close: z.string() })))),
});

const QueueRulesSchema = z.object({
  defaultQueue: z.string(),
  businessHours: z.optional(HoursSchema),
  queues: z.array(
    z.object({
      name: z.string(),
      channels: z.optional(z.array(ChannelSchema)),
      languages: z.optional(z.array(z.string())),
      keywords: z.optional(z.array(z.string())),
      businessHours: z.optional(HoursSchema),
    }),
  ),
});

/**
 * The queues and business hours of a routing policy file, and nothing else: all a function that only
 * answers by the hours reads (the voice webhook's closed greeting). The whole file is checked by
 * loadRoutingPolicy at synth and at every other function's start; this reads its fields with zod/mini
 * and drops the rest, so the webhook stays within its bundle budget (the policy's own schemas bring
 * the whole of zod, about 60 KB more).
 */
export function loadQueueRules(file: string | URL = DEFAULT_ROUTING_POLICY_URL): QueueRules {
  return parseSettingFile('ROUTING_POLICY_FILE', file, (text) => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new Error(`routing policy is not valid JSON: ${(error as Error).message}`);
    }
    const result = QueueRulesSchema.safeParse(json);
    if (result.success) return result.data;
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid routing policy: ${problems.join('; ')}`);
  });
}
