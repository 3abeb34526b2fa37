import type { MessageDeletion } from '#shared/domain/deletion.js';
import type { Channel, Envelope, Identity, StatusEnvelope } from '#shared/domain/envelope.js';
import { identityToken } from '#shared/domain/identity.js';
import { onceReference } from '#shared/domain/resolution.js';
import type {
  ContactState,
  ConversationTouch,
  IdentityHolder,
  MailClaim,
  OncePlacement,
  PlacedItem,
  ProfileState,
  ProfileTouch,
  ResolverStore,
  SentMessage,
  SentReference,
  ThreadLink,
  TouchedConversation,
} from '#shared/domain/resolver-ports.js';
import { statusRank } from '#shared/domain/status-rank.js';
import type { SuggestionEvidence } from '#shared/domain/suggestions.js';
import type { PlacedTimelineItem, TimelineItem } from '#shared/domain/timeline.js';

interface Profile {
  id: string;
  name?: string;
  nameAt?: string;
  identities: Set<string>;
  channels: Set<string>;
  conversationIds: Set<string>;
  openConversationId?: string;
  lastEventAt?: string;
  lastInboundAt?: string;
  lastInboundChannel?: Channel;
  lastInboundByChannel?: Partial<Record<Channel, string>>;
  lastConversationId?: string;
  lastResolvedAt?: string;
  mergedInto?: string;
}

interface ConversationRow {
  customerId: string;
  status: 'open' | 'resolved';
  lastMessageAt?: string;
  waitingSince?: string;
  channels: Set<string>;
  resolvedAt?: string;
  previousConversationId?: string;
}

interface Ref {
  status?: TimelineItem['status'];
  statusAt?: string;
  item?: TimelineItem;
}

/**
 * An in-memory ResolverStore with the same conditions as the DynamoDB repositories, and a hook that
 * fails the n-th write so tests can crash the resolver part-way through.
 */
export class MemoryStore implements ResolverStore {
  readonly identities = new Map<string, string>();
  readonly profiles = new Map<string, Profile>();
  readonly timelines = new Map<string, Map<string, TimelineItem>>();
  readonly conversations = new Map<string, ConversationRow>();
  readonly refs = new Map<string, Ref>();
  readonly providerEvents = new Map<string, Envelope>();
  readonly threads = new Map<string, ThreadLink>();
  readonly mentions = new Map<string, Map<string, Set<string>>>();
  readonly suggestions = new Map<string, { status: string; evidence: Set<string> }>();
  readonly contacts = new Map<string, ContactState>();
  writes = 0;
  failOnWrite?: number;

