import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Priority } from '../../domain/sla/policy.js';
import type { SlaState } from '../../domain/sla/state.js';
import { slaNextDue } from '../../domain/sla/timers.js';
import { inboxDueShardPartition, inboxDueSortKey, inboxShardPartition, Keys } from '../keys.js';

/** Inbox partition of snoozed conversations: out of the open inbox, in their waiting order. */
export const SNOOZED_STATUS = 'snoozed';

/**
 * Writes a conversation's SLA if the stored one is still at `expected` (none: no SLA yet), and in the
 * same write its place in the deadline index: `gsi2sk` is its soonest pending deadline, removed when
 * none is (`gsi2pk`, the status's shard, is set on the first SLA and moved with the status).
 */
export function saveSlaInput(
  table: string,
  conversationId: string,
  sla: SlaState,
  expected: number | undefined,
): UpdateCommandInput {
  // A plain copy: no undefined members for the marshaller to refuse.
  const values: Record<string, unknown> = {
    ':sla': JSON.parse(JSON.stringify(sla)),
    ':duePk': inboxDueShardPartition('open', conversationId),
  };
  if (expected !== undefined) values[':expected'] = expected;
  const due = slaNextDue(sla);
  if (due) values[':dueSk'] = inboxDueSortKey(due, conversationId);
  const sets = ['sla = :sla', 'gsi2pk = if_not_exists(gsi2pk, :duePk)', ...(due ? ['gsi2sk = :dueSk'] : [])];
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: `SET ${sets.join(', ')}${due ? '' : ' REMOVE gsi2sk'}`,
    ConditionExpression:
      expected === undefined
        ? 'attribute_exists(pk) AND attribute_not_exists(sla)'
        : 'attribute_exists(pk) AND sla.version = :expected',
    ExpressionAttributeValues: values,
  };
}

/** Sets a conversation's priority. */
export function setPriorityInput(
  table: string,
  conversationId: string,
  priority: Priority,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: 'SET priority = :priority',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':priority': priority },
  };
}

/**
 * Marks since when the conversation waits on the customer (a reply at `at`), or that it no longer does
 * (the customer wrote at `at`); an older event never undoes a newer one.
 */
export function awaitingCustomerInput(
  table: string,
  conversationId: string,
  since: string | undefined,
  at: string,
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: since ? 'SET awaitingCustomerSince = :at' : 'REMOVE awaitingCustomerSince',
    ConditionExpression: since
      ? 'attribute_exists(pk) AND (attribute_not_exists(awaitingCustomerSince) OR awaitingCustomerSince < :at)'
      : 'awaitingCustomerSince < :at',
    ExpressionAttributeValues: { ':at': at },
  };
}

/**
 * Records who answered the customer in this opening of the conversation: a person's answer sets
 * `agent`, the AI's sets `ai` unless a person's came first. Open only: a late answer after the resolve
 * changes nothing; a reopen removes it.
 */
export function answeredByInput(
  table: string,
  conversationId: string,
  by: 'agent' | 'ai',
): UpdateCommandInput {
  return whileOpen(table, conversationId, {
    expression: by === 'agent' ? 'SET answeredBy = :by' : 'SET answeredBy = if_not_exists(answeredBy, :by)',
    values: { ':by': by },
  });
}

/** An update of a conversation that applies only while it is open (and `condition` holds). */
function whileOpen(
  table: string,
  conversationId: string,
  update: { expression: string; condition?: string; values: Record<string, unknown> },
): UpdateCommandInput {
  return {
    TableName: table,
    Key: Keys.conversation(conversationId),
    UpdateExpression: update.expression,
    ConditionExpression: [update.condition, '#status = :open'].filter(Boolean).join(' AND '),
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ...update.values, ':open': 'open' },
  };
}

/** Moves an open conversation out of the open inbox until `until`. */
export function snoozeInput(table: string, conversationId: string, until: string): UpdateCommandInput {
  return whileOpen(table, conversationId, {
    expression: 'SET snoozedUntil = :until, gsi1pk = :snoozed, gsi2pk = :snoozedDue',
    values: {
      ':until': until,
      ':snoozed': inboxShardPartition(SNOOZED_STATUS, conversationId),
      ':snoozedDue': inboxDueShardPartition(SNOOZED_STATUS, conversationId),
    },
  });
}

/** Puts a conversation snoozed until `until` back in the open inbox, in its waiting order. */
export function wakeInput(table: string, conversationId: string, until: string): UpdateCommandInput {
  return whileOpen(table, conversationId, {
    expression: 'REMOVE snoozedUntil SET gsi1pk = :inbox, gsi2pk = :inboxDue',
    condition: 'snoozedUntil = :until',
    values: {
      ':until': until,
      ':inbox': inboxShardPartition('open', conversationId),
      ':inboxDue': inboxDueShardPartition('open', conversationId),
    },
  });
}
