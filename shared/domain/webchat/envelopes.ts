import { createHash } from 'node:crypto';
import type { Identity, MessageEnvelope, StatusEnvelope } from '../envelope.js';
import { normaliseEmail } from '../identity.js';
import type { WebchatSession } from './session.js';

/** The customer identity a session's messages come from, and the identities they bring along. */
export function sessionIdentities(session: WebchatSession): { customer: Identity; alsoKnownAs: Identity[] } {
  // A verified email is the customer: their email, SMS or WhatsApp history is theirs in the chat too.
  if (session.verifiedEmail) {
    return { customer: { kind: 'email', value: session.verifiedEmail }, alsoKnownAs: [session.visitor] };
  }
  return { customer: session.visitor, alsoKnownAs: [] };
}

/**
 * The prefix of every provider message id a web-chat visitor's messages get (a hash of their
 * `webchat_user` or `webchat_visitor` identity): a verified visitor's message comes from their email,
 * and this still names the web-chat identity that wrote it.
 */
export function visitorKey(visitor: Identity): string {
  return createHash('sha256').update(`${visitor.kind}#${visitor.value}`).digest('base64url').slice(0, 16);
}

/** The provider message id of a visitor's message: their session's visitor and their client id. */
function visitorMessageId(session: WebchatSession, clientMessageId: string): string {
  return `${visitorKey(session.visitor)}.${clientMessageId}`;
}

/**
 * A visitor's message as the pipeline's envelope, keyed on the visitor and their `clientMessageId`:
 * a retried send makes the same envelope, which the resolver writes once. An email an anonymous visitor
 * typed rides along as `typedEmail`, evidence the resolver turns into a suggestion and never a merge;
 * `page` (already checked against the allowed origins) is where they wrote from, `lang` its language.
 */
export function visitorMessageEnvelope(
  session: WebchatSession,
  message: { text: string; clientMessageId: string; page?: string | undefined; lang?: string | undefined },
  now: Date,
): MessageEnvelope {
  const data = {
    ...(session.typedEmail ? { typedEmail: session.typedEmail } : {}),
    ...(message.page ? { page: message.page } : {}),
    ...(message.lang ? { lang: message.lang } : {}),
  };
  const providerMessageId = visitorMessageId(session, message.clientMessageId);
  const at = now.toISOString();
  return {
    id: `webchat:${providerMessageId}`,
    provider: 'webchat',
    channel: 'webchat',
    occurredAt: at,
    receivedAt: at,
    rawRef: `webchat:${providerMessageId}#`,
    kind: 'message',
    direction: 'inbound',
    providerMessageId,
    ...sessionIdentities(session),
    ...(session.name ? { profileName: session.name } : {}),
    contentType: 'text',
    text: message.text,
    attachments: [],
    ...(Object.keys(data).length ? { data } : {}),
  };
}

/** A reply's delivery status in the web chat: stored for the visitor (`delivered`), shown to them (`read`). */
export function webchatStatusEnvelope(
  replyId: string,
  status: 'delivered' | 'read',
  now: Date,
  replyKey?: string,
): StatusEnvelope {
  const at = now.toISOString();
  return {
    id: `webchat:${status}:${replyId}`,
    provider: 'webchat',
    channel: 'webchat',
    occurredAt: at,
    receivedAt: at,
    rawRef: `webchat:${replyId}#${status}`,
    kind: 'status',
    providerMessageId: replyId,
    status,
    ...(replyKey ? { replyKey } : {}),
  };
}

/** The identities a web-chat visitor typed (a pre-chat email), as evidence: never claimed, never merged. */
export function typedIdentities(envelope: {
  kind: string;
  data?: Record<string, unknown> | undefined;
}): Identity[] {
  const typed = envelope.kind === 'message' ? envelope.data?.typedEmail : undefined;
  if (typeof typed !== 'string') return [];
  const value = normaliseEmail(typed);
  return value ? [{ kind: 'email', value }] : [];
}
