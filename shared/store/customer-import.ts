import type { ImportPlan, ImportResult } from '../domain/customer-import.js';
import type { Identity } from '../domain/envelope.js';
import { earlierIdentities } from '../domain/identity.js';
import { getItems } from './batch-get.js';
import {
  type DynamoDb,
  deleteItemIf,
  getItem,
  putItemIf,
  updateItem,
  updateItemReturningIf,
} from './dynamo-client.js';
import { randomIds } from './ids.js';
import { Keys } from './keys.js';
import { putNameWords, settleNameWords } from './name-word-writes.js';
import { liveName } from './name-words.js';
import {
  dropPendingExternalIdInput,
  type ExternalIdLink,
  finishExternalIdInput,
  getExternalIdInput,
  importProfileInput,
  putExternalIdInput,
} from './params/customer-import.js';
import { claimIdentityInput, getIdentityInput } from './params/customers.js';

/** Who imports, and when. */
export type ImportContext = { agentId: string; now: string };

/** An identity of the plan and who holds it (or an earlier form of it), if anyone. */
type Held = { identity: Identity; customerId: string | undefined };

/**
 * Who holds each identity of the plan, in one strongly consistent BatchGetItem: its key form, and the
 * forms earlier versions stored a phone or an email under (`earlierIdentities`), as the resolver looks.
 */
async function holdersOf(db: DynamoDb, identities: readonly Identity[]): Promise<Held[]> {
  const forms = identities.map((identity) => [identity, ...earlierIdentities(identity)]);
  const items = await getItems(
    db,
    forms.flat().map((form) => Keys.identity(form)),
    { consistent: true },
  );
  const byPk = new Map(items.map((item) => [String(item.pk), String(item.customerId)]));
  return forms.map(([identity, ...rest]) => {
    const holder = [identity, ...rest]
      .map((form) => byPk.get(Keys.identity(form as Identity).pk))
      .find((id) => id !== undefined);
    return { identity: identity as Identity, customerId: holder };
  });
}

/**
 * The customer the import goes to: the pending link's (after a crash), the one customer holding some
 * of the identities (`matched`), or a new one (`created`); a conflict when the identities are held by
 * another customer than that, naming the first such identity. Nothing is ever moved.
 */
function targetOf(
  held: readonly Held[],
  link: ExternalIdLink | undefined,
): ExternalIdLink | Extract<ImportResult, { outcome: 'conflict' }> {
  const owner = link?.customerId ?? held.find((h) => h.customerId !== undefined)?.customerId;
  const other = held.find((h) => h.customerId !== undefined && h.customerId !== owner);
  if (other) {
    return { outcome: 'conflict', identity: other.identity, reason: 'identity_held' };
  }
  if (link) return link;
  return owner
    ? { customerId: owner, outcome: 'matched' }
    : { customerId: randomIds.customerId(), outcome: 'created' };
}

/**
 * Claims the identities nobody holds for the customer, with the resolver's own conditional put (so a
 * message from one later finds the customer); a claim lost to someone else is a conflict.
 */
async function claimFree(
  db: DynamoDb,
  held: readonly Held[],
  customerId: string,
  now: string,
): Promise<Identity | undefined> {
  for (const { identity } of held.filter((h) => h.customerId === undefined)) {
    if (await putItemIf(db, claimIdentityInput(db.table, identity, customerId, now))) continue;
    const winner = await getItem(db, getIdentityInput(db.table, identity, true));
    if (winner.Item?.customerId !== customerId) return identity;
  }
  return undefined;
}

/**
 * Writes the profile (see `importProfileInput`), then the word entries of the name it set, settled
 * against a strong read as a rename's are; false when the customer's erasure began.
 */
async function writeProfile(
  db: DynamoDb,
  customerId: string,
  plan: ImportPlan,
  now: string,
): Promise<boolean> {
  const profile = await updateItemReturningIf(db, importProfileInput(db.table, customerId, plan, now));
  if (!profile) return false;
  const written = liveName(profile);
  if (written && written.name === plan.name) {
    await putNameWords(db, customerId, written);
    await settleNameWords(db, customerId, written);
  }
  return true;
}

/**
 * Imports one customer (see `AgentAdmin.importCustomer`): the external id's link read strongly (done:
 * `existing`, nothing written); the identities' holders in one batch read; the link written pending
 * (lost to a concurrent import of the same id: `existing`); the free identities claimed; the profile;
 * the link marked done. Each write is the same on a re-run, so one after a crash completes the customer.
 */
export async function importCustomer(
  db: DynamoDb,
  plan: ImportPlan,
  context: ImportContext,
): Promise<ImportResult> {
  const stored = (await getItem(db, getExternalIdInput(db.table, plan.externalId))).Item as
    | ExternalIdLink
    | undefined;
  if (stored?.doneAt) return { outcome: 'existing', customerId: stored.customerId };
  const held = plan.identities.length ? await holdersOf(db, plan.identities) : [];
  const target = targetOf(held, stored);
  if (target.outcome === 'conflict') return target;
  const { customerId } = target;
  if (!stored && !(await putItemIf(db, putExternalIdInput(db.table, plan.externalId, target, context)))) {
    const winner = (await getItem(db, getExternalIdInput(db.table, plan.externalId))).Item as ExternalIdLink;
    return { outcome: 'existing', customerId: winner.customerId };
  }
  const lost = await claimFree(db, held, customerId, context.now);
  if (lost) return { outcome: 'conflict', identity: lost, reason: 'identity_held' };
  if (!(await writeProfile(db, customerId, plan, context.now))) {
    // The customer matched is being erased: the link goes, so a re-run once the erasure took the
    // identities makes a new customer rather than find this one again.
    await deleteItemIf(db, dropPendingExternalIdInput(db.table, plan.externalId));
    return { outcome: 'conflict', customerId, reason: 'customer_erasing' };
  }
  await updateItem(db, finishExternalIdInput(db.table, plan.externalId, context.now));
  return { outcome: target.outcome, customerId };
}
