import * as z from 'zod';
import type { NamePage } from '../domain/agent-ports.js';
import { nextConversationId } from '../domain/conversation.js';
import { type CsatPending, CsatPendingSchema } from '../domain/csat/survey.js';
import type { Identity } from '../domain/envelope.js';
import { followMerges } from '../domain/merge-walks.js';
import type { ContactState, IdentityHolder, ProfileState, ProfileTouch } from '../domain/resolver-ports.js';
import { customerOfItem, lastInboundByChannelOf, readableOrUndefined } from '../domain/stored-items.js';
import { StringSetSchema } from '../domain/string-set.js';
import type { Customer } from '../domain/timeline.js';
import { GoneError, UnavailableError } from '../errors.js';
import { advanceInbound } from './advance-inbound.js';
import { getItems } from './batch-get.js';
import { contactStatesOf, contactStateToward, suppressedEmails } from './contact-states.js';
import { customerList } from './customer-list.js';
import {
  type DynamoDb,
  deleteItemIf,
  getItem,
  isConditionFailure,
  putItem,
  putItemIf,
  updateCurrentOrStaleReturning,
  updateItem,
  updateItemIf,
  updateItemReturningIf,
} from './dynamo-client.js';
import { takeOverErasedIdentity } from './erased-holder.js';
import { findIdentityOwner } from './identity-owner.js';
import { Keys } from './keys.js';
import { customersByName } from './name-search.js';
import { clearNameWords, putNameWords, settleNameWords, wordCount } from './name-word-writes.js';
import { liveName, NAME_WORDS, nameVersion, sameName } from './name-words.js';
import { getInput } from './params/common.js';
import { holdOpenConversationInput } from './params/conversations.js';
import {
  changeTagsInputs,
  claimIdentityInput,
  getIdentityInput,
  putMembershipInput,
  renameCustomerInput,
  setContactStateInput,
  setCsatPendingInput,
  setLastAgentInput,
  setNameInput,
  setTagsInput,
  touchProfileInput,
} from './params/customers.js';
import { dropShownIdentityInput, releaseIdentityInput } from './params/identity-release.js';

/** How the resolver reads a profile whose customer was erased (see `ResolverStore.getProfileState`). */
type ProfileRead = { erasedWaits?: boolean; erasedGone?: boolean };
/** An identity, its erased holder, the customer taking it over, and the time. */
type TakeOver = [identity: Identity, holder: string, customerId: string, now: string];

/** The code of the retry an erasure since the resolver's read causes: in the resolver's log line. */
const ERASED_MEANWHILE = 'customer_erased_meanwhile';

const IdentityItemSchema = z.object({
  customerId: z.string(),
  mergedFrom: z.string().optional(),
  unmergedFrom: z.string().optional(),
  deletionMarkedUntil: z.string().optional(),
  editHeldAt: z.string().optional(),
  createdAt: z.string().optional(),
});

const ProfileStateSchema = z.object({
  customerId: z.string(),
  name: z.string().optional(),
  nameAt: z.string().optional(),
  nameLookupAt: z.string().optional(),
  mergedInto: z.string().optional(),
  mergedFrom: StringSetSchema,
  unmergedAt: z.string().optional(),
  openConversationId: z.string().optional(),
  lastConversationId: z.string().optional(),
  lastResolvedAt: z.string().optional(),
  mentioned: StringSetSchema,
  typedEmail: z.string().optional(),
  whatsappAddress: z.string().optional(),
  smsAddress: z.string().optional(),
  smsBusinessNumber: z.string().optional(),
  whatsappProvider: z.string().optional(),
  whatsappWindowClosedAt: z.string().optional(),
  // A malformed one is no survey: the message is then a normal one.
  csatPending: CsatPendingSchema.optional().catch(undefined),
  identities: StringSetSchema,
  channels: StringSetSchema,
  lastEventAt: z.string().optional(),
  lastInboundAt: z.string().optional(),
  lastInboundChannel: z.string().optional(),
});

/**
 * The partitions whose union is this customer's timeline (the root of its merges first, then all
 * merged in), and the profiles of those that have one, in the same order.
 */
async function mergedCustomers(
  getCustomer: (id: string) => Promise<Customer | undefined>,
  customerId: string,
): Promise<{ partitions: string[]; customers: Customer[] }> {
  // Each profile is read once: those met on the way up to the root are met again on the way down.
  const loaded = new Map<string, Customer | undefined>();
  const read = async (id: string) => {
    if (!loaded.has(id)) loaded.set(id, await getCustomer(id));
    return loaded.get(id);
  };
  const { customerId: root } = await followMerges(read, customerId);
  const seen = new Set<string>();
  const queue = [root];
  while (queue.length > 0 && seen.size < 50) {
    const id = queue.shift() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const customer = await read(id);
    queue.push(...(customer?.mergedFrom ?? []));
  }
  const partitions = [...seen];
  const customers = partitions.map((id) => loaded.get(id)).filter((c): c is Customer => c !== undefined);
  return { partitions, customers };
}

