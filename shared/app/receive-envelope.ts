import type { TrackClock } from '../domain/clock-ports.js';
import {
  besideSentMessage,
  isProviderNotice,
  keptPlacement,
  placeEvent,
  threadId,
  threadParents,
} from '../domain/conversation.js';
import type { CsatStore } from '../domain/csat/csat-ports.js';
import { redactedMessage } from '../domain/deletion.js';
import type { Envelope, Identity } from '../domain/envelope.js';
import type { PhoneOptions } from '../domain/identity.js';
import type { Clock, EnvelopeQueue, IdGenerator } from '../domain/ports.js';
import { profileTouchNeeded } from '../domain/profile-touch.js';
import {
  arrivalOf,
  canonicalEnvelope,
  contactStateOf,
  echoAsSent,
  echoOfOurReply,
  isCustomerSpeaking,
  oncePlacement,
  standsForItsMessage,
} from '../domain/resolution.js';
import type {
  PlacedEvent,
  ProfileTouch,
  ResolverStore,
  SentMessage,
  TouchedConversation,
} from '../domain/resolver-ports.js';
import type { Receipt, RouteInbound } from '../domain/router-ports.js';
import { routableKind } from '../domain/routing/routable.js';
import type { Customer } from '../domain/timeline.js';
import { firstReceipt, isResend, lateFailureWait, redeliveredAt } from '../domain/waiting.js';
import { watermarkOf } from '../domain/watermark.js';
import { typedIdentities } from '../domain/webchat/envelopes.js';
import { type WhatsappSender, whatsappSenderOf } from '../domain/whatsapp-sender.js';
import { closesWhatsAppWindow } from '../domain/whatsapp-window.js';
import { loggedId } from '../log.js';
import { answerCsat, keepSurveyAnswer } from './answer-csat.js';
import { isLaterLook, lookAgain, redactDeleted } from './apply-deletion.js';
import { applyReadUpTo, applyWatermark } from './apply-watermark.js';
import { customerWords } from './customer-words.js';
import { droppedAsErased, knownErasedRetry } from './erased-retry.js';
import { editRefused, itemToPlace } from './held-edits.js';
import {
  claimOtherIdentities,
  meetThreadOwner,
  type Resolving,
  recordEvidence,
} from './identity-evidence.js';
import { type LookedUpName, lookUpName, nameToKeep, type ProfileNameLookup } from './look-up-name.js';
import { isAnotherReceipt } from './mail-receipt.js';
import { threadOfGroup } from './merged-thread.js';
import { claimChangedIdentity, lastNumbers, releaseOldNumber, systemNoticeSender } from './number-change.js';
import { endWaitAtStop } from './opt-out-wait.js';
import { isSuppression, suppressionTarget } from './receive-suppression.js';
import { answerFromBusinessApp } from './record-business-answer.js';
import { recordUnsubscribedStatus } from './record-unsubscribed.js';
import { eventHolder } from './resolve-customer-claim.js';
import { routeItem } from './route-item.js';
import { tellClockOfCallEnd } from './tell-call-end.js';
import { failureReason, type UndeliveredAnswerHandOff } from './undelivered-answer.js';
import { routeThenWait, tellClockOfMessage, waitAgainAfterFailure } from './wait-after-routing.js';

/** Resolver dependencies. */
export interface ResolverDeps {
  store: ResolverStore;
  clock: Clock;
  ids: IdGenerator;
  /** How long after its resolution a customer's new message reopens a conversation (default 72 h). */
  reopenWindowMs?: number;
  phone?: PhoneOptions;
  log?: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;
  /** Hands a person the conversation whose AI answer failed after the provider took it. */
  undelivered?: UndeliveredAnswerHandOff | undefined;
  /** Routes an inbound message or voicemail once it is on the timeline; no routing when unset. */
  route?: RouteInbound | undefined;
  /** Tells the conversation clock (SLA, snooze) of the customer's message, after routing. */
  track?: TrackClock | undefined;
  /** Records answers to a pending satisfaction survey before routing; answers are messages when unset. */
  csat?: CsatStore | undefined;
  /** Its own queue, for a deletion's or a held edit's later look (`redactDeleted`, `editRefused`); without it, none. */
  requeue?: EnvelopeQueue | undefined;
  /** A Messenger or Instagram customer's name from Meta, asked once (`lookUpName`); none when unset. */
  profileName?: ProfileNameLookup | undefined;
  languages?: readonly string[] | undefined; // the team's (`policyLanguages`), for `languageOfMessage`
}

