import * as z from 'zod';
import { AgentPresenceSchema } from './assignment.js';
import type { Page } from './paging.js';

/**
 * The calls on customers' data that only admins may make, each one audited; and the bulk reads any
 * agent may make that are audited too (`events_replay`; a page of more than 50 of `customers_list`,
 * `customers_search`, `conversations_list`, `csat_list`) and an admin's read of the
 * log itself (`audit_read`).
 */
export const AuditActionSchema = z.enum([
  'export',
  'export_download',
  'erase',
  'merge',
  'unmerge',
  'webhook_create',
  'webhook_delete',
  'webhook_update',
  'webhook_rotate_secret',
  'webhook_replay',
  'webhook_replay_failed',
  'webhook_replay_delivered',
  'webhook_enable',
  'webhook_disable',
  'rename',
  'agent_remove',
  'agent_restore',
  'agent_update',
  'events_replay',
  'audit_read',
  'customers_list',
  'customers_search',
  'conversations_list',
  'csat_list',
  'customers_import',
]);
export type AuditAction = z.infer<typeof AuditActionSchema>;

/** The fields an audited change records, as they were or became (only those of its kind). */
const AuditChangeSideSchema = z.object({
  events: z.array(z.string()).optional(),
  description: z.string().nullable().optional(),
  presence: AgentPresenceSchema.optional(),
  queues: z.array(z.string()).optional(),
  languages: z.array(z.string()).optional(),
  capacity: z.number().optional(),
});

/**
 * One audited call: who, what, on which customers (or which webhook), when, and how it ended. Ids and
 * codes only: never message text or contact data; of a webhook's URL, its origin only.
 */
export const AuditRecordSchema = z.object({
  id: z.string(),
  at: z.string().meta({ description: 'when the call ended (ISO 8601 UTC)' }),
  agentId: z.string(),
  action: AuditActionSchema,
  customerIds: z.array(z.string()).meta({
    description:
      'the customer asked for; for a merge or unmerge the target, then the source; for an erasure every customer erased, the one asked for first',
  }),
  outcome: z
    .string()
    .meta({ description: '`ok`, or the error code the call answered (`not_found`, `gone`...)' }),
  webhookId: z.string().optional().meta({
    description:
      "on a webhook_* call, the subscription it was about (the path's; for webhook_create the one made, or the active one posting some of the same events to the URL it was refused for)",
  }),
  webhookOrigin: z.string().optional().meta({
    description:
      "on webhook_create and webhook_delete, where the subscription sends (or would have sent) events: its URL's scheme, host and port, never its path or query",
  }),
  deliveryId: z.string().optional().meta({ description: 'on webhook_replay, the delivery sent again' }),
  change: z.object({ before: AuditChangeSideSchema, after: AuditChangeSideSchema }).optional().meta({
    description:
      "on webhook_update, the subscription's events and description before and after (never its secret); on agent_update, the agent's presence, queues, languages and capacity before (none: a first registration) and after",
  }),
  subjectAgentId: z.string().optional().meta({
    description:
      'on agent_remove and agent_restore, the agent removed or restored (or whose removal or restore was refused)',
  }),
  query: z.record(z.string(), z.string()).optional().meta({
    description:
      "on events_replay, audit_read, customers_list, customers_search, conversations_list and csat_list, the query the read was made with: its `since` (with `sinceAt`, that time in ISO 8601), its `limit`, its filters (`cursor` as `yes` when one was given; a search's `q` as `yes`, never its text)",
  }),
  count: z.number().int().optional().meta({
    description:
      'on events_replay, audit_read, customers_list, customers_search, conversations_list and csat_list, how many events, records, customers, conversations or answers it answered; on customers_import, how many records it was given',
  }),
  outcomes: z.record(z.string(), z.number().int()).optional().meta({
    description:
      'on customers_import, how many records ended each way (`created`, `existing`, `matched`, `conflict`, `invalid`); never their ids, names or addresses',
  }),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

/** What a change left of what it changed: before or after. */
export type AuditChangeSide = z.infer<typeof AuditChangeSideSchema>;

/** What a call names besides its customers: the webhook it was about, where it sends, a delivery. */
export type AuditTarget = Partial<
  Pick<
    AuditRecord,
    | 'webhookId'
    | 'webhookOrigin'
    | 'deliveryId'
    | 'subjectAgentId'
    | 'change'
    | 'query'
    | 'count'
    | 'outcomes'
  >
>;

/**
 * The origin (scheme, host, port) of a webhook's URL, for its audit record: where events go, without a
 * path or query that may carry the receiver's own token. Undefined for a URL that has none.
 */
export function webhookOriginOf(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const { origin } = new URL(url);
  return origin === 'null' ? undefined : origin;
}

/**
 * What a page of the audit log may be narrowed to, every criterion given holding: a customer the record
 * names, the agent who made the call, the action, and a time window (`since` included, `until` not;
 * ISO 8601 UTC as `toISOString` writes it, the form of a record's `at`).
 */
export type AuditFilter = {
  customerId?: string | undefined;
  agentId?: string | undefined;
  /** The agent a record acted on (its `subjectAgentId`: removed or restored). */
  subjectAgentId?: string | undefined;
  action?: AuditAction | undefined;
  since?: string | undefined;
  until?: string | undefined;
};

/** A page of the audit log asked for: its size, the cursor of the last page, and the filter. */
export type AuditQuery = AuditFilter & { limit: number; cursor?: string | undefined };

/** Whether a record is one a filter asks for: what a filtered page of the log lists of the records its index entries name. */
export function auditMatches(record: AuditRecord, filter: AuditFilter): boolean {
  return (
    (filter.customerId === undefined || record.customerIds.includes(filter.customerId)) &&
    (filter.agentId === undefined || record.agentId === filter.agentId) &&
    (filter.subjectAgentId === undefined || record.subjectAgentId === filter.subjectAgentId) &&
    (filter.action === undefined || record.action === filter.action) &&
    (filter.since === undefined || record.at >= filter.since) &&
    (filter.until === undefined || record.at < filter.until)
  );
}

/** Where audit records are kept: written once each, listed newest first, filtered or not. */
export interface AuditLog {
  recordAudit(entry: Omit<AuditRecord, 'id'>): Promise<AuditRecord>;
  listAudit(query: AuditQuery): Promise<Page<AuditRecord>>;
}
