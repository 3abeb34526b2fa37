import type { SubscribedEvent } from '#shared/domain/events/integration-events.js';
import { type IfMatch, meetsIfMatch, revisionTag } from '#shared/domain/revision-tag.js';
import type { WebhookStore } from '#shared/domain/webhook-ports.js';
import { covers, guardedEvents, type Subscription, type SubscriptionView } from '#shared/domain/webhooks.js';
import { ConflictError, NotFoundError, PreconditionFailedError } from '#shared/errors.js';
import { type AuditDeps, type AuditEntry, audited } from './audited.js';
import { claimEventGuards, type GuardStore, listedTwin, releaseGuards, twinError } from './webhook-guards.js';

/** What an admin may change of a subscription without a new secret: its events, its description. */
export interface WebhookEdit {
  events?: SubscribedEvent[] | undefined;
  /** An empty one removes it. */
  description?: string | undefined;
}

type EditDeps = AuditDeps & {
  webhooks: GuardStore & Pick<WebhookStore, 'listSubscriptions' | 'editSubscription'>;
  /** The edit's `If-Match`, if it sent one: a conditional write that fails is then a 412. */
  ifMatch?: IfMatch | undefined;
};

/** The 412 of a subscription no longer at the revision an `If-Match` named. */
export function staleWebhook(id: string, revision: number | undefined): PreconditionFailedError {
  return new PreconditionFailedError(
    `webhook ${id} was changed since you read it (its ETag is now ${revisionTag(revision)}): read it again and decide`,
  );
}

/** Why a conditional edit did not land: the subscription was deleted (404), or edited meanwhile. */
async function refusedEdit(deps: EditDeps, id: string): Promise<Error> {
  const now = await deps.webhooks.getSubscription(id);
  if (!now) return new NotFoundError(`no webhook ${id}`);
  if (deps.ifMatch !== undefined && deps.ifMatch !== '*') return staleWebhook(id, now.revision);
  return new ConflictError('the webhook was edited meanwhile: read it again and retry', 'webhook_busy');
}

/** Writes the edit at the revision read; answers the subscription as written. */
async function save(
  deps: EditDeps,
  at: Subscription,
  edit: Pick<Subscription, 'events' | 'description'>,
): Promise<Subscription> {
  const revision = at.revision ?? 0;
  if (!(await deps.webhooks.editSubscription(at.id, revision, edit))) throw await refusedEdit(deps, at.id);
  const { description: _old, ...rest } = at;
  const description = edit.description ? { description: edit.description } : {};
  return { ...rest, events: edit.events, ...description, revision: revision + 1 };
}

/**
 * Gives the subscription the guards of its new events, refusing (409 naming it) an active one that
 * posts any of them to the same URL already. Added events are written first, beside the old ones
 * (a guard names a subscription taking its event, as for a create), and taken back if refused: the
 * old events are never dropped before the new ones are claimed. Answers the subscription as it is then.
 */
async function claimEvents(
  deps: EditDeps,
  current: Subscription,
  events: SubscribedEvent[],
): Promise<Subscription> {
  const listed = listedTwin(await deps.webhooks.listSubscriptions(), { ...current, events });
  if (listed) throw twinError(listed);
  // Listed beside the old ones while claimed: `*` stays `*` until the edit is saved.
  const added = events.filter((event) => !covers(current.events, event));
  const at =
    added.length > 0
      ? await save(deps, current, { ...current, events: [...current.events, ...added] })
      : current;
  const twin = await claimEventGuards(deps.webhooks, { ...current, events }, current.events);
  if (!twin) return at;
  // Taken back only if nobody edited it since (then theirs stands).
  if (at !== current) await deps.webhooks.editSubscription(at.id, at.revision ?? 0, current);
  throw twinError(twin);
}

const sameEvents = (a: readonly SubscribedEvent[], b: readonly SubscribedEvent[]) =>
  a.length === b.length && a.every((event) => b.includes(event));

/**
 * Changes a subscription's events or description as an admin (audited, with both before and after,
 * never the secret), its secret, URL and log kept:
 * validated as a create is (an event posted to the same URL by another active subscription is a 409
 * naming it), conditional on the subscription still there (404) and not edited meanwhile (409
 * `webhook_busy`, from the revision read; with `deps.ifMatch`, a 412 for a revision it does not name,
 * read or written). The same edit again changes nothing. Pending deliveries of
 * an event it no longer takes are cancelled when their turn comes; events it now takes are delivered
 * from when the events function's list (30 s) sees it.
 */
export async function updateWebhook(
  deps: EditDeps,
  id: string,
  edit: WebhookEdit,
  agentId: string,
): Promise<SubscriptionView> {
  const entry: AuditEntry = { agentId, action: 'webhook_update', customerIds: [], webhookId: id };
  return audited(deps, entry, async () => {
    const current = await deps.webhooks.getSubscription(id);
    if (!current) throw new NotFoundError(`no webhook ${id}`);
    if (!meetsIfMatch(deps.ifMatch, current.revision)) throw staleWebhook(id, current.revision);
    const events = edit.events ? [...new Set(edit.events)] : current.events;
    const description = edit.description === undefined ? current.description : edit.description || undefined;
    const at = edit.events ? await claimEvents(deps, current, events) : current;
    const changed = !sameEvents(at.events, events) || at.description !== description;
    const saved = changed ? await save(deps, at, { events, description }) : at;
    const kept = guardedEvents(events);
    const dropped = guardedEvents(at.events).filter((event) => !kept.includes(event));
    if (dropped.length > 0) await releaseGuards(deps.webhooks, current, dropped, current);
    const side = (of: { events: readonly string[]; description?: string | undefined }) => ({
      events: [...of.events],
      description: of.description ?? null,
    });
    entry.change = { before: side(current), after: side(saved) };
    const { secrets: _secrets, ...view } = saved;
    return view;
  });
}