  #write(): void {
    this.writes += 1;
    if (this.failOnWrite !== undefined && this.writes === this.failOnWrite) throw new Error('injected crash');
  }

  async findCustomerId(identity: Identity): Promise<string | undefined> {
    return this.identities.get(identityToken(identity));
  }

  /** Identities move only by merges, which this store does not make. */
  async findIdentityHolder(identity: Identity): Promise<IdentityHolder | undefined> {
    const customerId = this.identities.get(identityToken(identity));
    return customerId === undefined ? undefined : { customerId, moved: false };
  }

  async claimIdentity(identity: Identity, customerId: string): Promise<boolean> {
    this.#write();
    const token = identityToken(identity);
    if (this.identities.has(token)) return false;
    this.identities.set(token, customerId);
    return true;
  }

  /** Customers whose erasure finished (a tombstone): their identities may be taken over. */
  readonly erasedCustomers = new Set<string>();

  async takeOverErasedIdentity(identity: Identity, holder: string, customerId: string): Promise<boolean> {
    if (!this.erasedCustomers.has(holder)) return false;
    this.#write();
    const token = identityToken(identity);
    if (this.identities.get(token) !== holder) return false;
    this.identities.set(token, customerId);
    return true;
  }

  async releaseIdentity(identity: Identity, holder: string, profileIds: readonly string[]): Promise<void> {
    const token = identityToken(identity);
    for (const id of profileIds) {
      this.#write();
      this.profiles.get(id)?.identities.delete(token);
    }
    this.#write();
    if (this.identities.get(token) === holder) this.identities.delete(token);
  }

  /** A customer's place in the customer list: when their profile's first write listed them (kept). */
  readonly listed = new Map<string, string>();
  /** Every profile touch, in order. */
  readonly touches: ProfileTouch[] = [];

  async getProfileState(customerId: string): Promise<ProfileState | undefined> {
    const p = this.profiles.get(customerId);
    if (!p) return undefined;
    const { identities, channels, conversationIds: _c, ...rest } = p;
    return {
      customerId,
      ...rest,
      identities: [...identities],
      channels: [...channels],
      lastInboundByChannel: { ...p.lastInboundByChannel },
    };
  }

  async putTimelineItem(item: TimelineItem): Promise<boolean> {
    this.#write();
    const timeline = this.timelines.get(item.customerId) ?? new Map<string, TimelineItem>();
    this.timelines.set(item.customerId, timeline);
    const key = `${item.at}#${item.id}`;
    if (timeline.has(key)) return false;
    timeline.set(key, structuredClone(item));
    return true;
  }

  /** First-delivery places by provider reference (`<channel>#<id>`), as the message references hold them. */
  readonly placed = new Map<string, { customerId: string; at: string }>();

  async erasedMessage(_channel: Channel, _id: string): Promise<boolean> {
    return false;
  }

  /** Customers' deletions of their messages, as applied (the store's redaction is tested on the table). */
  readonly deletions: MessageDeletion[] = [];

  async deleteMessage(deletion: MessageDeletion): Promise<'marked'> {
    this.deletions.push(deletion);
    return 'marked';
  }

  async placeTimelineItem(
    item: TimelineItem,
    _raw?: unknown,
    once?: OncePlacement,
    _arrival?: number,
  ): Promise<PlacedItem> {
    const reference = once === 'key' ? undefined : onceReference(item);
    let place = { customerId: item.customerId, at: item.at };
    if (reference) {
      this.#write();
      const key = `${reference.channel}#${reference.id}`;
      place = this.placed.get(key) ?? place;
      this.placed.set(key, place);
    }
    const written = await this.putTimelineItem({ ...item, ...place });
    return { written, ...place };
  }

  async getTimelineItem(customerId: string, at: string, itemId: string): Promise<TimelineItem | undefined> {
    const item = this.timelines.get(customerId)?.get(`${at}#${itemId}`);
    return item ? structuredClone(item) : undefined;
  }

  async touchConversation(touch: ConversationTouch): Promise<TouchedConversation> {
    this.#write();
    const row = this.conversations.get(touch.conversationId) ?? {
      customerId: touch.customerId,
      status: 'open' as const,
      channels: new Set<string>(),
    };
    this.conversations.set(touch.conversationId, row);
    if (touch.inbound) row.channels.add(touch.channel);
    if (touch.previousConversationId) row.previousConversationId ??= touch.previousConversationId;
    // A reopen by a message timed at or before the resolve is judged by its receipt (`receivedAt`).
    const late = touch.reopen && touch.receivedAt !== undefined;
    const received = (late && touch.receivedAt) || touch.at;
    const current =
      (row.lastMessageAt === undefined ||
        row.lastMessageAt <= touch.at ||
        (late && row.status === 'resolved')) &&
      (row.resolvedAt === undefined || row.resolvedAt < received);
    if (!current) return { current: false };
    row.lastMessageAt = touch.at;
    if (touch.reopen) {
      row.status = 'open';
      // Only the customer's speaking event starts a wait.
      if (touch.inbound) row.waitingSince = touch.at;
      delete row.resolvedAt;
    } else if (touch.inbound) {
      row.waitingSince ??= touch.at;
    }
    return { current: true };
  }

  /** Answers nothing: routing over this store reads the profile (as before the write's answer). */
  async touchProfile(touch: ProfileTouch): Promise<undefined> {
    this.#write();
    const p = this.profiles.get(touch.customerId) ?? {
      id: touch.customerId,
      identities: new Set<string>(),
      channels: new Set<string>(),
      conversationIds: new Set<string>(),
    };
    this.profiles.set(touch.customerId, p);
    this.touches.push(touch);
    if (touch.firstContact && !this.listed.has(touch.customerId))
      this.listed.set(touch.customerId, touch.now);
    for (const identity of touch.identities) p.identities.add(identityToken(identity));
    p.channels.add(touch.channel);
    p.conversationIds.add(touch.conversationId);
    if (touch.name && (p.nameAt === undefined || p.nameAt > touch.name.at)) {
      p.name = touch.name.value;
      p.nameAt = touch.name.at;
    }
    p.lastInboundByChannel ??= {};
    const byChannel = p.lastInboundByChannel;
    const channelAt = byChannel[touch.channel];
    if (touch.inbound && (channelAt === undefined || channelAt < touch.at))
      byChannel[touch.channel] = touch.at;
    const current =
      !touch.stale &&
      (p.lastEventAt === undefined || p.lastEventAt <= touch.at) &&
      (p.lastResolvedAt === undefined || p.lastResolvedAt < touch.at);
    if (!current) {
      if (touch.holdOpen) p.openConversationId ??= touch.conversationId;
      return;
    }
    p.openConversationId = touch.conversationId;
    p.lastEventAt = touch.at;
    if (touch.inbound) {
      p.lastInboundAt = touch.at;
      p.lastInboundChannel = touch.channel;
    }
  }

  /** Moves the item's status forward; true when it moved, as the store's conditional write answers. */
  #advance(item: TimelineItem | undefined, status: NonNullable<TimelineItem['status']>, at: string): boolean {
    if (!item) return false;
    if (item.status && statusRank(item.status) >= statusRank(status)) return false;
    item.status = status;
    item.statusAt = at;
    return true;
  }

  #stored(item: TimelineItem | undefined): TimelineItem | undefined {
    return item ? this.timelines.get(item.customerId)?.get(`${item.at}#${item.id}`) : undefined;
  }

  async advanceStatus(envelope: StatusEnvelope): Promise<PlacedTimelineItem | undefined> {
    this.#write();
    const key = `${envelope.channel}#${envelope.providerMessageId}`;
    const ref = this.refs.get(key) ?? {};
    if (!ref.status || statusRank(ref.status) < statusRank(envelope.status)) {
      ref.status = envelope.status;
      ref.statusAt = envelope.occurredAt;
    }
    this.refs.set(key, ref);
    const stored = this.#stored(ref.item);
    this.#advance(stored, envelope.status, envelope.occurredAt);
    // As the store: a `failed` status answers the reply's item when it stands at `failed`.
    const failed = envelope.status === 'failed' && stored?.status === 'failed';
    return failed ? { item: stored, placedAt: stored.at } : undefined;
  }

  async linkOutbound(item: TimelineItem): Promise<boolean> {
    this.#write();
    const key = `${item.channel}#${item.providerMessageId}`;
    const ref = this.refs.get(key) ?? {};
    ref.item ??= item;
    this.refs.set(key, ref);
    if (!ref.status) return false;
    // As the store: true when a `failed` that came first moved the item there.
    const moved = this.#advance(this.#stored(ref.item), ref.status, ref.statusAt ?? item.at);
    return moved && ref.status === 'failed';
  }

  /** Provider references (`<channel>#<id>`) an erasure marked, as its markers do. */
  readonly erasedRefs = new Set<string>();

  /** As the store's reference path: the outbound item linked to the provider id (no reply keys here). */
  async sentMessage(sent: SentReference): Promise<SentMessage | 'erased' | undefined> {
    const key = `${sent.channel}#${sent.providerMessageId}`;
    if (this.erasedRefs.has(key)) return 'erased';
    const item = this.#stored(this.refs.get(key)?.item);
    if (item?.direction !== 'outbound') return undefined;
    return { customerId: item.customerId, conversationId: item.conversationId };
  }

  async putProviderEvent(envelope: Envelope): Promise<void> {
    this.#write();
    this.providerEvents.set(envelope.id, envelope);
  }

  async findThread(channel: Channel, threadIds: readonly string[]): Promise<ThreadLink | undefined> {
    for (const id of threadIds) {
      const link = this.threads.get(`${channel}#${id}`);
      if (link) return link;
    }
    return undefined;
  }

  readonly mailClaims = new Map<string, MailClaim>();

  async claimMail(threadId: string, claim: MailClaim): Promise<MailClaim> {
    this.#write();
    const kept = this.mailClaims.get(threadId) ?? claim;
    this.mailClaims.set(threadId, kept);
    return kept;
  }

  async linkThread(channel: Channel, threadId: string, link: ThreadLink): Promise<void> {
    this.#write();
    const key = `${channel}#${threadId}`;
    if (!this.threads.has(key)) this.threads.set(key, link);
  }

  async putMention(identity: Identity, customerId: string, evidence: SuggestionEvidence): Promise<void> {
    this.#write();
    const byCustomer = this.mentions.get(identityToken(identity)) ?? new Map<string, Set<string>>();
    this.mentions.set(identityToken(identity), byCustomer);
    const set = byCustomer.get(customerId) ?? new Set<string>();
    byCustomer.set(customerId, set);
    set.add(JSON.stringify(evidence));
  }

  async mentionsOf(identity: Identity): Promise<Array<{ customerId: string; evidence: SuggestionEvidence }>> {
    const byCustomer = this.mentions.get(identityToken(identity)) ?? new Map<string, Set<string>>();
    return [...byCustomer.entries()].flatMap(([customerId, set]) =>
      [...set].map((json) => ({ customerId, evidence: JSON.parse(json) as SuggestionEvidence })),
    );
  }

  async putSuggestion(
    customerId: string,
    otherId: string,
    evidence: SuggestionEvidence,
    _now?: string,
  ): Promise<void> {
    for (const key of [`${customerId}#${otherId}`, `${otherId}#${customerId}`]) {
      this.#write();
      const row = this.suggestions.get(key) ?? { status: 'open', evidence: new Set<string>() };
      row.evidence.add(JSON.stringify(evidence));
      this.suggestions.set(key, row);
    }
  }

  async setContactState(identity: Identity, state: ContactState): Promise<void> {
    this.#write();
    // Keyed as the table keys it: the address, and the number of ours the state names (`<token>@<number>`).
    const key =
      state.number === undefined ? identityToken(identity) : `${identityToken(identity)}@${state.number}`;
    const current = this.contacts.get(key);
    if (!current || current.at < state.at) this.contacts.set(key, state);
  }

  /** The customer's timeline, oldest first. */
  timeline(customerId: string): TimelineItem[] {
    return [...(this.timelines.get(customerId)?.entries() ?? [])]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, item]) => item);
  }
}
