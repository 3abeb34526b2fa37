import type {
  DeleteCommandInput,
  GetCommandInput,
  PutCommandInput,
  UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { ImportPlan } from '../../domain/customer-import.js';
import { identityToken } from '../../domain/identity.js';
import { listedByFirstWrite } from '../customer-list.js';
import { Keys } from '../keys.js';
import { AGENT_NAME_AT, NOT_ERASING, nameValues } from './customers.js';

/**
 * The link of an external id (a customer's id in the help desk they were imported from) to our
 * customer: `pk=EXTID#<external id>`, `sk=EXTID`. Written once, before anything else of the import
 * (`pending`), and marked done (`doneAt`) after the customer's last write: a re-run finds it done and
 * writes nothing; one after a crash finds it pending and completes the same customer.
 */
export const externalIdKey = (externalId: string) => ({ pk: `EXTID#${externalId}`, sk: 'EXTID' });

/** The link as stored: whose it is, and how its import began (a new customer, or one an identity matched). */
export type ExternalIdLink = { customerId: string; outcome: 'created' | 'matched'; doneAt?: string };

/** Reads the link strongly: a re-run right after the first sees what it wrote. */
export function getExternalIdInput(table: string, externalId: string): GetCommandInput {
  return { TableName: table, Key: externalIdKey(externalId), ConsistentRead: true };
}

/** Links an external id to a customer, pending; first writer wins (another import of the same id). */
export function putExternalIdInput(
  table: string,
  externalId: string,
  link: ExternalIdLink,
  who: { agentId: string; now: string },
): PutCommandInput {
  return {
    TableName: table,
    Item: {
      ...externalIdKey(externalId),
      entity: 'external_id',
      externalId,
      customerId: link.customerId,
      outcome: link.outcome,
      importedBy: who.agentId,
      importedAt: who.now,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** Marks the link done: the customer's writes are all made. */
export function finishExternalIdInput(table: string, externalId: string, now: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: externalIdKey(externalId),
    UpdateExpression: 'SET doneAt = if_not_exists(doneAt, :now)',
    ExpressionAttributeValues: { ':now': now },
  };
}

/** Deletes the link while it is pending (its customer turned out to be being erased). */
export function dropPendingExternalIdInput(table: string, externalId: string): DeleteCommandInput {
  return {
    TableName: table,
    Key: externalIdKey(externalId),
    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(doneAt)',
  };
}

/**
 * The imported customer's profile: made as the resolver's first touch makes one (entity, id,
 * createdAt, listed in the customer list), or added to when an identity matched one; the identities
 * shown and the tags added to their sets; the name set only where the profile has none, with an
 * agent's `nameAt` (no provider's name replaces it, as after a rename) and its place in the name index.
 * Never on a customer being erased or erased (`NOT_ERASING`). Answers the profile as it left it.
 */
export function importProfileInput(
  table: string,
  customerId: string,
  plan: ImportPlan,
  now: string,
): UpdateCommandInput {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {
    ':entity': 'customer',
    ':id': customerId,
    ':now': now,
    ':erased': 'erased_customer',
  };
  const sets = [
    'entity = :entity',
    'id = :id',
    'createdAt = if_not_exists(createdAt, :now)',
    ...listedByFirstWrite(values, customerId, now),
  ];
  const adds: string[] = [];
  if (plan.identities.length) {
    values[':identities'] = new Set(plan.identities.map(identityToken));
    adds.push('identities :identities');
  }
  if (plan.tags.length) {
    values[':tags'] = new Set(plan.tags);
    adds.push('tags :tags');
  }
  if (plan.name !== undefined) {
    names['#name'] = 'name';
    Object.assign(values, nameValues(customerId, plan.name, AGENT_NAME_AT));
    sets.push(
      '#name = if_not_exists(#name, :name)',
      'nameAt = if_not_exists(nameAt, :nameAt)',
      'gsi1pk = if_not_exists(gsi1pk, :namePk)',
      'gsi1sk = if_not_exists(gsi1sk, :nameSk)',
    );
  }
  return {
    TableName: table,
    Key: Keys.customer(customerId),
    UpdateExpression: `SET ${sets.join(', ')}${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
    ConditionExpression: NOT_ERASING,
    ReturnValues: 'ALL_NEW',
  };
}