/** The profile, or undefined; GoneError when it was erased, or is being erased unless `whileErasing`. */
async function readCustomer(
  db: DynamoDb,
  customerId: string,
  whileErasing: boolean,
  consistent = false,
): Promise<Customer | undefined> {
  const out = await getItem(db, getInput(db.table, Keys.customer(customerId), consistent));
  if (!out.Item) return undefined;
  if (out.Item.entity === 'erased_customer') throw new GoneError(`customer ${customerId} was erased`);
  if (out.Item.erasingSince !== undefined && !whileErasing) {
    throw new GoneError(`customer ${customerId} is being erased`);
  }
  return customerOfItem(out.Item);
}

async function findIdentityHolder(
  db: DynamoDb,
  identity: Identity,
  options: { consistent?: boolean },
): Promise<IdentityHolder | undefined> {
  const out = await getItem(db, getIdentityInput(db.table, identity, options.consistent));
  if (!out.Item) return undefined;
  const item = IdentityItemSchema.parse(out.Item);
  return {
    customerId: item.customerId,
    moved: item.mergedFrom !== undefined || item.unmergedFrom !== undefined,
    ...(item.deletionMarkedUntil ? { deletionMarkedUntil: item.deletionMarkedUntil } : {}),
    ...(item.editHeldAt ? { editHeldAt: item.editHeldAt } : {}),
    ...(item.createdAt ? { createdAt: item.createdAt } : {}),
  };
}

/**
 * What the resolver needs of a profile, or undefined; UnavailableError while it is being erased, and
 * with `erasedWaits` once it was (the tombstone: see `ResolverStore.getProfileState`); GoneError for
 * the tombstone with `erasedGone`.
 */
async function readProfileState(
  db: DynamoDb,
  customerId: string,
  options: ProfileRead = {},
): Promise<ProfileState | undefined> {
  const out = await getItem(db, getInput(db.table, Keys.customer(customerId)));
  if (out.Item?.entity === 'erased_customer' && options.erasedGone) {
    throw new GoneError(`customer ${customerId} was erased`);
  }
  if (out.Item?.entity === 'erased_customer' && options.erasedWaits) {
    throw new UnavailableError(
      `customer ${customerId} was erased after its identity was read; the event waits for the identity to be gone`,
      { code: ERASED_MEANWHILE },
    );
  }
  if (out.Item?.entity !== 'customer') return undefined;
  // Nothing is added to a customer being erased: the record comes back once the erasure has taken
  // the identities, and then starts a new customer.
  if (out.Item.erasingSince !== undefined) {
    throw new UnavailableError(`customer ${customerId} is being erased; the event waits for it to finish`);
  }
  const state = ProfileStateSchema.parse({ ...out.Item, customerId });
  return {
    ...state,
    lastInboundByChannel: lastInboundByChannelOf(out.Item),
    // Undefined when it does not read as a customer: routing then reads it.
    customer: readableOrUndefined(customerOfItem, out.Item),
  };
}

/** The stale part of a profile touch, answering the profile as it left it (for `advanceInbound`). */
const staleTouchInput = (table: string, touch: ProfileTouch) => ({
  ...touchProfileInput(table, touch, 'stale'),
  ReturnValues: 'ALL_NEW' as const,
});

/**
 * The stale part of a profile touch: the order-independent sets, the channel's reply window if later;
 * and the conversation a message older than the last resolve reopened, held open unless another is.
 */
async function touchStale(db: DynamoDb, touch: ProfileTouch): Promise<Record<string, unknown> | undefined> {
  const out = await updateItem(db, staleTouchInput(db.table, touch));
  await advanceInbound(db, touch, out.Attributes);
  if (touch.holdOpen) {
    await updateItemIf(db, holdOpenConversationInput(db.table, touch.customerId, touch.conversationId));
  }
  return out.Attributes;
}

/**
 * The profile's write for an event (current, or its stale part), answering the profile as it left it.
 * UnavailableError when the customer's erasure began since the resolver read the profile: nothing is
 * written on them, and the event is retried, to wait for their identities to be gone.
 */
