import type { ChangeRecord } from '../change-feed.js';
import { SlaMetricSchema } from '../sla/policy.js';
import { WakeReasonSchema } from '../snooze.js';
import { event, type Image, member, some, str } from './event-parts.js';
import type { IntegrationEvent } from './integration-events.js';

/**
 * `sla.warning` and `sla.breached` of the clock's `sla_warning` and `sla_breached` timeline events (each
 * inserted once per metric and deadline, its id naming both, so a timer firing twice writes it once):
 * ids, the metric, its due time and policy; never the conversation's content.
 */
function slaEvents(record: ChangeRecord, item: Image): IntegrationEvent[] {
  const type =
    item.event === 'sla_warning' ? 'sla.warning' : item.event === 'sla_breached' ? 'sla.breached' : undefined;
  const data = (item.data ?? {}) as Image;
  const [customerId, conversationId, at] = [str(item.customerId), str(item.conversationId), str(item.at)];
  const metric = member(SlaMetricSchema, data.metric);
  if (!type || !customerId || !conversationId || !at || !metric) return [];
  return [
    event(type, [record.keys.pk, record.keys.sk], at, {
      customerId,
      conversationId,
      metric,
      ...some('due', data.due),
      ...some('policy', data.policy),
      at,
    }),
  ];
}

/**
 * `conversation.snoozed` and `conversation.woke` of the `snoozed` and `woke` timeline events (one per
 * conversation and snooze time, their ids naming both, so a snooze asked again or a wake-up retried
 * writes each once): until when, who, and what ended it.
 */
function snoozeEvents(record: ChangeRecord, item: Image): IntegrationEvent[] {
  const data = (item.data ?? {}) as Image;
  const [customerId, conversationId, at] = [str(item.customerId), str(item.conversationId), str(item.at)];
  if (!customerId || !conversationId || !at) return [];
  const key = [record.keys.pk, record.keys.sk];
  const until = str(data.until);
  if (item.event === 'snoozed' && until) {
    return [
      event('conversation.snoozed', key, at, {
        customerId,
        conversationId,
        until,
        ...some('by', data.by),
        snoozedAt: at,
      }),
    ];
  }
  const [snoozedUntil, reason] = [str(data.snoozedUntil), member(WakeReasonSchema, data.reason)];
  if (item.event !== 'woke' || !snoozedUntil || !reason) return [];
  return [
    event('conversation.woke', key, at, {
      customerId,
      conversationId,
      snoozedUntil,
      reason,
      ...some('by', data.by),
      wokeAt: at,
    }),
  ];
}

/**
 * The events of the conversation clock's timeline events, when first written: an SLA target warned of
 * or breached, a snooze and its end. A rewrite of one (the same item again) makes none.
 */
export function clockEvents(record: ChangeRecord, item: Image, old: Image | undefined): IntegrationEvent[] {
  if (old) return [];
  return [...slaEvents(record, item), ...snoozeEvents(record, item)];
}
