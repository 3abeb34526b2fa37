import type { AuditRecord } from '../domain/audit.js';
import { auditRepository } from './audit-repository.js';
import { type DynamoDb, getItem, queryItems } from './dynamo-client.js';
import { webhookRecipients } from './export-recipients.js';
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
 * sessions (the name and email typed or verified, when it began and ends), the audit records naming
 * any customer of the group, and the webhook subscriptions their events went to (export-recipients.ts).
 * Each read bounded (the limits above, each read one item further to know whether it cut: `truncated`
 * says which lists did), one Query an identity for each kind, a GetItem a session, one audit page a
 * customer.
 */
export async function exportExtras(
  db: DynamoDb,
  identities: readonly string[],
  customerIds: readonly string[],
) {
  const contactStates: Array<Record<string, unknown>> = [];
  const webchatSessions: Array<Record<string, unknown>> = [];
  const truncated = {
    contactStates: false,
    webchatSessions: false,
    auditRecords: false,
    webhookRecipients: false,
  };
  for (const token of identities) {
    const states = await queryItems(db, {
      TableName: db.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': Keys.contactStateByToken(token).pk },
      Limit: STATES_PER_IDENTITY + 1,
    });
    const stateItems = states.Items ?? [];
    truncated.contactStates ||= stateItems.length > STATES_PER_IDENTITY;
    contactStates.push(...stateItems.slice(0, STATES_PER_IDENTITY).map(held));
    const links = await queryItems(db, {
      ...querySessionLinksInput(db.table, token),
      Limit: SESSIONS_PER_IDENTITY + 1,
    });
    const linkItems = links.Items ?? [];
    truncated.webchatSessions ||= linkItems.length > SESSIONS_PER_IDENTITY;
    for (const link of linkItems.slice(0, SESSIONS_PER_IDENTITY)) {
      if (typeof link.tokenHash !== 'string') continue;
      const session = (await getItem(db, getInput(db.table, Keys.webchatSession(link.tokenHash)))).Item;
      if (session?.entity === 'webchat_session') webchatSessions.push({ identity: token, ...held(session) });
    }
  }
  const audit = auditRepository(db);
  const auditRecords = new Map<string, AuditRecord>();
  for (const customerId of customerIds) {
    const page = await audit.listAudit({ customerId, limit: AUDIT_PER_CUSTOMER + 1 });
    truncated.auditRecords ||= page.items.length > AUDIT_PER_CUSTOMER;
    for (const record of page.items.slice(0, AUDIT_PER_CUSTOMER)) auditRecords.set(record.id, record);
  }
  const recipients = await webhookRecipients(db, customerIds);
  truncated.webhookRecipients = recipients.truncated;
  return {
    contactStates,
    webchatSessions,
    auditRecords: [...auditRecords.values()],
    webhookRecipients: recipients.recipients,
    truncated,
  };
}
