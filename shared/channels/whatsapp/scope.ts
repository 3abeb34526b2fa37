import type { Identity } from '#shared/domain/envelope.js';
import { type BodyContext, optional } from '../normalised.js';
import { whatsAppErrorHint } from './error-codes.js';
import type { WhatsAppContact, WhatsAppError } from './schema.js';

/** What every item of one change shares. */
export interface Scope {
  ctx: BodyContext;
  account: string | undefined;
  contacts: WhatsAppContact[];
  /** How many messages the change holds: a lone contact belongs to a lone message. */
  messageCount: number;
}

/**
 * `phoneIdentity`'s options for WhatsApp numbers (`from`, `wa_id`, `recipient_id`), which carry the
 * country code with or without a `+`. One object for every call: building it per call would cost the
 * delivery path an allocation.
 */
export const INTERNATIONAL = { international: true } as const;

/** A business-scoped user id (BSUID) as the `whatsapp` identity. */
export function bsuidIdentity(raw: string | undefined): Identity | undefined {
  const value = raw?.trim();
  return value ? { kind: 'whatsapp', value } : undefined;
}

/** The fields every envelope of the change carries: provider, channel, account, times, raw reference. */
export function base(scope: Scope, pointer: string, raw: unknown, timestamp: string | undefined) {
  return {
    provider: 'whatsapp' as const,
    channel: 'whatsapp' as const,
    ...optional('account', scope.account),
    // Test payloads sometimes omit the timestamp; Meta always sends it.
    occurredAt: timestamp ? new Date(Number(timestamp) * 1000).toISOString() : scope.ctx.receivedAt,
    receivedAt: scope.ctx.receivedAt,
    ...optional('providerTime', timestamp ? true : undefined),
    rawRef: `whatsapp:${scope.ctx.bodySha256}#${pointer}`,
    raw,
  };
}

/** The id of an item Meta gave none: the body's hash and the item's JSON pointer. */
export function derivedId(ctx: BodyContext, pointer: string): string {
  return `${ctx.bodySha256}#${pointer}`;
}

/** A WhatsApp error as the envelope's provider error: the most specific text Meta gave. */
export function providerError(error: WhatsAppError) {
  return {
    code: String(error.code),
    ...optional('title', error.title),
    ...optional('message', error.error_data?.details ?? error.details ?? error.message),
    ...optional('hint', whatsAppErrorHint(error.code)),
  };
}
