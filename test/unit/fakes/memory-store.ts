import type { Channel, Envelope, Identity, StatusEnvelope } from '#shared/domain/envelope.js';
import { identityToken } from '#shared/domain/identity.js';
import type { ResolverStore, ThreadLink } from '#shared/domain/resolver.js';
import { statusRank, type TimelineItem } from '#shared/domain/timeline.js';

interface Profile {
  id: string;
  name?: string;
  identities: Set<string>;
  channels: Set<string>;
  lastInboundAt?: string;
  openConversationId: string;
}

interface Ref {
  status?: TimelineItem['status'];
  statusAt?: string;
  item?: TimelineItem;
}

/**
 * An in-memory ResolverStore with the same idempotency rules as DynamoStore, and a hook that can
 * fail the n-th write so tests can crash the resolver part-way through.
 */
export class MemoryStore implements ResolverStore {
  readonly identities = new Map<string, string>();
  readonly profiles = new Map<string, Profile>();
  readonly timelines = new Map<string, Map<string, TimelineItem>>();
  readonly conversations = new Map<
    string,
    { customerId: string; lastMessageAt: string; waitingSince?: string }
  >();
  readonly refs = new Map<string, Ref>();
  readonly providerEvents = new Map<string, Envelope>();
  readonly threads = new Map<string, ThreadLink>();
  writes = 0;
  failOnWrite?: number;

  #write(): void {
    this.writes += 1;
    if (this.failOnWrite !== undefined && this.writes === this.failOnWrite) throw new Error('injected crash');
  }

  async findCustomerId(identity: Identity): Promise<string | undefined> {
    return this.identities.get(identityToken(identity));
  }

  async claimIdentity(identity: Identity, customerId: string): Promise<boolean> {
    this.#write();
    const token = identityToken(identity);
    if (this.identities.has(token)) return false;
    this.identities.set(token, customerId);
    return true;
  }

  async touchProfile(
    touch: Parameters<ResolverStore['touchProfile']>[0],
  ): Promise<{ openConversationId: string }> {
    this.#write();
    const profile = this.profiles.get(touch.customerId) ?? {
      id: touch.customerId,
      identities: new Set<string>(),
      channels: new Set<string>(),
      openConversationId: touch.candidateConversationId,
    };
    for (const identity of touch.identities) profile.identities.add(identityToken(identity));
    profile.channels.add(touch.channel);
    if (touch.name && !profile.name) profile.name = touch.name;
    if (touch.inbound && (!profile.lastInboundAt || profile.lastInboundAt <= touch.at))
      profile.lastInboundAt = touch.at;
    this.profiles.set(touch.customerId, profile);
    return { openConversationId: profile.openConversationId };
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

  async touchConversation(touch: Parameters<ResolverStore['touchConversation']>[0]): Promise<void> {
    this.#write();
    const current = this.conversations.get(touch.conversationId);
    if (current && current.lastMessageAt > touch.at) return;
    this.conversations.set(touch.conversationId, {
      customerId: touch.customerId,
      lastMessageAt: touch.at,
      ...(touch.inbound || current?.waitingSince ? { waitingSince: current?.waitingSince ?? touch.at } : {}),
    });
  }

  #advance(item: TimelineItem | undefined, status: NonNullable<TimelineItem['status']>, at: string): void {
    if (!item) return;
    if (item.status && statusRank(item.status) >= statusRank(status)) return;
    item.status = status;
    item.statusAt = at;
  }

  #timelineItem(item: TimelineItem | undefined): TimelineItem | undefined {
    if (!item) return undefined;
    return this.timelines.get(item.customerId)?.get(`${item.at}#${item.id}`);
  }

  async advanceStatus(envelope: StatusEnvelope): Promise<void> {
    this.#write();
    const key = `${envelope.channel}#${envelope.providerMessageId}`;
    const ref = this.refs.get(key) ?? {};
    if (!ref.status || statusRank(ref.status) < statusRank(envelope.status)) {
      ref.status = envelope.status;
      ref.statusAt = envelope.occurredAt;
    }
    this.refs.set(key, ref);
    this.#advance(this.#timelineItem(ref.item), envelope.status, envelope.occurredAt);
  }

  async linkOutbound(item: TimelineItem): Promise<void> {
    this.#write();
    const key = `${item.channel}#${item.providerMessageId}`;
    const ref = this.refs.get(key) ?? {};
    ref.item ??= item;
    this.refs.set(key, ref);
    if (ref.status) this.#advance(this.#timelineItem(ref.item), ref.status, ref.statusAt ?? item.at);
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

  async linkThread(channel: Channel, threadId: string, link: ThreadLink): Promise<void> {
    this.#write();
    const key = `${channel}#${threadId}`;
    if (!this.threads.has(key)) this.threads.set(key, link);
  }

  /** The customer's timeline, oldest first. */
  timeline(customerId: string): TimelineItem[] {
    return [...(this.timelines.get(customerId)?.entries() ?? [])]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, item]) => item);
  }
}
