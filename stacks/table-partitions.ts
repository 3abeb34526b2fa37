import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AUDIT_KEY_PREFIX } from '#shared/store/audit-keys.js';

/**
 * The table partitions (partition-key prefixes of `Keys`, shared/store/keys.ts) the socket functions'
 * code touches. Their roles confine their item calls to these with `dynamodb:LeadingKeys` (bindTable),
 * and the functions' unit tests check that every call they make stays inside them, so a key a change
 * adds fails a test here instead of an AccessDenied on AWS.
 */

/**
 * What the visitors' socket function (webchat-live, public until `$connect` checks the session) may
 * put, update and delete: its connections and what they follow, the session and its links (renewed on
 * use, at most once a day), and the session's read-receipt rate counter.
 */
export const visitorSocketWrites = [
  'WEBCHAT_CONN#',
  'WEBCHAT_LIVE#',
  'WEBCHAT_LIVE_ID#',
  'WEBCHAT_SESSION#',
  'WEBCHAT_SESSIONS#',
  'WEBCHAT_RATE#',
  'WEBCHAT_SOCKETS#',
] as const;

/**
 * What the agents' socket function (live) may read: the open sockets, whether a connecting agent was
 * removed by an admin, the connected agents' registrations (the presence each chose, for the hello), and for an agent's typing on a web-chat conversation the conversation, its
 * customer's profiles (the merged ones too) and latest chat message, and the visitors following it
 * (and a visitor's connection, to forget it when its socket is gone).
 */
export const agentSocketReads = [
  'LIVE_CONN#',
  'AGENT_REMOVED#',
  'AGENT#',
  'CONVERSATION#',
  'CUSTOMER#',
  'WEBCHAT_LIVE#',
  'WEBCHAT_LIVE_ID#',
  'WEBCHAT_CONN#',
] as const;

/**
 * What the agents' socket function (live) may put, update and delete: its sockets, the agents' console
 * leases (routing reads them), and a visitor's socket gone (its slot in its session's list too).
 */
export const agentSocketWrites = [
  'LIVE_CONN#',
  'AGENT_LIVE#',
  'WEBCHAT_CONN#',
  'WEBCHAT_LIVE#',
  'WEBCHAT_LIVE_ID#',
  'WEBCHAT_SOCKETS#',
] as const;

/**
 * What the live stream function (the change feed to every socket) may put, update and delete: the
 * live event log (its packs and each customer's index of them), the agents' sockets (one found gone),
 * and the web-chat visitors' connections and what they follow (a verified visitor's message follows
 * their customer; a socket found gone is forgotten, its slot in its session's list too). It still reads
 * the table: what a change names.
 */
export const liveStreamWrites = [
  'LIVE#',
  'LIVE_CONN#',
  'WEBCHAT_CONN#',
  'WEBCHAT_LIVE#',
  'WEBCHAT_LIVE_ID#',
  'WEBCHAT_SOCKETS#',
] as const;

/**
 * The audit log is written once and never changed: whatever else a role is granted, no UpdateItem,
 * DeleteItem or BatchWriteItem (its puts and deletes are one action) on an item whose partition key is
 * an audit one, the records' and their index entries' alike; no PutItem either, unless the function
 * writes audit records (`mayPut`). What IAM cannot say: a PutItem allowed is allowed with or without the
 * code's `attribute_not_exists` condition.
 */
export function auditItemsUnchangeable(table: ITable, mayPut: boolean): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.DENY,
    actions: [
      ...(mayPut ? [] : ['dynamodb:PutItem']),
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ],
    resources: [table.tableArn],
    conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`${AUDIT_KEY_PREFIX}*`] } },
  });
}