async function writeTouch(
  db: DynamoDb,
  touch: ProfileTouch,
): Promise<{ attributes: Record<string, unknown> | undefined; current: boolean }> {
  try {
    if (touch.stale) return { attributes: await touchStale(db, touch), current: false };
    const out = await updateCurrentOrStaleReturning(db, {
      current: touchProfileInput(db.table, touch, 'current'),
      // Older than the last event or the last resolution: only the order-independent sets change,
      // and the last inbound (or the channel's reply window) if this is the latest message.
      stale: staleTouchInput(db.table, touch),
      followUp: undefined,
    });
    if (!out.current) await advanceInbound(db, touch, out.attributes);
    return out;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    throw new UnavailableError(
      `customer ${touch.customerId} is being erased or was erased since its profile was read; the event waits`,
      { cause: error, code: ERASED_MEANWHILE },
    );
  }
}

/**
 * Records a new conversation's membership (but a customer's first, whose id follows from theirs: see
 * `conversationIdsOf`), then upserts the profile. A name another event wrote first is replaced only
 * when this event is earlier. The name's word entries are written before the profile, at the name's
 * version (a retry after a crash between writes them again; the search leaves out words its profile
 * does not have), and the profile the write returns says whether they are its name's; when not (a
 * race with another name, a rename, a merge or an erasure) they are settled against a strong read.
 */
async function touchProfile(db: DynamoDb, touch: ProfileTouch): Promise<Customer | undefined> {
  const { name } = touch;
  const written = name ? { name: name.value, version: nameVersion({ nameAt: name.at }) } : undefined;
  if (written) await putNameWords(db, touch.customerId, written);
  const first = touch.conversationId === nextConversationId(touch.customerId, undefined);
  if (touch.newConversation !== false && !first) {
    await putItem(db, putMembershipInput(db.table, touch.customerId, touch.conversationId));
  }
  const { attributes, current } = await writeTouch(db, touch).catch(async (error: unknown) => {
    // Refused (the erasure began meanwhile): the words written above are not left under the erased id.
    if (written) await settleNameWords(db, touch.customerId, written);
    throw error;
  });
  // The profile as this write left it, when one write made it so (not a stale touch's, which another
  // may follow): routing reads it from here, not again.
  const left = current ? readableOrUndefined(customerOfItem, attributes ?? {}) : undefined;
  if (!name || !written) return left;
  const stored = liveName(attributes);
  if (sameName(stored, written)) return left;
  const storedAt = attributes?.nameAt;
  if (stored && typeof storedAt === 'string' && storedAt > name.at) {
    if (await updateItemIf(db, setNameInput(db.table, touch.customerId, name.value, name.at))) {
      // The later event's name replaced: its words after ours go.
      const from = wordCount(name.value) + 1;
      await clearNameWords(db, touch.customerId, written.version, from, wordCount(stored.name));
      return undefined;
    }
  }
  await settleNameWords(db, touch.customerId, written);
  return undefined;
}

/**
 * An agent's name for the customer (GoneError once its erasure began), then its word entries in place
 * of the old name's, settled against a strong read of the profile (see `settleNameWords`).
 */
async function renameCustomer(db: DynamoDb, customerId: string, name: string): Promise<void> {
  const renamed = await updateItemReturningIf(db, renameCustomerInput(db.table, customerId, name));
  if (!renamed) throw new GoneError(`customer ${customerId} is gone or being erased`);
  const written = liveName(renamed);
  if (written) await putNameWords(db, customerId, written, NAME_WORDS);
  await settleNameWords(db, customerId, written);
}

type Release = [identity: Identity, holder: string, profileIds: readonly string[]];

/** Takes a released identity off the profiles that show it, then deletes it while `holder` holds it. */
async function releaseIdentity(db: DynamoDb, ...[identity, holder, profileIds]: Release): Promise<void> {
  for (const id of new Set(profileIds))
    await updateItemIf(db, dropShownIdentityInput(db.table, id, identity));
  await deleteItemIf(db, releaseIdentityInput(db.table, identity, holder));
}

/**
 * Customers: who holds an identity, profiles (names, tags, channels, the last agent), merged
 * customers seen as one, and whether an address may be contacted.
 */