/** The outcome of applying one envelope, for logs and tests. */
export interface ResolveResult {
  customerId?: string;
  conversationId?: string;
  written: boolean;
}

/**
 * Puts the event on the timeline in its conversation, links its outbound message and email thread,
 * raises a suggestion when the thread is another customer's, and touches the conversation. A redelivery keeps the first delivery's placement. Undefined, and
 * nothing done, for the echo of one of our own replies or a retry of an erased event.
 */
async function placeOnTimeline(deps: ResolverDeps, resolving: Resolving): Promise<PlacedEvent | undefined> {
  const { envelope, customerId, profile, now, once, sentIn } = resolving;
  const parents = threadParents(envelope);
  const link = parents.length ? await deps.store.findThread(envelope.channel, parents) : undefined;
  const thread = link && (await threadOfGroup(deps, link, { customerId, profile }));
  let placement = sentIn
    ? besideSentMessage(sentIn, profile?.openConversationId)
    : placeEvent(envelope, profile, customerId, thread, deps.reopenWindowMs);
  const inbound = isCustomerSpeaking(envelope) || standsForItsMessage(envelope, placement);

  let item = await itemToPlace(deps.store, resolving, placement.conversationId);
  // Timed at or before the resolve it came after: its receipt decides the reopen, kept for redeliveries.
  // Read after the profile that showed the resolve, so it is later than the resolve however close.
  if (placement.late && inbound) item = { ...item, receivedAt: deps.clock.now().toISOString() };
  // Once per provider event, whenever it is delivered: a redelivery lands on the first one's place.
  const placed = await deps.store.placeTimelineItem(item, envelope.raw, once, arrivalOf(envelope));
  // The echo of a reply we sent: the reply is on the timeline, and changed its conversation already.
  // One that overtook our sender records the reply `sent` (its provider id), as Messenger's key does.
  if (placed.replyKey && envelope.kind === 'message')
    await deps.store.advanceStatus(echoAsSent(envelope, placed.replyKey));
  if (placed.echoOfReply || placed.erased || (await editRefused(deps, envelope, placed))) return undefined;
  item = { ...item, customerId: placed.customerId, at: placed.at };
  // Deleted by the customer before it came: nothing after this (preview, routing) reads its words.
  if (placed.deletedAt) item = redactedMessage(item, placed.deletedAt);
  // The customer deleted one of their messages: its words leave the store (a redelivery does it again).
  if (envelope.kind === 'delete') {
    await redactDeleted(deps, envelope, { customerId: placed.customerId, identity: resolving.customer }, now);
  }
  if (!placed.written) {
    // A redelivery: keep the first delivery's placement rather than deciding again.
    const existing = await deps.store.getTimelineItem(placed.customerId, placed.at, item.id);
    if (existing) item = existing;
    if (existing?.conversationId && existing.conversationId !== placement.conversationId) {
      placement = keptPlacement(envelope, existing.conversationId, profile?.openConversationId);
    }
  }
  const written = placed.written;
  await meetThreadOwner(deps, resolving, thread);
  // A `failed` parked before the message (the statuses may overtake the echo) moves the item now.
  const failedFirst =
    envelope.kind === 'message' && envelope.direction === 'outbound' && (await deps.store.linkOutbound(item));
  const undelivered = failedFirst || item.status === 'failed';
  const ownThreadId = threadId(envelope);
  if (ownThreadId) {
    const threadLink = { customerId, conversationId: placement.conversationId };
    await deps.store.linkThread(envelope.channel, ownThreadId, threadLink);
  }
  // Quiet mail filed on a conversation that is not open leaves it untouched (status, wait, inbox).
  const routed = inbound && deps.route !== undefined && routableKind(item) !== undefined;
  const touched: TouchedConversation = placement.quiet
    ? { snapshot: undefined, current: false, unlisted: false, latestInbound: false }
    : await deps.store.touchConversation({
        ...placement,
        customerId,
        channel: envelope.channel,
        at: item.at,
        now,
        inbound,
        ...(inbound ? customerWords(item, deps.languages) : {}),
        receivedAt: item.receivedAt,
        arrivedAt: envelope.receivedAt,
        continues: placement.conversationId === profile?.openConversationId,
        listLater: routed,
        // A turn for routing's AI answer limit, counted by the delivery that wrote the message only.
        countsTurn: routed && written,
      });
  const { snapshot, current, unlisted } = touched;
  return {
    item,
    placement,
    written,
    inbound,
    conversation: snapshot,
    current,
    latestInbound: touched.latestInbound ?? (inbound && current),
    unlisted: unlisted === true,
    undelivered,
    overtaken: touched.overtaken,
  };
}

