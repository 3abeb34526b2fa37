import { createHash } from 'node:crypto';
import type { Channel, Envelope, Identity, StatusEnvelope } from './envelope.js';
import { canonicalIdentity, identityToken, type PhoneOptions } from './identity.js';
import { mentionedIdentities } from './mentions.js';
import { followMerges } from './merges.js';
import type { Clock, IdGenerator } from './ports.js';
import type { TimelineItem } from './timeline.js';

/** What the resolver reads of a profile before deciding where an event goes. */
export interface ProfileState {
  customerId: string;
  name?: string | undefined;
  nameAt?: string | undefined;
  mergedInto?: string | undefined;
  openConversationId?: string | undefined;
  lastConversationId?: string | undefined;
  lastResolvedAt?: string | undefined;
}

/** How an event changes a conversation. */
export interface ConversationTouch {
  conversationId: string;
  customerId: string;
  channel: Channel;
  at: string;
  now: string;
  /** The customer spoke: the conversation waits for an answer and records the channel. */
  inbound: boolean;
  /** Reopen a resolved conversation (only by an event newer than its resolution). */
  reopen: boolean;
  previousConversationId?: string | undefined;
}

/** How an event changes the profile; written last, so a crash before it is redone in full. */
export interface ProfileTouch {
  customerId: string;
  identities: readonly Identity[];
  channel: Channel;
  at: string;
  now: string;
  conversationId: string;
  inbound: boolean;
  /** Identities this event mentioned, remembered so an erasure can find the mentions it left. */
  mentioned?: readonly Identity[];
}

/** Why two customers may be one person. */
export interface SuggestionEvidence {
  /** Deterministic id of this piece of evidence, so a redelivery adds nothing. */
  id: string;
  identity: Identity;
  reason: 'mentioned' | 'same_payload';
  at: string;
  envelopeId: string;
}

/** What the resolver needs from storage. Every method is idempotent. */
export interface ResolverStore {
  /** The customer an identity belongs to (an eventually consistent read is enough: claims are conditional). */
  findCustomerId(identity: Identity, options?: { consistent?: boolean }): Promise<string | undefined>;
  /** Claims an identity for a customer; false when somebody holds it already. */
  claimIdentity(identity: Identity, customerId: string, now: string): Promise<boolean>;
  getProfileState(customerId: string): Promise<ProfileState | undefined>;
  /** Keeps the name from the earliest event that carried one, whatever order events arrive in. */
  setName(customerId: string, name: string, at: string): Promise<void>;
  /** Writes a timeline item unless it is there already; answers whether it wrote. */
  putTimelineItem(item: TimelineItem, raw: unknown): Promise<boolean>;
  /** A timeline item by its key parts. */
  getTimelineItem(customerId: string, at: string, itemId: string): Promise<TimelineItem | undefined>;
  touchConversation(touch: ConversationTouch): Promise<void>;
  touchProfile(touch: ProfileTouch): Promise<void>;
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
  /** Records that a customer mentioned (or shares a payload with) an identity. */
  putMention(identity: Identity, customerId: string, evidence: SuggestionEvidence): Promise<void>;
  /** Every customer who mentioned an identity, with the evidence. */
  mentionsOf(identity: Identity): Promise<Array<{ customerId: string; evidence: SuggestionEvidence }>>;
  /** Raises (or adds evidence to) a merge suggestion on both profiles; a dismissed one stays dismissed. */
  putSuggestion(customerId: string, otherId: string, evidence: SuggestionEvidence): Promise<void>;
  /**
   * Records a contact preference of an address: an SMS opt-out (STOP) or opt-in (START), or an email
   * suppression after a permanent bounce or a complaint. The latest event wins, whatever the order.
   */
  setContactState(identity: Identity, state: ContactState): Promise<void>;
}

/** Whether we may send to an address, and why not. */
export interface ContactState {
  blocked: boolean;
  reason: string;
  at: string;
  envelopeId: string;
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
  /** How long after its resolution a customer's new message reopens a conversation (default 72 h). */
  reopenWindowMs?: number;
  phone?: PhoneOptions;
  log?: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;
}

/** The outcome of applying one envelope, for logs and tests. */
export interface ResolveResult {
  customerId?: string;
  conversationId?: string;
  written: boolean;
}

/**
 * The id of the conversation a customer opens after `previous` (none: their first). Deterministic, so
 * concurrent first messages and retries all land in the same conversation.
 */