export function customerRepository(db: DynamoDb) {
  /** The customer's profile, or undefined; GoneError when it was erased or its erasure has begun. */
  const getCustomer = (customerId: string) => readCustomer(db, customerId, false);
  return {
    /** Who holds this identity; eventually consistent unless asked. */
    findCustomerId: async (identity: Identity, options: { consistent?: boolean } = {}) =>
      (await findIdentityHolder(db, identity, options))?.customerId,
    /** Who holds an identity, and whether a merge has it point there (see WebchatStore.findIdentityOwner). */
    findIdentityOwner: (identity: Identity) => findIdentityOwner(db, identity),
    /** The customer an identity belongs to, and whether a merge or an unmerge moved it. */
    findIdentityHolder: (identity: Identity, options: { consistent?: boolean } = {}) =>
      findIdentityHolder(db, identity, options),
    /** Claims an identity for a customer; false when someone holds it already. */
    claimIdentity(identity: Identity, customerId: string, now: string): Promise<boolean> {
      return putItemIf(db, claimIdentityInput(db.table, identity, customerId, now));
    },
    /** Takes an identity over from an erased customer that a late delivery claimed it for. */
    takeOverErasedIdentity: (...args: TakeOver) => takeOverErasedIdentity(db, ...args),
    /** A WhatsApp number change's old number: off the profiles that show it, then nobody's. */
    releaseIdentity: (...args: Release) => releaseIdentity(db, ...args),
    /** The customer list, newest first, a page at a time. */
    listCustomers: (page: { limit: number; cursor?: string | undefined }) => customerList(db, page),
    /** Records a new conversation's membership, then upserts the profile for an event. */
    touchProfile: (touch: ProfileTouch): Promise<Customer | undefined> => touchProfile(db, touch),
    /** What the resolver needs of a profile, or undefined when there is none. */
    getProfileState: (customerId: string, options?: ProfileRead) => readProfileState(db, customerId, options),
    /** Records whether an address may be contacted; only a later event changes it. */
    async setContactState(identity: Identity, state: ContactState): Promise<void> {
      await putItemIf(db, setContactStateInput(db.table, identity, state));
    },
    /** Whether an address may be contacted from our number `from` (see `contactStateToward`). */
    getContactState: (identity: Identity, from?: string) => contactStateToward(db, identity, from),
    /** A phone number's contact states, at most `limit`, in one read (see `contactStatesOf`). */
    contactStates: (identity: Identity, limit: number) => contactStatesOf(db, identity, limit),
    /** Which email addresses are suppressed, in one read (see `suppressedEmails`). */
    suppressedEmails: (addresses: readonly string[]) => suppressedEmails(db, addresses),
    getCustomer,
    /** A page of the customers whose name starts with the prefix, by name: merged from the name index's shards, then read. */
    findCustomersByName: (prefix: string, page: NamePage) => customersByName(db, prefix, page),
    /** Customers by id, in the ids' order (BatchGetItem); missing, erased and being-erased ones left out. */
    async getCustomers(customerIds: readonly string[]): Promise<Customer[]> {
      const items = await getItems(db, customerIds.map(Keys.customer));
      return items
        .filter((item) => item.entity !== 'erased_customer' && item.erasingSince === undefined)
        .flatMap((item) => readableOrUndefined(customerOfItem, item) ?? []);
    },
    /** The partitions whose union is this customer's timeline, and their profiles. */
    mergedCustomers: (customerId: string) => mergedCustomers(getCustomer, customerId),
    /**
     * The partitions whose union is this customer's timeline: the root of its merges and all merged in.
     * Only the erasure itself reads them `whileErasing`; everyone else meets GoneError once it began.
     * `consistent`: strongly consistent reads (the resolver's look for a merged customer's item).
     */
    async mergedPartitions(
      customerId: string,
      options: { whileErasing?: boolean; consistent?: boolean } = {},
    ): Promise<string[]> {
      const read = (id: string) => readCustomer(db, id, options.whileErasing === true, options.consistent);
      return (await mergedCustomers(read, customerId)).partitions;
    },
    /** Replaces the customer's tags (labels agents give them, such as `vip`). */
    async setTags(customerId: string, tags: readonly string[]): Promise<void> {
      await updateItem(db, setTagsInput(db.table, customerId, tags));
    },
    /** An agent's name for the customer, and its word entries in place of the old name's. */
    renameCustomer: (customerId: string, name: string) => renameCustomer(db, customerId, name),
    /** Adds and removes tags, leaving the others as they are (another agent's change included). */
    async changeTags(customerId: string, change: { add: readonly string[]; remove: readonly string[] }) {
      for (const input of changeTagsInputs(db.table, customerId, change)) await updateItem(db, input);
    },
    /** Keeps the survey awaiting the customer's answer on their profile (a later survey wins). */
    async setCsatPending(customerId: string, pending: CsatPending): Promise<void> {
      await updateItemIf(db, setCsatPendingInput(db.table, customerId, pending));
    },
    /** Remembers the agent whose reply was last queued to the customer (the latest wins). */
    async setLastAgent(customerId: string, agentId: string, at: string): Promise<void> {
      await updateItemIf(db, setLastAgentInput(db.table, customerId, agentId, at));
    },
  };
}

/** The customer repository's methods. */
export type CustomerRepository = ReturnType<typeof customerRepository>;
