import { createHash } from 'node:crypto';
import type { Channel, Envelope, Identity, MessageEnvelope, StatusEnvelope } from './envelope.js';
import type { Clock, IdGenerator } from './ports.js';
import type { TimelineItem } from './timeline.js';

/** What the resolver needs from storage. Every method is idempotent. */
export interface ResolverStore {
  /** The customer an identity belongs to, read strongly consistent. */
  findCustomerId(identity: Identity): Promise<string | undefined>;
  /** Claims an identity for a customer; false when somebody holds it already. */
  claimIdentity(identity: Identity, customerId: string, now: string): Promise<boolean>;
  /** Upserts the profile; answers the customer's open conversation. */
  touchProfile(touch: {
    customerId: string;
    identities: readonly Identity[];
    channel: TimelineItem['channel'] & string;
    at: string;
    now: string;
    name?: string | undefined;
    candidateConversationId: string;
    inbound: boolean;
  }): Promise<{ openConversationId: string }>;
  /** Writes a timeline item unless it is there already; answers whether it wrote. */
  putTimelineItem(item: TimelineItem, raw: unknown): Promise<boolean>;
  /** Upserts a conversation for an event at a time. */
  touchConversation(touch: {
    conversationId: string;
    customerId: string;
    channel: TimelineItem['channel'] & string;
    at: string;
    now: string;
    inbound: boolean;
  }): Promise<void>;
  /** Records a delivery status forward-only, on the message and on its timeline item if known. */
  advanceStatus(envelope: StatusEnvelope): Promise<void>;
  /** Links an outbound message to its timeline item and applies any status that came before it. */
  linkOutbound(item: TimelineItem): Promise<void>;
  /** Keeps a provider event that concerns no customer (account-level errors). */
  putProviderEvent(envelope: Envelope): Promise<void>;
  /** The conversation a thread id (an email Message-ID) belongs to, trying the ids in order. */
  findThread(channel: Channel, threadIds: readonly string[]): Promise<ThreadLink | undefined>;
  /** Records which conversation a thread id belongs to (first link wins). */
  linkThread(channel: Channel, threadId: string, link: ThreadLink): Promise<void>;
}

/** Where a thread id leads. */
export interface ThreadLink {
  customerId: string;
  conversationId: string;
}

/** Resolver dependencies. */
export interface ResolverDeps {
  store: ResolverStore;
  clock: Clock;
  ids: IdGenerator;
  log?: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;
}

/** The outcome of applying one envelope, for logs and tests. */
export interface ResolveResult {
  customerId?: string;
  conversationId?: string;
  written: boolean;
}

/** Deterministic id of the conversation an envelope would open, so a retry opens the same one. */
export function candidateConversationId(customerId: string, envelopeId: string): string {
  return `cv_${createHash('sha256').update(`${customerId}\n${envelopeId}`).digest('base64url').slice(0, 22)}`;
}

/** The timeline id of a message: the channel and the provider's own id. */
export function messageItemId(envelope: { channel: string; providerMessageId: string }): string {
  return `${envelope.channel}:${envelope.providerMessageId}`;
}

const MAX_THREAD_LOOKUPS = 5;

/**
 * The ids an email names as its parents, nearest first: In-Reply-To, then References from the end.
 * Only emails thread this way; other channels' replies name a message, not a conversation.
 */
export function threadParents(envelope: Envelope): string[] {
  if (envelope.kind !== 'message' || envelope.channel !== 'email') return [];
  const data = envelope.data ?? {};
  const strings = (value: unknown): string[] =>
    (Array.isArray(value) ? value : [value]).filter(
      (v): v is string => typeof v === 'string' && v.length > 0,
    );
  const parents = [...strings(data.inReplyTo), ...strings(data.references).reverse()];
  return [...new Set(parents)].slice(0, MAX_THREAD_LOOKUPS);
}

