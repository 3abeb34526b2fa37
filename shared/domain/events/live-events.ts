import { createHash } from 'node:crypto';
import { AGENT_LOAD_ATTRIBUTE } from '../agent-load.js';
import type { ChangeRecord } from '../change-feed.js';
import type { AgentLoadItem, AgentPresenceItem, DurableEvent } from '../live/events.js';
import { unfoldDecision } from '../routing/facts.js';
import { conversationOfItem, customerOfItem, readableOrUndefined } from '../stored-items.js';
import { type Suggestion, SuggestionSchema } from '../suggestions.js';
import {
  type Conversation,
  type Customer,
  type TimelineItem,
  timelineAtOf,
  timelineItemOfImage,
} from '../timeline.js';

type Image = Record<string, unknown>;
/** A durable event before the log gives it its `seq`. */
export type LiveEventDraft = DistributedOmit<DurableEvent, 'seq'>;
type DistributedOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const strings = (value: unknown): string[] =>
  value instanceof Set || Array.isArray(value) ? [...value].filter((v) => typeof v === 'string').sort() : [];

function timelineItemOf(image: Image | undefined, keys: ChangeRecord['keys']): TimelineItem | undefined {
  if (image?.entity !== 'timeline') return undefined;
  return timelineItemOfImage(image, keys);
}

function conversationOf(image: Image | undefined): Conversation | undefined {
  return image?.entity === 'conversation' ? readableOrUndefined(conversationOfItem, image) : undefined;
}

function customerOf(image: Image | undefined): Customer | undefined {
  return image?.entity === 'customer' ? readableOrUndefined(customerOfItem, image) : undefined;
}

function suggestionOf(image: Image | undefined): Suggestion | undefined {
  if (!image || typeof image.otherId !== 'string') return undefined;
  const evidence: unknown[] = [];
  for (const json of strings(image.evidence)) {
    try {
      evidence.push(JSON.parse(json));
    } catch {
      return undefined;
    }
  }
  const parsed = SuggestionSchema.safeParse({ ...image, evidence });
  return parsed.success ? parsed.data : undefined;
}

