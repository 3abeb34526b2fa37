import type { AuditRecord } from '../domain/audit.js';
import { auditRepository } from './audit-repository.js';
import { type DynamoDb, getItem, queryItems } from './dynamo-client.js';
import { Keys } from './keys.js';
import { getInput } from './params/common.js';
import { querySessionLinksInput } from './params/webchat.js';

/** At most this many of an identity's contact states (one per number of ours, and its own). */
const STATES_PER_IDENTITY = 20;
/** At most this many web-chat sessions of an identity (a session lives 30 days). */
const SESSIONS_PER_IDENTITY = 50;
/** At most this many audit records naming a customer of the group, newest first. */
const AUDIT_PER_CUSTOMER = 200;

/** An item without the table's keys, or the session token's hash (its secret's digest). */
function held(item: Record<string, unknown>): Record<string, unknown> {
  const drop = /^(pk|sk|gsi\d+(pk|sk)|tokenHash)$/;
  return Object.fromEntries(Object.entries(item).filter(([key]) => !drop.test(key)));
}

/**
 * What the table holds about a group's identities besides their profiles and timelines: each
 * address's contact states (SMS opt-outs per number of ours, an email suppression) and its web-chat
 * sessions (the name and email typed or verified, when it began and ends), and the audit records
 * naming any customer of the group. Each read bounded (the limits above), one Query an identity for
 * each kind, a GetItem a session, one audit page a customer.
 */
export async function exportExtras(
  db: DynamoDb,
  identities: readonly string[],
  customerIds: readonly string[],
) {
  const contactStates: Array<Record<string, unknown>> = [];
  const webchatSessions: Array<Record<string, unknown>> = [];
  for (const token of identities) {
    const states = await queryItems(db, {
      TableName: db.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': Keys.contactStateByToken(token).pk },
      Limit: STATES_PER_IDENTITY,
    });
    contactStates.push(...(states.Items ?? []).map(held));
    const links = await queryItems(db, {
      ...querySessionLinksInput(db.table, token),
      Limit: SESSIONS_PER_IDENTITY,
    });
    for (const link of links.Items ?? []) {
      if (typeof link.tokenHash !== 'string') continue;
      const session = (await getItem(db, getInput(db.table, Keys.webchatSession(link.tokenHash)))).Item;
      if (session?.entity === 'webchat_session') webchatSessions.push({ identity: token, ...held(session) });
    }
  }
  const audit = auditRepository(db);
  const auditRecords = new Map<string, AuditRecord>();
  for (const customerId of customerIds) {
    const page = await audit.listAudit({ customerId, limit: AUDIT_PER_CUSTOMER });
    for (const record of page.items) auditRecords.set(record.id, record);
  }
  return { contactStates, webchatSessions, auditRecords: [...auditRecords.values()] };
}