/** The thread id an email introduces (its own Message-ID header), if any. */
export function threadId(envelope: Envelope): string | undefined {
  if (envelope.kind !== 'message' || envelope.channel !== 'email') return undefined;
  const id = envelope.data?.messageId;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/**
 * Finds the customer behind an identity, creating one on first contact. Concurrent first messages
 * race on a conditional put of the identity; the loser adopts the winner's customer.
 */
export async function resolveCustomer(deps: ResolverDeps, identity: Identity): Promise<string> {
  const known = await deps.store.findCustomerId(identity);
  if (known) return known;
  const fresh = deps.ids.customerId();
  if (await deps.store.claimIdentity(identity, fresh, deps.clock.now().toISOString())) return fresh;
  const winner = await deps.store.findCustomerId(identity);
  if (!winner) throw new Error('identity claim lost but no holder found');
  return winner;
}

function toTimelineItem(envelope: Envelope, customerId: string, conversationId: string): TimelineItem {
  const base = { customerId, conversationId, channel: envelope.channel, at: envelope.occurredAt };
  switch (envelope.kind) {
    case 'message':
      return {
        ...base,
        id: messageItemId(envelope),
        type: 'message',
        direction: envelope.direction,
        providerMessageId: envelope.providerMessageId,
        from: envelope.customer,
        contentType: envelope.contentType,
        ...(envelope.text !== undefined ? { text: envelope.text } : {}),
        ...(envelope.attachments.length ? { attachments: envelope.attachments } : {}),
        ...(envelope.replyTo ? { replyTo: envelope.replyTo } : {}),
        ...(envelope.data ? { data: envelope.data } : {}),
        ...(envelope.errors ? { errors: envelope.errors } : {}),
        ...(envelope.direction === 'outbound'
          ? { status: 'sent' as const, statusAt: envelope.occurredAt }
          : {}),
      };
    case 'reaction':
      return {
        ...base,
        id: envelope.id,
        type: 'event',
        event: envelope.emoji ? 'reaction' : 'reaction_removed',
        providerMessageId: envelope.providerMessageId,
        targetMessageId: envelope.targetMessageId,
        from: envelope.customer,
        ...(envelope.emoji ? { emoji: envelope.emoji } : {}),
      };
    case 'edit':
    case 'delete':
      return {
        ...base,
        id: envelope.id,
        type: 'event',
        event: envelope.kind,
        providerMessageId: envelope.providerMessageId,
        targetMessageId: envelope.targetMessageId,
        from: envelope.customer,
        ...(envelope.text !== undefined ? { text: envelope.text } : {}),
      };
    case 'call':
      return {
        ...base,
        id: envelope.id,
        type: 'event',
        event: `call_${envelope.event}`,
        direction: envelope.direction,
        providerMessageId: envelope.callId,
        from: envelope.customer,
        ...(envelope.transcript !== undefined ? { text: envelope.transcript } : {}),
        data: {
          ...(envelope.durationSeconds !== undefined ? { durationSeconds: envelope.durationSeconds } : {}),
          ...(envelope.recordingUrl ? { recordingUrl: envelope.recordingUrl } : {}),
        },
      };
    case 'system':
      return {
        ...base,
        id: envelope.id,
        type: 'event',
        event: envelope.event,
        providerMessageId: envelope.providerMessageId,
        ...(envelope.customer ? { from: envelope.customer } : {}),
        ...(envelope.text !== undefined ? { text: envelope.text } : {}),
        ...(envelope.newIdentity ? { data: { newIdentity: envelope.newIdentity } } : {}),
        ...(envelope.errors ? { errors: envelope.errors } : {}),
      };
    case 'status':
      throw new Error('statuses are not timeline items');
  }
}

function isCustomerSpeaking(envelope: Envelope): boolean {
  if (envelope.kind === 'message' || envelope.kind === 'call') return envelope.direction === 'inbound';
  return envelope.kind === 'reaction' || envelope.kind === 'edit' || envelope.kind === 'delete';
}

/**
 * Applies one envelope to the store. Safe to repeat after a crash at any point: every step is an
 * idempotent upsert or a write-once put keyed on the provider's ids, in an order that a retry completes.
 */
export async function applyEnvelope(deps: ResolverDeps, envelope: Envelope): Promise<ResolveResult> {
  if (envelope.kind === 'status') {
    await deps.store.advanceStatus(envelope);
    return { written: true };
  }
  if (!envelope.customer) {
    await deps.store.putProviderEvent(envelope);
    deps.log?.('warn', 'provider event without a customer', {
      channel: envelope.channel,
      kind: envelope.kind,
      envelopeId: envelope.id,
    });
    return { written: true };
  }

  const customerId = await resolveCustomer(deps, envelope.customer);
  const also = envelope.kind === 'message' ? envelope.alsoKnownAs : [];
  const identities = [envelope.customer];
  for (const identity of also) {
    // Another identity in the same payload joins this customer only if nobody holds it yet;
    // one held by someone else is left alone (merging is an agent's decision).
    const holder = await deps.store.findCustomerId(identity);
    if (holder === customerId) identities.push(identity);
    else if (
      !holder &&
      (await deps.store.claimIdentity(identity, customerId, deps.clock.now().toISOString()))
    )
      identities.push(identity);
  }
  const now = deps.clock.now().toISOString();
  const inbound = isCustomerSpeaking(envelope);
  const profileName = envelope.kind === 'message' ? (envelope as MessageEnvelope).profileName : undefined;
  const { openConversationId } = await deps.store.touchProfile({
    customerId,
    identities,
    channel: envelope.channel,
    at: envelope.occurredAt,
    now,
    name: profileName,
    candidateConversationId: candidateConversationId(customerId, envelope.id),
    inbound,
  });

  // An email replying to a thread of this customer's joins that thread's conversation.
  const parents = threadParents(envelope);
  const thread = parents.length ? await deps.store.findThread(envelope.channel, parents) : undefined;
  const conversationId = thread?.customerId === customerId ? thread.conversationId : openConversationId;

  const item = toTimelineItem(envelope, customerId, conversationId);
  const written = await deps.store.putTimelineItem(item, envelope.raw);
  if (envelope.kind === 'message' && envelope.direction === 'outbound') await deps.store.linkOutbound(item);
  const ownThreadId = threadId(envelope);
  if (ownThreadId) await deps.store.linkThread(envelope.channel, ownThreadId, { customerId, conversationId });
  await deps.store.touchConversation({
    conversationId,
    customerId,
    channel: envelope.channel,
    at: envelope.occurredAt,
    now,
    inbound,
  });

  if (envelope.kind === 'system' && envelope.newIdentity) {
    const claimed = await deps.store.claimIdentity(envelope.newIdentity, customerId, now);
    if (claimed) {
      await deps.store.touchProfile({
        customerId,
        identities: [envelope.newIdentity],
        channel: envelope.channel,
        at: envelope.occurredAt,
        now,
        candidateConversationId: conversationId,
        inbound: false,
      });
    }
  }
  deps.log?.('info', written ? 'timeline item written' : 'duplicate envelope, already on the timeline', {
    customerId,
    channel: envelope.channel,
    conversationId,
    providerMessageId: item.providerMessageId,
  });
  return { customerId, conversationId, written };
}
