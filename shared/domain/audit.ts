import * as z from 'zod';
import type { Page } from './paging.js';

/** The calls on customers' data that only admins may make, each one audited. */
export const AuditActionSchema = z.enum([
  'export',
  'export_download',
  'erase',
  'merge',
  'unmerge',
  'webhook_create',
  'webhook_delete',
  'webhook_rotate_secret',
  'webhook_replay',
  'webhook_enable',
]);
export type AuditAction = z.infer<typeof AuditActionSchema>;

/**
 * One audited call: who, what, on which customers, when, and how it ended. Ids and codes only: never
 * message text or contact data.
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
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

/** Where audit records are kept: written once each, listed newest first. */
export interface AuditLog {
  recordAudit(entry: Omit<AuditRecord, 'id'>): Promise<AuditRecord>;
  listAudit(page: { limit: number; cursor?: string | undefined }): Promise<Page<AuditRecord>>;
}
