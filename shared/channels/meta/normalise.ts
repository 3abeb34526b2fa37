import * as z from 'zod/mini';
import type { EnvelopeInput } from '#shared/domain/envelope.js';
import { ValidationError } from '#shared/errors.js';
import { hot } from '#shared/validation/hot.js';
import {
  type BodyContext,
  collect,
  forEachMetaEntry,
  isRecord,
  lengthOf,
  type Normalised,
  rejectInvalid,
} from '../normalised.js';
import { editEnvelope, reactionEnvelope, receiptEnvelopes, unknownEventEnvelope } from './acts.js';
import {
  type Event,
  eventMessage,
  type MetaChannel,
  partyKey,
  type Scope,
  sidesOf,
  timeKey,
} from './event.js';
import { messageEnvelopes, postbackEnvelope } from './messages.js';
import {
  MetaChangeSchema,
  MetaEntrySchema,
  MetaMessagingEventSchema,
  MetaMessagingWebhookSchema,
  metaTimeMs,
} from './schema.js';

// Containers are parsed one level at a time, each event on its own, so that one malformed event
// costs only itself and not the rest of the batch.
const BodyShellSchema = z.extend(MetaMessagingWebhookSchema, { entry: z.array(z.unknown()) });
const EntryShellSchema = z.extend(MetaEntrySchema, {
  // Only a fallback for events without a timestamp: a bad one must not cost the entry, so it is read
  // (metaTimeMs: undefined when it is no time) rather than checked. Not `z.catch`: zod's catch reaches
  // its helpers through the `util` namespace, which esbuild then bundles whole (7.5 KB of this bundle).
  time: z.optional(z.unknown()),
  messaging: z.optional(z.array(z.unknown())),
  standby: z.optional(z.array(z.unknown())),
  changes: z.optional(z.array(z.unknown())),
});

// Built once: a zod schema compiles on its first parse.
const ObjectKindSchema = z.looseObject({ object: z.enum(['page', 'instagram']) });

// What every delivery parses, compiled once the function is warm.
const ObjectKind = hot(ObjectKindSchema);
const BodyShell = hot(BodyShellSchema);
const EntryShell = hot(EntryShellSchema);
const SHELLS = {
  body: BodyShell.safeParse,
  entry: EntryShell.safeParse,
  items: (entry: unknown) =>
    lengthOf(entry, 'messaging') + lengthOf(entry, 'standby') + lengthOf(entry, 'changes'),
};
const Change = hot(MetaChangeSchema);
const MessagingEvent = hot(MetaMessagingEventSchema);

const CHANNEL_OF = { page: 'messenger', instagram: 'instagram' } as const satisfies Record<
  string,
  MetaChannel
>;

/**
 * Turns a Messenger (`object: page`) or Instagram (`object: instagram`) webhook body into envelopes:
 * every entry, every `messaging[]`, `standby[]` and `changes[]` event. Pure and deterministic: the same
 * body always yields the same envelopes. Throws ValidationError when the body is neither (no `entry`
 * array included) or is larger than Meta batches (see forEachMetaEntry); a malformed or unusable event
 * is skipped and reported in `rejected`, never dropped silently.
 */
export function normaliseMetaMessaging(payload: unknown, ctx: BodyContext): Normalised {
  const kind = ObjectKind.safeParse(payload);
  if (!kind.success) {
    throw new ValidationError('not a Messenger or Instagram webhook', { cause: kind.error });
  }
  const channel = CHANNEL_OF[kind.data.object];
  const out: Normalised = { envelopes: [], rejected: [] };
  forEachMetaEntry(payload, SHELLS, out, (entry, i) => {
    const { id, time, messaging, standby, changes } = entry;
    const scope: Scope = {
      ctx,
      channel,
      entryId: id,
      entryTimeMs: typeof time === 'number' || typeof time === 'string' ? metaTimeMs(time) : undefined,
    };
    for (const [list, items] of [
      ['messaging', messaging],
      ['standby', standby],
    ] as const) {
      items?.forEach((raw, k) => {
        const pointer = `/entry/${i}/${list}/${k}`;
        collect(out, pointer, () => eventEnvelopes(raw, scope, pointer, { standby: list === 'standby' }));
      });
    }
    changes?.forEach((rawChange, j) => {
      const pointer = `/entry/${i}/changes/${j}`;
      const change = Change.safeParse(rawChange);
      if (!change.success) {
        rejectInvalid(out, pointer, change.error);
        return;
      }
      const { field, value } = change.data;
      // The Graph `changes` shape carries a messaging event as its value (dashboard test events); other
      // fields (comments, mentions...) are not conversations and are reported, not guessed at.
      if (!isRecord(value) || !('sender' in value || 'recipient' in value)) {
        const named = field ? ` ${field.slice(0, 64)}` : '';
        out.rejected.push({ pointer, reason: `change${named} carries no messaging event` });
        return;
      }
      collect(out, `${pointer}/value`, () =>
        eventEnvelopes(value, scope, `${pointer}/value`, { standby: field === 'standby', graphChange: true }),
      );
    });
  });
  return out;
}

function eventEnvelopes(
  raw: unknown,
  scope: Scope,
  pointer: string,
  shape: { standby: boolean; graphChange?: boolean },
): EnvelopeInput[] {
  const event = MessagingEvent.parse(raw);
  const e: Event = {
    event,
    raw,
    scope,
    pointer,
    standby: shape.standby,
    graphChange: shape.graphChange === true,
    timeMs: event.timestamp === undefined ? undefined : metaTimeMs(event.timestamp),
    senderKey: partyKey(event.sender),
    sides: sidesOf(event, scope),
  };
  if (event.message) return messageEnvelopes(e, event.message);
  if (event.message_edit) return [editEnvelope(e, event.message_edit)];
  if (event.reaction) return [reactionEnvelope(e, event.reaction)];
  if (event.delivery) return receiptEnvelopes(e, event.delivery, 'delivered');
  if (event.read) return receiptEnvelopes(e, event.read, 'read');
  if (event.postback) return [postbackEnvelope(e, event.postback)];
  if (event.referral) {
    // A referral alone (an ad or link followed in a thread that exists): context for the next message,
    // which asks what the customer wants; it starts no wait and asks the AI nothing (`isContext`).
    const key = `referral:${e.senderKey}:${timeKey(e)}`;
    return [eventMessage(e, key, 'referral', { referral: event.referral, context: true })];
  }
  return [unknownEventEnvelope(e)];
}
