import * as z from 'zod';
import { AuditRecordSchema } from './audit.js';
import { SuggestionSchema } from './suggestions.js';
import { TimelineItemSchema } from './timeline.js';

/** A provider's raw payload, by the customer's partition and the sort key of its timeline item. */
export const RawPayloadSchema = z.object({
  customerId: z.string(),
  timelineSk: z.string(),
  raw: z.string().describe("the provider's payload as it came, a JSON or form string"),
});
export type RawPayload = z.infer<typeof RawPayloadSchema>;

/** A stored record, every attribute the table holds (a profile, a conversation), its sets as sorted arrays. */
const StoredRecordSchema = z.record(z.string(), z.unknown());

/** Everything held about a customer, as `GET /api/customers/{id}/export` returns it. */
export const CustomerExportSchema = z.object({
  exportedAt: z.string(),
  customers: z
    .array(StoredRecordSchema)
    .describe(
      'the profiles of the customer and of everyone merged with them, every attribute held but the keys, sets (tags, identities, channels...) as sorted arrays; `conversationIds`: the conversations of that profile listed under `conversations`; `nameGivenBy: "agent"` for a name an agent gave (a name a message gave has `nameAt`, its time)',
    ),
  timeline: z.array(TimelineItemSchema),
  rawPayloads: z.array(RawPayloadSchema).describe("the providers' payloads behind the timeline items"),
  conversations: z.array(StoredRecordSchema),
  suggestions: z.array(SuggestionSchema),
  contactStates: z
    .array(StoredRecordSchema)
    .describe(
      "each identity's contact states (`kind`, `value`; `number`: the number of ours an SMS STOP or START was texted to, `whatsapp` for a WhatsApp one; `blocked`, `reason`, `at`): SMS opt-outs and email suppressions, up to 20 an identity",
    ),
  webchatSessions: z
    .array(StoredRecordSchema)
    .describe(
      'the web-chat sessions of each identity (`identity`), with the name and email typed or verified and when it began and expires; up to 50 an identity',
    ),
  auditRecords: z
    .array(AuditRecordSchema)
    .describe('the audit records naming any customer of the group, newest first, up to 200 a customer'),
  webhookRecipients: z
    .array(
      z.object({
        subscriptionId: z.string(),
        urlHost: z
          .string()
          .nullable()
          .describe("the host of the subscription's URL; null once it is deleted"),
        description: z.string().optional(),
        deleted: z.literal(true).optional(),
      }),
    )
    .describe(
      'the webhook subscriptions sent (or due to be sent) an event about them whose payload held their words, their address or a message id (every `message.*`, `voicemail.received`, `contact.*`, a `csat.received` with a comment), in the delivery log’s 30 days; up to 50 a customer',
    ),
  truncated: z
    .object({
      contactStates: z.boolean(),
      webchatSessions: z.boolean(),
      auditRecords: z.boolean(),
      webhookRecipients: z.boolean(),
    })
    .describe('which lists reached their limit with more held (those not listed are never cut)'),
});
export type CustomerExport = z.infer<typeof CustomerExportSchema>;

/** What an erasure removed, kept on the tombstone for audit (counts only, no personal data). */
export const ErasureReportSchema = z.object({
  customerId: z.string(),
  customerIds: z
    .array(z.string())
    .describe(
      'every customer erased: the one asked for first, then everyone merged with them (erasing any customer of a merged group erases the whole merged person)',
    ),
  erasedAt: z.string(),
  erasedBy: z.string(),
  customers: z.number().int(),
  identities: z.number().int(),
  timelineItems: z.number().int(),
  conversations: z.number().int(),
  liveEvents: z
    .number()
    .int()
    .describe("events taken out of the live event log (kept 26 hours for the console's feed and catch-ups)"),
  complete: z
    .boolean()
    .describe(
      'false when the erasure stopped after its share of deletes (a heavy customer): DELETE again to carry on (202 until the last call, which answers 200)',
    ),
});
export type ErasureReport = z.infer<typeof ErasureReportSchema>;

/** An export written aside for the caller to fetch, because it is too large for one response. */
export const StoredExportSchema = z.object({
  status: z.literal('ready'),
  /** Where to GET it: a presigned S3 URL on AWS, the admin-only `/api/exports/{id}` locally. */
  url: z.string(),
  /** When the URL stops working (the object itself is kept a few days, then expires). */
  expiresAt: z.string(),
  bytes: z.number().int(),
});
export type StoredExport = z.infer<typeof StoredExportSchema>;

/** Where exports too large for one response go (an S3 bucket on AWS, files locally). */
export interface ExportStore {
  /**
   * Writes the export; answers the URL it can be fetched from until `expiresAt`. `alsoOf` names the
   * other customers of the merged group it holds: the erasure of any of them deletes it too, even
   * after an unmerge has parted them from the customer its id names.
   */
  save(
    exportId: string,
    body: string,
    expiresAt: string,
    alsoOf?: readonly string[],
  ): Promise<{ url: string }>;
  /** The export while it has not expired, for a store the agent API serves itself (local). */
  read?(exportId: string, now: string): Promise<string | undefined>;
  /**
   * Deletes every export of the customer written aside, expired or not (an erasure), those of a
   * merged group they were in included; answers how
   * many it deleted. Deleting what is already gone is no error, so a retried erasure calls it again.
   */
  removeAllOf(customerId: string): Promise<number>;
}

/** The random part of an export's id: 16 hex digits. */
const EXPORT_RANDOM = /^[0-9a-f]{16}$/;

/**
 * A new export's id, `ex_<16 hex digits>_<customer id>`: it names the customer exported, so a
 * download can be refused once they are erased and an erasure finds the exports to delete.
 */
export function newExportId(customerId: string, random: string): string {
  return `ex_${random}_${customerId}`;
}

/** The customer an export's id names; undefined for an id of another shape (an older export). */
export function customerOfExport(exportId: string): string | undefined {
  const random = exportId.slice(3, 19);
  if (!exportId.startsWith('ex_') || exportId[19] !== '_' || !EXPORT_RANDOM.test(random)) return undefined;
  return exportId.slice(20) || undefined;
}
