import * as z from 'zod';
import { cleanName, hasVisibleText } from '../validation/visible-text.js';
import type { Identity } from './envelope.js';
import {
  identityToken,
  normaliseEmail,
  normalisePhone,
  type PhoneOptions,
  phoneIdentityKey,
} from './identity.js';
import { once } from './on-first-use.js';
import { TAG_RULE } from './tag-rule.js';

/** The most records one `POST /api/customers/import` takes. */
export const IMPORT_BATCH = 100;
/** The most addresses of one kind (phones, emails, WhatsApp ids) one record may give. */
export const IMPORT_ADDRESSES = 10;

/**
 * A customer's id in the system they come from: 1 to 128 printable ASCII characters, no spaces (an
 * EXTID item is keyed by it).
 */
const externalIdSchema = () =>
  z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\x21-\x7e]+$/, 'externalId must be 1 to 128 printable ASCII characters, no spaces');

const addresses = () => z.array(z.string().max(320)).max(IMPORT_ADDRESSES).default([]);

/**
 * A customer's display name as an agent or an import gives it: cleaned as a provider's name is (controls
 * and bidi controls out, one line, trimmed); one that shows nothing (zero-width spaces, fillers) is
 * refused rather than stored as an invisible name.
 */
export const customerNameSchema = () =>
  z
    .string()
    .overwrite(cleanName)
    .min(1)
    .max(256)
    .refine(hasVisibleText, { error: 'name must show at least one letter, digit or sign' });

/** A customer's tag (see TAG_RULE). */
export const tagSchema = () =>
  z.string().trim().min(1).max(TAG_RULE.maxLength).regex(TAG_RULE.pattern, TAG_RULE.allowed);

/**
 * One customer of an import, as the caller writes it; each record is checked on its own. Built with
 * the first import, not at cold start.
 */
export const importRecordSchema = once(() =>
  z.strictObject({
    externalId: externalIdSchema(),
    name: customerNameSchema().optional(),
    phones: addresses(),
    emails: addresses(),
    whatsapp: addresses(),
    tags: z.array(tagSchema()).max(TAG_RULE.maxPerChange).default([]),
  }),
);
export type ImportRecord = z.infer<ReturnType<typeof importRecordSchema>>;

/** What the store is asked to import: the external id, the name, the identities as the resolver keys them, the tags. */
export interface ImportPlan {
  externalId: string;
  name?: string | undefined;
  identities: Identity[];
  tags: string[];
}

/** How one record ended: a customer made, found by its external id, found by an identity, or why not. */
export type ImportOutcome = 'created' | 'existing' | 'matched' | 'conflict' | 'invalid';

/**
 * Why a record was not imported: it is not one (`invalid_request`), another customer holds one of its
 * identities (`identity_held`), or the customer it matched is being erased (`customer_erasing`).
 */
export const IMPORT_REASONS = ['invalid_request', 'identity_held', 'customer_erasing'] as const;
export type ImportReason = (typeof IMPORT_REASONS)[number];

/** What the store answers for a plan; a conflict names the identity another customer holds. */
export type ImportResult =
  | { outcome: 'created' | 'existing' | 'matched'; customerId: string }
  | { outcome: 'conflict'; identity?: Identity; customerId?: string; reason: ImportReason };

/** The answer for one record, in the request's order: on `invalid`, `detail` says what is wrong. */
export type ImportAnswer = {
  externalId?: string | undefined;
  outcome: ImportOutcome;
  customerId?: string;
  identity?: Identity;
  reason?: ImportReason;
  detail?: string;
};

/**
 * The record's identities as the resolver stores them: phones in E.164 read in the default region and
 * keyed as dialled today (`phoneIdentityKey`), WhatsApp ids (a `wa_id` is the number with its country
 * code, no `+`) as those phones, emails normalised; each once. A reason instead when one is not an
 * address (naming its place in the record, never the address itself).
 */
export function planImport(record: ImportRecord, phone: PhoneOptions): ImportPlan | { invalid: string } {
  const identities = new Map<string, Identity>();
  const add = (identity: Identity) => identities.set(identityToken(identity), identity);
  for (const [field, options] of [
    ['phones', phone],
    ['whatsapp', { ...phone, international: true }],
  ] as const) {
    for (const [i, written] of record[field].entries()) {
      const e164 = normalisePhone(written, options);
      if (!e164) return { invalid: `${field}[${i}] is not a phone number` };
      add({ kind: 'phone', value: phoneIdentityKey(e164) });
    }
  }
  for (const [i, written] of record.emails.entries()) {
    const email = normaliseEmail(written);
    if (!email) return { invalid: `emails[${i}] is not an email address` };
    add({ kind: 'email', value: email });
  }
  if (identities.size === 0 && record.name === undefined) {
    return { invalid: 'give a name or at least one phone, email or WhatsApp id' };
  }
  const tags = [...new Set(record.tags)];
  return { externalId: record.externalId, name: record.name, identities: [...identities.values()], tags };
}
