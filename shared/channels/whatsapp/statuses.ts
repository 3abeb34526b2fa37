import type { EnvelopeInput } from '#shared/domain/envelope.js';
import { decodeReplyKey } from '#shared/domain/reply-key.js';
import { optional, phoneIdentity } from '../normalised.js';
import type { WhatsAppError, WhatsAppStatus } from './schema.js';
import { base, bsuidIdentity, derivedId, INTERNATIONAL, providerError, type Scope } from './scope.js';

/** The delivery status of one of our messages (sent, delivered, read, failed). */
export function statusEnvelope(
  status: WhatsAppStatus,
  raw: unknown,
  scope: Scope,
  pointer: string,
): EnvelopeInput {
  // A group status names the group, not a person: no customer.
  const customer =
    status.recipient_type === 'group'
      ? undefined
      : (phoneIdentity(status.recipient_id, INTERNATIONAL) ?? bsuidIdentity(status.recipient_user_id));
  return {
    id: `whatsapp:status:${status.id}:${status.status}`,
    ...base(scope, pointer, raw, status.timestamp),
    kind: 'status',
    providerMessageId: status.id,
    status: status.status,
    ...optional('customer', customer),
    ...(status.errors?.length ? { errors: status.errors.map(providerError) } : {}),
    // Ours only: another app on the same business account may send its own opaque data.
    ...(decodeReplyKey(status.biz_opaque_callback_data) ? { replyKey: status.biz_opaque_callback_data } : {}),
  };
}

/** An error Meta reports for the change as a whole (not for one message): a `provider_error` system envelope. */
export function errorEnvelope(
  error: WhatsAppError,
  raw: unknown,
  scope: Scope,
  pointer: string,
  id: string,
): EnvelopeInput {
  return {
    id,
    ...base(scope, pointer, raw, undefined),
    kind: 'system',
    event: 'provider_error',
    providerMessageId: derivedId(scope.ctx, pointer),
    ...optional('text', error.title ?? error.message),
    errors: [providerError(error)],
  };
}
