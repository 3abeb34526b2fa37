import type * as z from 'zod/mini';
import { providerPhone } from '#shared/domain/addresses.js';
import {
  type Channel,
  type Envelope,
  type EnvelopeInput,
  EnvelopeParser,
  type Identity,
} from '#shared/domain/envelope.js';
import { ValidationError } from '#shared/errors.js';
import type { Parser } from '#shared/validation/hot.js';
import { type BodyContext, optional, PHONE_LIKE, phoneIdentity } from '../normalised.js';

/** The fields every Twilio envelope carries: provider, channel, account, times, raw reference. */
export function base(ctx: BodyContext, channel: Channel, params: Record<string, string>, account?: string) {
  return {
    provider: 'twilio' as const,
    channel,
    ...optional('account', account),
    // Twilio sends no event time: when our webhook received the request is the nearest there is.
    occurredAt: ctx.receivedAt,
    receivedAt: ctx.receivedAt,
    rawRef: `twilio:${ctx.bodySha256}#`,
    raw: params,
  };
}

const WHATSAPP_PREFIX = /^whatsapp:/i;
// A business-scoped WhatsApp user id: `IN.2081978709342942`, `IN.ENT.9081726354`.
const BSUID = /^[A-Z]{2}(\.[A-Za-z0-9]+)+$/;

/** True for a `whatsapp:` address. */
export function isWhatsAppAddress(address: string | undefined): boolean {
  return address !== undefined && WHATSAPP_PREFIX.test(address.trim());
}

/** The channel a message came on, by its `From` address. */
export function channelOf(from: string): 'sms' | 'whatsapp' {
  return isWhatsAppAddress(from) ? 'whatsapp' : 'sms';
}

/** The identity behind a Twilio address: `+E164`, `whatsapp:+E164` or `whatsapp:<BSUID>`. */
export function addressIdentity(address: string | undefined): Identity | undefined {
  const trimmed = address?.trim();
  if (!trimmed) return undefined;
  const bare = trimmed.replace(WHATSAPP_PREFIX, '');
  if (bare !== trimmed && BSUID.test(bare)) return { kind: 'whatsapp', value: bare };
  return phoneIdentity(bare);
}

/** A WhatsApp business-scoped user id as the `whatsapp` identity, if the value is one. */
export function bsuidIdentity(raw: string | undefined): Identity | undefined {
  const value = raw?.trim();
  return value && BSUID.test(value) ? { kind: 'whatsapp', value } : undefined;
}

/** Our number: E.164 when it is one, else as given (a short code); the channel prefix is dropped. */
export function accountOf(address: string | undefined): string | undefined {
  const bare = address?.trim().replace(WHATSAPP_PREFIX, '');
  if (!bare) return undefined;
  return (PHONE_LIKE.test(bare) ? providerPhone(bare) : undefined) ?? bare.slice(0, 320);
}

/** Parses at the boundary; the error names fields and rules, never values (they are personal data). */
export function parseParams<S extends z.ZodMiniType>(
  schema: Parser<S>,
  input: unknown,
  what: string,
): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const reason = result.error.issues
    .map((issue) => `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`)
    .join('; ');
  throw new ValidationError(`invalid Twilio ${what}: ${reason}`, { cause: result.error });
}

/** The envelope, validated; one that fails is a ValidationError naming paths and rules. */
export function validated(envelope: EnvelopeInput): Envelope {
  const result = EnvelopeParser.safeParse(envelope);
  if (result.success) return result.data;
  const reason = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  throw new ValidationError(`Twilio parameters make no valid envelope: ${reason}`, { cause: result.error });
}

/** The value trimmed, or undefined when it is blank. */
export function nonBlank(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
