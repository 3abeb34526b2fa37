import {
  type Envelope,
  EnvelopeSchema,
  type MessageEnvelope,
  type StatusEnvelope,
} from '#shared/domain/envelope.js';

const base = {
  provider: 'whatsapp' as const,
  channel: 'whatsapp' as const,
  receivedAt: '2025-06-08T21:00:00.000Z',
  rawRef: 'whatsapp:test#/entry/0/changes/0/value/messages/0',
};

/** An inbound WhatsApp text from +16505551234, valid against EnvelopeSchema. */
export function inboundText(overrides: Partial<MessageEnvelope> = {}): MessageEnvelope {
  const providerMessageId = overrides.providerMessageId ?? 'wamid.IN1';
  return EnvelopeSchema.parse({
    ...base,
    id: `whatsapp:msg:${providerMessageId}`,
    kind: 'message',
    direction: 'inbound',
    providerMessageId,
    occurredAt: '2025-06-08T20:59:43.000Z',
    customer: { kind: 'phone', value: '+16505551234' },
    profileName: 'Sheena Nelson',
    contentType: 'text',
    text: 'Hello, my order has not arrived',
    ...overrides,
  }) as MessageEnvelope;
}

/** A status of an outbound message. */
export function status(
  providerMessageId: string,
  value: StatusEnvelope['status'],
  occurredAt: string,
): StatusEnvelope {
  return EnvelopeSchema.parse({
    ...base,
    id: `whatsapp:status:${providerMessageId}:${value}`,
    kind: 'status',
    providerMessageId,
    status: value,
    occurredAt,
    customer: { kind: 'phone', value: '+16505551234' },
  }) as StatusEnvelope;
}

/** Any envelope from a plain object, validated. */
export function envelope(value: unknown): Envelope {
  return EnvelopeSchema.parse(value);
}

/**
 * An inbound SMS text (Twilio) from `value`, with the provider's message id `id`, received `at` (now by
 * default), signed `profileName` when given.
 */
export function smsText(
  value: string,
  id: string,
  text: string,
  { at = new Date().toISOString(), profileName }: { at?: string; profileName?: string } = {},
): Envelope {
  return envelope({
    receivedAt: at,
    rawRef: 'test#/',
    customer: { kind: 'phone', value },
    ...(profileName ? { profileName } : {}),
    id: `twilio:msg:${id}`,
    provider: 'twilio',
    channel: 'sms',
    kind: 'message',
    direction: 'inbound',
    providerMessageId: id,
    occurredAt: at,
    contentType: 'text',
    text,
  });
}