export function nextConversationId(customerId: string, previous: string | undefined): string {
  const seed = `${customerId}\n${previous ?? 'first'}`;
  return `cv_${createHash('sha256').update(seed).digest('base64url').slice(0, 22)}`;
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
export async function resolveCustomerClaim(
  deps: ResolverDeps,
  identity: Identity,
): Promise<{ customerId: string; isNew: boolean }> {
  const known = await deps.store.findCustomerId(identity);
  if (known) return { customerId: known, isNew: false };
  const fresh = deps.ids.customerId();
  if (await deps.store.claimIdentity(identity, fresh, deps.clock.now().toISOString())) {
    return { customerId: fresh, isNew: true };
  }
  const winner = await deps.store.findCustomerId(identity, { consistent: true });
  if (!winner) throw new Error('identity claim lost but no holder found');
  return { customerId: winner, isNew: false };
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

/**
 * Whether the customer is waiting for us: an inbound message or call, a reaction, an edit. Mail that
 * failed the spam, virus or DMARC checks, and auto-replies, are kept on the timeline but wait for no one.
 */
function isCustomerSpeaking(envelope: Envelope): boolean {
  if (envelope.kind === 'message') {
    if (envelope.data?.quarantined === true || envelope.data?.autoReply === true) return false;
    return envelope.direction === 'inbound';
  }
  if (envelope.kind === 'call') return envelope.direction === 'inbound';
  return envelope.kind === 'reaction' || envelope.kind === 'edit' || envelope.kind === 'delete';
}

/** An SMS opt-out or opt-in keyword, or an email suppression, that this envelope carries. */
export function contactStateOf(envelope: Envelope): ContactState | undefined {
  const common = { at: envelope.occurredAt, envelopeId: envelope.id };
  if (envelope.kind === 'system' && envelope.event === 'suppressed') {
    return { ...common, blocked: true, reason: envelope.errors?.[0]?.code ?? 'suppressed' };
  }
  if (envelope.kind === 'message' && envelope.direction === 'inbound') {
    const optOut = envelope.data?.optOut;
    if (optOut === 'stop') return { ...common, blocked: true, reason: 'opted out (STOP)' };
    if (optOut === 'start') return { ...common, blocked: false, reason: 'opted in (START)' };
  }
  return undefined;
}

const DEFAULT_REOPEN_WINDOW_MS = 72 * 60 * 60 * 1000;

/** Where an event goes: the conversation, and whether it reopens or follows another. */
interface Placement {
  conversationId: string;
  reopen: boolean;
  previousConversationId?: string | undefined;
}

function placeEvent(
  deps: ResolverDeps,
  envelope: Envelope,
  profile: ProfileState | undefined,
  customerId: string,
  thread: ThreadLink | undefined,
): Placement {
  const open = profile?.openConversationId;
  if (thread && thread.customerId === customerId) {
    return { conversationId: thread.conversationId, reopen: thread.conversationId !== open };
  }
  if (open) return { conversationId: open, reopen: false };
  const last = profile?.lastConversationId;
  const resolvedAt = profile?.lastResolvedAt;
  const window = deps.reopenWindowMs ?? DEFAULT_REOPEN_WINDOW_MS;
  if (last && resolvedAt && Date.parse(envelope.occurredAt) - Date.parse(resolvedAt) <= window) {
    return { conversationId: last, reopen: true };
  }
  return {
    conversationId: nextConversationId(customerId, last),
    reopen: false,
    previousConversationId: last,
  };
}

/** Turns the identities a payload or a text names into suggestions, never into merges. */
async function recordEvidence(
  deps: ResolverDeps,
  envelope: Envelope,
  customerId: string,
  own: readonly Identity[],
  also: readonly Identity[],
): Promise<Identity[]> {
  const ownTokens = new Set(own.map(identityToken));
  const text = envelope.kind === 'message' && envelope.direction === 'inbound' ? envelope.text : undefined;
  const evidence: Array<{ identity: Identity; reason: SuggestionEvidence['reason'] }> = [
    ...also.map((identity) => ({ identity, reason: 'same_payload' as const })),
    ...mentionedIdentities(text, deps.phone ?? {}).map((identity) => ({
      identity,
      reason: 'mentioned' as const,
    })),
  ];
  const recorded: Identity[] = [];
  for (const { identity, reason } of evidence) {
    if (ownTokens.has(identityToken(identity))) continue;
    recorded.push(identity);
    const item: SuggestionEvidence = {
      id: `${envelope.id}#${identityToken(identity)}`,
      identity,
      reason,
      at: envelope.occurredAt,
      envelopeId: envelope.id,
    };
    // The mention is kept even when nobody holds the identity yet: whoever claims it later
    // meets the suggestion then, so the outcome does not depend on arrival order.
    await deps.store.putMention(identity, customerId, item);
    const holder = await deps.store.findCustomerId(identity);
    if (holder && holder !== customerId) await deps.store.putSuggestion(customerId, holder, item);
  }
  return recorded;
}

/** A customer just claimed an identity: suggestions for everyone who mentioned it before. */
async function meetEarlierMentions(
  deps: ResolverDeps,
  identity: Identity,
  customerId: string,
): Promise<void> {
  for (const mention of await deps.store.mentionsOf(identity)) {
    if (mention.customerId !== customerId) {
      await deps.store.putSuggestion(mention.customerId, customerId, mention.evidence);
    }
  }
}

/**
 * The envelope with its phone identities in canonical E.164: webhooks keep numbers as the provider
 * sent them (no phone metadata in their bundles), so the resolver canonicalises before any lookup.
 */
export function canonicalEnvelope(envelope: Envelope, phone: PhoneOptions): Envelope {
  const canonical = (identity: Identity | undefined) => identity && canonicalIdentity(identity, phone);
  switch (envelope.kind) {
    case 'message':
      return {
        ...envelope,
        customer: canonicalIdentity(envelope.customer, phone),
        alsoKnownAs: envelope.alsoKnownAs.map((identity) => canonicalIdentity(identity, phone)),
      };
    case 'reaction':
    case 'edit':
    case 'delete':
      return { ...envelope, customer: canonicalIdentity(envelope.customer, phone) };
    case 'system': {
      const { customer, newIdentity, ...rest } = envelope;
      const c = canonical(customer);
      const n = canonical(newIdentity);
      return { ...rest, ...(c ? { customer: c } : {}), ...(n ? { newIdentity: n } : {}) };
    }
    default: {
      const { customer, ...rest } = envelope;
      const c = canonical(customer);
      return { ...rest, ...(c ? { customer: c } : {}) } as Envelope;
    }
  }
}

/**
 * Applies one envelope to the store. Safe to repeat after a crash at any point: decisions are made
 * from a profile read, every write is an idempotent upsert or a write-once put keyed on the
 * provider's ids, and the profile (which the decisions read) is written last, so a retry after any
 * crash makes the same decisions and completes the rest.
 */
export async function applyEnvelope(deps: ResolverDeps, queued: Envelope): Promise<ResolveResult> {
  const envelope = canonicalEnvelope(queued, deps.phone ?? {});
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

  const now = deps.clock.now().toISOString();
  const claimed = await resolveCustomerClaim(deps, envelope.customer);
  const { customerId, profile } = await followMerges(
    (id) => deps.store.getProfileState(id),
    claimed.customerId,
  );
  // No profile yet means this is the customer's first event (the profile is written last, so a
  // crash before it lands here again): whoever mentioned this identity earlier meets them now.
  if (claimed.isNew || !profile) await meetEarlierMentions(deps, envelope.customer, customerId);

  // Other identities in the same payload (a WhatsApp number and its BSUID) join this customer only
  // if nobody holds them; one held by someone else becomes a suggestion for an agent.
  const identities: Identity[] = [envelope.customer];
  const contested: Identity[] = [];
  for (const identity of envelope.kind === 'message' ? envelope.alsoKnownAs : []) {
    const holder = await deps.store.findCustomerId(identity);
    if (holder === customerId || (!holder && (await deps.store.claimIdentity(identity, customerId, now)))) {
      identities.push(identity);
      if (!holder) await meetEarlierMentions(deps, identity, customerId);
    } else {
      contested.push(identity);
    }
  }

  const parents = threadParents(envelope);
  const thread = parents.length ? await deps.store.findThread(envelope.channel, parents) : undefined;
  let placement = placeEvent(deps, envelope, profile, customerId, thread);
  const inbound = isCustomerSpeaking(envelope);

  let item = toTimelineItem(envelope, customerId, placement.conversationId);
  const written = await deps.store.putTimelineItem(item, envelope.raw);
  if (!written) {
    // A redelivery: keep the first delivery's placement rather than deciding again.
    const existing = await deps.store.getTimelineItem(customerId, item.at, item.id);
    if (existing?.conversationId && existing.conversationId !== placement.conversationId) {
      placement = { conversationId: existing.conversationId, reopen: false };
      item = existing;
    }
  }
  if (envelope.kind === 'message' && envelope.direction === 'outbound') await deps.store.linkOutbound(item);
  const ownThreadId = threadId(envelope);
  if (ownThreadId) {
    await deps.store.linkThread(envelope.channel, ownThreadId, {
      customerId,
      conversationId: placement.conversationId,
    });
  }
  await deps.store.touchConversation({
    ...placement,
    customerId,
    channel: envelope.channel,
    at: envelope.occurredAt,
    now,
    inbound,
  });

  if (envelope.kind === 'system' && envelope.newIdentity) {
    if (await deps.store.claimIdentity(envelope.newIdentity, customerId, now)) {
      identities.push(envelope.newIdentity);
      await meetEarlierMentions(deps, envelope.newIdentity, customerId);
    }
  }
  const mentioned = await recordEvidence(deps, envelope, customerId, identities, contested);
  const contact = contactStateOf(envelope);
  if (contact && envelope.customer) await deps.store.setContactState(envelope.customer, contact);
  await deps.store.touchProfile({
    customerId,
    identities,
    channel: envelope.channel,
    at: envelope.occurredAt,
    now,
    conversationId: placement.conversationId,
    inbound,
    mentioned,
  });
  // The name of the earliest event that carried one, so it does not depend on arrival order.
  const name = envelope.kind === 'message' ? envelope.profileName : undefined;
  if (name && (!profile?.name || (profile.nameAt !== undefined && profile.nameAt > envelope.occurredAt))) {
    await deps.store.setName(customerId, name, envelope.occurredAt);
  }
  deps.log?.('info', written ? 'timeline item written' : 'duplicate envelope, already on the timeline', {
    customerId,
    channel: envelope.channel,
    conversationId: placement.conversationId,
    providerMessageId: item.providerMessageId,
  });
  return { customerId, conversationId: placement.conversationId, written };
}