/**
 * What the event tells about the customer: a new identity, mentions, a contact preference, then the
 * profile itself (written last: the decisions read it), with the name of the earliest event that had
 * one. The profile is written only when something its readers need changes (`profileTouchNeeded`).
 */
async function updateCustomer(
  deps: ResolverDeps,
  resolving: Resolving,
  claimed: { identities: Identity[]; contested: Identity[] },
  placed: Pick<PlacedEvent, 'inbound' | 'current' | 'latestInbound' | 'written'> & {
    conversationId: string;
    at: string;
    quiet?: boolean | undefined;
    /** The touch reopened it; `late`: by an event timed at or before the resolve (`Placement.late`). */
    reopened?: boolean | undefined;
    late?: boolean | undefined;
    whatsapp?: WhatsappSender | undefined;
    lookedUp?: LookedUpName | undefined;
  },
): Promise<{ written: boolean; left?: Customer | undefined }> {
  const { envelope, customer, customerId, profile, now } = resolving;
  const { contested } = claimed;
  const { identities, released, whatsapp } = await claimChangedIdentity(deps, resolving, claimed, placed);
  const mentioned = await recordEvidence(deps, resolving, identities, contested);
  // At the first delivery's time, whichever delivery writes it: a resend never outranks a later keyword.
  const contact = contactStateOf(envelope, placed.at);
  // Under the customer it came from: the consent event its change makes names them.
  if (contact) await deps.store.setContactState(customer, { ...contact, customerId });
  const touch: ProfileTouch = {
    customerId,
    identities,
    channel: envelope.channel,
    at: envelope.occurredAt,
    now,
    conversationId: placed.conversationId,
    // Quiet mail points the profile at no conversation (`stale` below): the one it was filed on is known.
    newConversation: !placed.quiet && placed.conversationId !== profile?.openConversationId,
    inbound: placed.inbound,
    mentioned,
    name: nameToKeep(resolving) ?? placed.lookedUp?.name,
    ...(placed.lookedUp ? { nameLookedUp: true } : {}),
    // Older than the resolve it reopened the conversation after: not current, but held open.
    ...(placed.current && !placed.quiet && !placed.late ? {} : { stale: true }),
    ...(placed.latestInbound ? { latestInbound: true } : {}),
    ...(placed.written ? { firstDelivery: true } : {}),
    ...(placed.reopened && placed.late ? { holdOpen: true } : {}),
    typedEmail: typedIdentities(envelope)[0]?.value,
    ...lastNumbers(resolving, placed.inbound, whatsapp),
    ...(envelope.kind === 'system' && whatsapp ? { numberChanged: true } : {}),
    // No profile yet: its first write lists the customer (a crash before it: the retry finds none either).
    ...(profile ? {} : { firstContact: true }),
  };
  const written = profileTouchNeeded(profile, touch);
  const left = written ? await deps.store.touchProfile(touch) : undefined;
  if (released) await releaseOldNumber(deps, resolving, released);
  return { written, left: released ? undefined : left }; // released: it left the profile, routing reads
}

