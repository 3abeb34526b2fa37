import * as z from 'zod/mini';
import { ValidationError } from '#shared/errors.js';
import { hot } from '#shared/validation/hot.js';
import {
  type BodyContext,
  collect,
  forEachMetaEntry,
  isRecord,
  lengthOf,
  listOf,
  type Normalised,
  rejectInvalid,
} from '../normalised.js';
import { messageEnvelopes } from './messages.js';
import {
  WhatsAppChangeSchema,
  WhatsAppEntrySchema,
  WhatsAppErrorSchema,
  WhatsAppMessageSchema,
  WhatsAppStatusSchema,
  WhatsAppValueSchema,
  WhatsAppWebhookSchema,
} from './schema.js';
import type { Scope } from './scope.js';
import { errorEnvelope, statusEnvelope } from './statuses.js';

// Containers are parsed one level at a time, each item on its own, so that one malformed message
// costs only itself and not the rest of the batch (Meta batches up to 1000 updates per request).
const BodyShellSchema = z.extend(WhatsAppWebhookSchema, { entry: z.array(z.unknown()) });
const EntryShellSchema = z.extend(WhatsAppEntrySchema, { changes: z.optional(z.array(z.unknown())) });
const ChangeShellSchema = z.extend(WhatsAppChangeSchema, { value: z.optional(z.unknown()) });
const ValueShellSchema = z.extend(WhatsAppValueSchema, {
  messages: z.optional(z.array(z.unknown())),
  message_echoes: z.optional(z.array(z.unknown())),
  statuses: z.optional(z.array(z.unknown())),
  errors: z.optional(z.array(z.unknown())),
});

/** Change fields carrying customer traffic; others (template updates, account alerts...) are skipped. */
const MESSAGE_FIELDS = new Set(['messages', 'smb_message_echoes']);

// Built once: a zod schema compiles on its first parse, so a per-call schema costs that every time.
const ObjectKindSchema = z.looseObject({ object: z.literal('whatsapp_business_account') });

// What every delivery parses, compiled once the function is warm.
const ObjectKind = hot(ObjectKindSchema);
const BodyShell = hot(BodyShellSchema);
const EntryShell = hot(EntryShellSchema);
const ChangeShell = hot(ChangeShellSchema);
const ValueShell = hot(ValueShellSchema);
const Message = hot(WhatsAppMessageSchema);
const Status = hot(WhatsAppStatusSchema);
const ErrorItem = hot(WhatsAppErrorSchema);
const SHELLS = { body: BodyShell.safeParse, entry: EntryShell.safeParse, items: itemsOf };

/** A raw entry's items: each change's messages, echoes, statuses and errors (a change of none counts once). */
function itemsOf(entry: unknown): number {
  let items = 0;
  for (const change of listOf(entry, 'changes')) {
    const value = isRecord(change) ? change.value : undefined;
    const lists = ['messages', 'message_echoes', 'statuses', 'errors'].map((key) => lengthOf(value, key));
    items += Math.max(
      1,
      lists.reduce((sum, n) => sum + n, 0),
    );
  }
  return items;
}

/**
 * Turns a WhatsApp Cloud API webhook body into envelopes: every entry, every change, every message,
 * echo, status and error. Pure and deterministic: the same body always yields the same envelopes.
 * Throws ValidationError when the body is not a WhatsApp Business Account webhook at all (no `entry`
 * array included) or is larger than Meta batches (see forEachMetaEntry); a malformed part is skipped
 * and reported in `rejected`.
 */
export function normaliseWhatsApp(payload: unknown, ctx: BodyContext): Normalised {
  const kind = ObjectKind.safeParse(payload);
  if (!kind.success) {
    throw new ValidationError('not a WhatsApp Business Account webhook', { cause: kind.error });
  }
  const out: Normalised = { envelopes: [], rejected: [] };
  forEachMetaEntry(payload, SHELLS, out, (entry, i) => {
    for (const [j, rawChange] of (entry.changes ?? []).entries()) {
      const pointer = `/entry/${i}/changes/${j}`;
      const change = ChangeShell.safeParse(rawChange);
      if (!change.success) {
        rejectInvalid(out, pointer, change.error);
        continue;
      }
      const { field, value: rawValue } = change.data;
      // Test payloads often omit `field`; the arrays in the value then say what it is.
      if ((field !== undefined && !MESSAGE_FIELDS.has(field)) || rawValue === undefined) continue;
      const value = ValueShell.safeParse(rawValue);
      if (value.success) normaliseValue(out, `${pointer}/value`, value.data, ctx, { entry: i, change: j });
      else rejectInvalid(out, `${pointer}/value`, value.error);
    }
  });
  return out;
}

function normaliseValue(
  out: Normalised,
  pointer: string,
  value: z.infer<typeof ValueShellSchema>,
  ctx: BodyContext,
  at: { entry: number; change: number },
): void {
  const scope: Scope = {
    ctx,
    account: value.metadata?.phone_number_id,
    contacts: value.contacts ?? [],
    messageCount: value.messages?.length ?? 0,
  };
  value.messages?.forEach((raw, k) => {
    collect(out, `${pointer}/messages/${k}`, () => {
      const message = Message.parse(raw);
      return messageEnvelopes(message, raw, 'inbound', scope, `${pointer}/messages/${k}`);
    });
  });
  value.message_echoes?.forEach((raw, k) => {
    collect(out, `${pointer}/message_echoes/${k}`, () => {
      const message = Message.parse(raw);
      return messageEnvelopes(message, raw, 'outbound', scope, `${pointer}/message_echoes/${k}`);
    });
  });
  value.statuses?.forEach((raw, k) => {
    collect(out, `${pointer}/statuses/${k}`, () => [
      statusEnvelope(Status.parse(raw), raw, scope, `${pointer}/statuses/${k}`),
    ]);
  });
  value.errors?.forEach((raw, k) => {
    collect(out, `${pointer}/errors/${k}`, () => {
      const error = ErrorItem.parse(raw);
      const errorPointer = `${pointer}/errors/${k}`;
      return [
        errorEnvelope(
          error,
          raw,
          scope,
          errorPointer,
          `whatsapp:error:${ctx.bodySha256}:${at.entry}:${at.change}:${k}`,
        ),
      ];
    });
  });
}