/** A stable event id: the changed item's key and what the event says, so a redelivery gives the same id. */
function liveEventId(record: ChangeRecord, item: unknown): string {
  const hash = createHash('sha256')
    .update([record.keys.pk, record.keys.sk, JSON.stringify(item)].join('\u0000'))
    .digest('base64url');
  return `live_${hash.slice(0, 27)}`;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function customerEvents(record: ChangeRecord): LiveEventDraft[] {
  const { newImage, oldImage } = record;
  if (newImage?.entity === 'erased_customer') {
    if (oldImage?.entity === 'erased_customer') return [];
    const customerId = String(newImage.id ?? record.keys.pk.replace(/^CUSTOMER#/, ''));
    const item = { change: 'erased' as const };
    return [{ id: liveEventId(record, item), type: 'customer.updated', customerId, item }];
  }
  const customer = customerOf(newImage);
  if (!customer || same(customer, customerOf(oldImage))) return [];
  const merged =
    customer.mergedInto !== oldImage?.mergedInto ||
    strings(oldImage?.mergedFrom).length !== customer.mergedFrom.length;
  const item = { change: merged ? ('merged' as const) : ('profile' as const), customer };
  return [{ id: liveEventId(record, item), type: 'customer.updated', customerId: customer.id, item }];
}

function suggestionEvents(record: ChangeRecord): LiveEventDraft[] {
  const suggestion = suggestionOf(record.newImage);
  if (!suggestion || same(suggestion, suggestionOf(record.oldImage))) return [];
  const item = { change: 'suggestion' as const, suggestion };
  return [
    { id: liveEventId(record, item), type: 'customer.updated', customerId: suggestion.customerId, item },
  ];
}

/** A timeline item as the API reads it: an AI reply with its decision is that decision and the reply. */
function timelineItemsOf(image: Image | undefined, keys: ChangeRecord['keys']): TimelineItem[] {
  const item = timelineItemOf(image, keys);
  return item ? unfoldDecision(item, timelineAtOf(keys.sk, item.id)) : [];
}

/** `timeline.item` for each item the change added or changed, as the API reads them. */
function timelineEvents(record: ChangeRecord): LiveEventDraft[] {
  const before = timelineItemsOf(record.oldImage, record.keys);
  return timelineItemsOf(record.newImage, record.keys)
    .filter(
      (item) =>
        !same(
          item,
          before.find((old) => old.id === item.id),
        ),
    )
    .map((item) => {
      const conversationId = item.conversationId;
      return {
        id: liveEventId(record, item),
        type: 'timeline.item' as const,
        customerId: item.customerId,
        ...(conversationId ? { conversationId } : {}),
        item,
      };
    });
}

/**
 * The live events one change of the table makes: a timeline item added or changed (a delivery status
 * moving) is `timeline.item`; a conversation created or changed is `conversation.updated`; a profile
 * changed, merged or erased, or a merge suggestion changed, is `customer.updated`. Each carries what the
 * API answers for it; a change the API would not show (an internal attribute, a claim) makes none.
 * Pure and total: any other change, and any removal, makes none.
 */
export function liveEventsOfChange(record: ChangeRecord): LiveEventDraft[] {
  if (record.kind === 'remove' || !record.newImage) return [];
  const entity = record.newImage.entity;
  if (entity === 'timeline') return timelineEvents(record);
  if (entity === 'conversation') {
    const item = conversationOf(record.newImage);
    if (!item || same(item, conversationOf(record.oldImage))) return [];
    return [
      {
        id: liveEventId(record, item),
        type: 'conversation.updated',
        customerId: item.customerId,
        conversationId: item.id,
        item,
      },
    ];
  }
  if (entity === 'customer' || entity === 'erased_customer') return customerEvents(record);
  if (record.keys.sk.startsWith('SUGGESTION#')) return suggestionEvents(record);
  return [];
}

/** An agent's presence set through the API (`online`/`away`), when this change moved it; else undefined. */
export function presenceOfChange(record: ChangeRecord): AgentPresenceItem | undefined {
  const [now, before] = [record.newImage, record.oldImage];
  if (now?.entity !== 'agent' || typeof now.id !== 'string') return undefined;
  if (now.presence !== 'online' && now.presence !== 'away') return undefined;
  if (before?.presence === now.presence) return undefined;
  return { agentId: now.id, presence: now.presence };
}

/** An agent's load as this change left it, when it moved the count (a set emptied is dropped: none). */
function loadOfChange(record: ChangeRecord): AgentLoadItem | undefined {
  const [now, before] = [record.newImage, record.oldImage];
  if (now?.entity !== 'agent' || typeof now.id !== 'string') return undefined;
  const openConversations = strings(now[AGENT_LOAD_ATTRIBUTE]).length;
  if (openConversations === strings(before?.[AGENT_LOAD_ATTRIBUTE]).length) return undefined;
  return { agentId: now.id, openConversations };
}

/**
 * The agents' loads a batch of changes moved: each agent's as their newest change left it, in the order
 * the agents first came. Every write of an agent's open-conversation set (a take, a transfer, a resolve,
 * the reconcile) changes their item, so the count comes from the write that moved it, not from a read.
 */
export function loadsOfChanges(records: readonly ChangeRecord[]): AgentLoadItem[] {
  const loads = new Map<string, AgentLoadItem>();
  for (const record of records) {
    const load = loadOfChange(record);
    if (load) loads.set(load.agentId, load);
  }
  return [...loads.values()];
}

/** What a later event about the same thing makes redundant: its newest image, or undefined (never dropped). */
function supersedeKey(event: LiveEventDraft): string | undefined {
  if (event.type === 'timeline.item') return `t\u0000${event.customerId}\u0000${event.item.id}`;
  if (event.type === 'conversation.updated') return `c\u0000${event.conversationId}`;
  if (event.item.change === 'profile' || event.item.change === 'merged') return `p\u0000${event.customerId}`;
  return undefined;
}

/**
 * One batch's events without those a later event of the batch repeats: an item's, a conversation's or
 * a profile's events carry the whole newest image, so only the last of each is kept (a reply claimed,
 * sent and delivered in one batch is one event). A `merged`, `erased` or suggestion event is never
 * dropped: it says more than the image. Order is kept.
 */
export function latestOfBatch<T extends LiveEventDraft>(events: readonly T[]): T[] {
  const seen = new Set<string>();
  const kept: T[] = [];
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i] as T;
    const key = supersedeKey(event);
    const droppable = event.type !== 'customer.updated' || event.item.change === 'profile';
    if (key !== undefined && seen.has(key) && droppable) continue;
    if (key !== undefined) seen.add(key);
    kept.push(event);
  }
  return kept.reverse();
}