/**
 * Applies the event of a known identity: who, where on the timeline, what it changes, then routing.
 * An event about a message we sent (`sent`: a bounce) is that message's customer's, in its conversation.
 * The clock hears of a call's end (a missed call's timer, a call-back's answer) and of the customer's
 * message, but for a provider's resend of one stored before (`isResend`: its delivery told it).
 */
async function resolveCustomerEvent(
  deps: ResolverDeps,
  envelope: Envelope,
  customer: Identity,
  whatsapp?: WhatsappSender,
  sent?: SentMessage,
  receipt?: Receipt,
): Promise<ResolveResult> {
  const now = deps.clock.now().toISOString();
  const holder = await eventHolder(deps, customer, envelope, sent);
  if (!holder) return droppedAsErased(deps, envelope);
  const { claim, customerId, profile } = holder;
  // A deletion's later look for its message: the deletion again, nothing placed, touched or routed.
  if (isLaterLook(envelope)) return lookAgain(deps, envelope, { customerId, identity: customer }, now);
  const { editHeldAt } = claim;
  const once = oncePlacement(envelope, { ...claim, hopped: customerId !== claim.customerId, profile });
  if (await knownErasedRetry(deps.store, envelope, { claim, profile, sent }))
    return droppedAsErased(deps, envelope);
  if (await isAnotherReceipt(deps, envelope, customerId)) return { customerId, written: false };
  const pending = profile?.csatPending;
  if (deps.csat && pending && (await answerCsat(deps.csat, { envelope, customerId, pending, profile }))) {
    await keepSurveyAnswer(deps.store, { envelope, customerId, pending, once });
    deps.log?.('info', 'csat answer recorded', { customerId, channel: envelope.channel });
    return { customerId, conversationId: pending.conversationId, written: true };
  }
  const sentIn = sent?.conversationId;
  const resolving: Resolving = { envelope, customer, customerId, profile, now, once, sentIn, editHeldAt };
  // The address a bounce names is no identity of the sent mail's customer (a desk, another's mailbox).
  const claimed = sent ? { identities: [], contested: [] } : await claimOtherIdentities(deps, resolving);
  const placed = await placeOnTimeline(deps, resolving);
  if (!placed) {
    deps.log?.('info', 'nothing placed (echo or erased retry)', { customerId, channel: envelope.channel });
    return { customerId, written: false };
  }
  const { item, placement, written, inbound, conversation, current } = placed;
  const { conversationId } = placement;
  // What the touch wrote, not what the placement meant: a resolve after the message keeps it resolved.
  const reopened = placement.reopen && current;
  // After the message is stored (a slow lookup holds up only the name), before the touch and routing.
  const lookedUp = await lookUpName(deps.profileName, resolving, inbound);
  const touched = await updateCustomer(deps, resolving, claimed, {
    ...placement,
    ...placed,
    at: item.at,
    reopened,
    whatsapp,
    lookedUp,
  });
  deps.log?.('info', written ? 'timeline item written' : 'duplicate envelope, already on the timeline', {
    customerId,
    channel: envelope.channel,
    conversationId,
    ...(item.providerMessageId ? { providerMessageId: loggedId(item.providerMessageId) } : {}),
  });
  // The profile routing would read: the one read here, or the one this event's write answered.
  const profileRead = touched.written ? touched.left : profile?.customer;
  // After routing, so a message the AI answers never moves the inbox entry (an unsent answer waits again).
  const waiting = {
    conversationId: item.conversationId ?? conversationId,
    at: item.at,
    receivedAt: firstReceipt(item, { written, now, envelope }),
    inbound,
    asTouched: current ? conversation?.conversation : undefined,
    unlisted: placed.unlisted,
    overtaken: placed.overtaken === true || item.receivedAt !== undefined, // or late: the resolve overtook it
    arrivedAt: written ? envelope.receivedAt : redeliveredAt(item, envelope),
    firstResponded: conversation?.state.firstResponseAt !== undefined,
  };
  const routing = { item, customerId, conversationId, written, conversation, profileRead, reopened };
  const routed = await routeThenWait(deps.store, waiting, () => routeItem(deps.route, routing, receipt));
  await answerFromBusinessApp(deps, envelope, placed, { customerId, conversationId });
  const firstWord = profile !== undefined && profile.lastInboundAt === undefined;
  const automated = envelope.kind === 'message' && envelope.data?.automated === true;
  const told = { seen: conversation?.conversation, reopened, firstWord, routed, automated };
  if (!inbound) await tellClockOfCallEnd(deps, envelope, waiting);
  else if (!isResend(item, { written, envelope })) await tellClockOfMessage(deps.track, waiting, told);
  await endWaitAtStop(deps, { envelope, item, profile });
  return { customerId, conversationId, written };
}

/**
 * Receives one envelope: applies it to the store, then routes it when it is an inbound message or a
 * voicemail. Safe to repeat after a crash at any point: decisions are made from a profile read, every
 * write is an idempotent upsert or a write-once put keyed on the provider's ids, and the profile
 * (which the decisions read) is written last, so a retry after any crash makes the same decisions
 * and completes the rest. `receipt`: the queue's (a twin's first receive leaves routing to the
 * delivery that wrote the item, see `routeMessage`); none for a replayed status.
 */
export async function receiveEnvelope(
  deps: ResolverDeps,
  queued: Envelope,
  receipt?: Receipt,
): Promise<ResolveResult> {
  const envelope = canonicalEnvelope(queued, deps.phone ?? {});
  if (envelope.kind === 'status') {
    const watermark = watermarkOf(envelope);
    if (watermark) return applyWatermark(deps, envelope, watermark);
    await applyReadUpTo(deps, envelope);
    const failed = await deps.store.advanceStatus(envelope);
    if (failed && closesWhatsAppWindow(envelope))
      await deps.store.closeWhatsAppWindow?.(failed.item.customerId, failed.item.at);
    if (failed) await recordUnsubscribedStatus(deps.store, envelope, failed);
    const handOff = { to: deps.undelivered, reason: failureReason(envelope) };
    if (failed)
      await waitAgainAfterFailure(deps.store, lateFailureWait(failed), deps.clock, deps.track, handOff);
    return { written: true };
  }
  const ours = echoOfOurReply(envelope);
  if (ours) {
    await deps.store.advanceStatus(ours);
    deps.log?.('info', 'echo of our own reply', {
      channel: envelope.channel,
      providerMessageId: loggedId(ours.providerMessageId),
    });
    return { written: false };
  }
  if (isSuppression(envelope)) {
    // Never a customer of its own: the sent mail's, or none (see suppressionTarget).
    const target = await suppressionTarget(deps, envelope);
    if ('done' in target) return target.done;
    return resolveCustomerEvent(deps, envelope, envelope.customer, undefined, target.attach, receipt);
  }
  if (!envelope.customer) {
    await deps.store.putProviderEvent(envelope);
    deps.log?.('warn', 'provider event without a customer', {
      channel: envelope.channel,
      kind: envelope.kind,
      envelopeId: loggedId(envelope.id),
    });
    return { written: true };
  }
  // The provider's news about someone never seen (a handover event, an optin, WhatsApp's number change
  // from and to numbers nobody has): kept aside, no customer.
  const sender = isProviderNotice(envelope)
    ? (await deps.store.findCustomerId(envelope.customer)) && envelope.customer
    : await systemNoticeSender(deps, envelope);
  if (!sender) {
    await deps.store.putProviderEvent(envelope);
    const fields = { channel: envelope.channel, kind: envelope.kind, envelopeId: loggedId(envelope.id) };
    deps.log?.('info', 'notice of no known customer kept aside', fields);
    return { written: true };
  }
  return resolveCustomerEvent(
    deps,
    envelope,
    sender,
    whatsappSenderOf(queued, deps.phone),
    undefined,
    receipt,
  );
}
