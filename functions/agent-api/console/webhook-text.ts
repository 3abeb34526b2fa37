import { ApiError } from './api.js';
import { clock, failureText } from './format.js';

/**
 * A subscription as `GET /api/webhooks` lists it (never its secrets): the fields the view shows of
 * `SubscriptionView` (`shared/domain/webhooks.ts`, whose module the browser cannot load).
 */
export interface Webhook {
  id: string;
  url: string;
  events: string[];
  description?: string;
  createdAt: string;
  disabledAt?: string;
  disabledReason?: string;
  consecutiveFailures?: number;
  circuitOpenUntil?: string;
  revision?: number;
}

/** A delivery of the log as `GET /api/webhooks/{id}/deliveries` answers it: the fields the view shows. */
export interface DeliveryRow {
  id: string;
  eventType: string;
  createdAt: string;
  status: string;
  attempts: number;
  priorAttempts?: number;
  lastStatus?: number;
  lastError?: string;
  nextAttemptAt?: string;
  deliveredAt?: string;
  replayedAt?: string;
}

/** The delivery log's statuses, as its `status` filter takes them, with what each means. */
export const DELIVERY_STATUSES: ReadonlyArray<[string, string]> = [
  ['pending', 'Pending (on its way or retried)'],
  ['delivered', 'Delivered'],
  ['failed', 'Failed (given up on)'],
  ['paused', 'Paused (held while disabled)'],
  ['cancelled', 'Cancelled'],
];

/** Where a subscription stands: enabled, disabled (by an admin or a 410), or held by its breaker. */
export function webhookState(
  webhook: Webhook,
  now = Date.now(),
): { kind: 'enabled' | 'disabled' | 'paused'; text: string } {
  const failures = webhook.consecutiveFailures ?? 0;
  const inRow = `${failures} failure${failures === 1 ? '' : 's'} in a row`;
  if (webhook.disabledAt) {
    const why = webhook.disabledReason ? `: ${webhook.disabledReason}` : '';
    return { kind: 'disabled', text: `Disabled since ${clock(webhook.disabledAt)}${why}` };
  }
  if (webhook.circuitOpenUntil && Date.parse(webhook.circuitOpenUntil) > now)
    return {
      kind: 'paused',
      text: `Paused by the breaker until ${clock(webhook.circuitOpenUntil)} (${inRow}): deliveries wait, then are retried`,
    };
  return { kind: 'enabled', text: failures ? `Enabled (${inRow})` : 'Enabled' };
}

/** The webhook API's refusals, by error code, in words an admin acts on. */
const WHY: Record<string, string> = {
  forbidden: 'only admins manage webhooks.',
  not_found: 'this subscription no longer exists (deleted meanwhile).',
  webhook_busy:
    'another create, edit or enable of this URL and these events is under way: try again in a moment.',
  webhook_disabled: 'the subscription is disabled: enable it first, then replay.',
  gone: 'its customer was erased: nothing about them is sent again.',
  idempotency_key_reused:
    'this form was already used to create another subscription: change a field and try again.',
  rate_limited: 'too many requests: wait a moment and try again.',
  unavailable: 'Threadline is busy: try again in a moment.',
};

/**
 * A refused or failed webhook call in words: `what` names what did not happen ("Not created"); `list`,
 * the subscriptions shown, names the twin of a `webhook_exists` by its description too.
 */
export function webhookErrorText(what: string, error: unknown, list: Webhook[] = []): string {
  if (!(error instanceof ApiError)) return `${what}: ${failureText(error)}`;
  if (error.code === 'webhook_exists') {
    // "webhook <id> already posts <events> to this URL (…)": a create's, an edit's or an enable's.
    const [, twin = '', events] =
      /^webhook (\S{1,80}) already posts ([\w., ]{1,400}) to this URL/.exec(error.message) ?? [];
    const which = events ? ` (${events})` : '';
    const about = list.find((w) => w.id === twin)?.description;
    const named = about ? ` ("${about}")` : '';
    return `${what}: subscription ${twin}${named} already posts these events to this URL${which}, so each would be delivered twice. Disable it or edit its events first, or choose other events for this one.`;
  }
  const known = WHY[error.code];
  if (known) return `${what}: ${known}`;
  const said = error.message.replace(/\.$/, '');
  if (error.code === 'invalid_request') return `${what}: ${said}.`;
  return `${what}: ${said} (${error.status} ${error.code}).`;
}

/**
 * An edit's refusal in words: `webhook_busy` (it was edited meanwhile, or another change of its URL's
 * events is under way) says the list was read again, to check and save again; the rest as any call's.
 */
export function editErrorText(error: unknown, list: Webhook[]): string {
  if (error instanceof ApiError && error.code === 'webhook_busy')
    return 'Not saved: it was changed meanwhile (or another change of this URL is under way). The list has been read again: check it, then save again.';
  return webhookErrorText('Not saved', error, list);
}

/** What an edit sends (`PATCH`): only the events or description changed, or undefined if neither did. */
export function editBody(
  webhook: Pick<Webhook, 'events' | 'description'>,
  events: string[],
  description: string,
): { events?: string[]; description?: string } | undefined {
  const same = events.length === webhook.events.length && events.every((e) => webhook.events.includes(e));
  const text = description.trim();
  const body = {
    ...(same ? {} : { events }),
    ...(text === (webhook.description ?? '') ? {} : { description: text }),
  };
  return Object.keys(body).length ? body : undefined;
}

/** The delete's question: what goes, and that it cannot be undone. */
export const deleteQuestion = (w: Webhook) =>
  `Delete the subscription to ${w.url}${w.description ? ` (${w.description})` : ''}? Nothing more is sent to it and its pending deliveries are cancelled. This cannot be undone: sending to it again takes a new subscription, with a new secret.`;

/** The rotation's question: a new secret shown once, the current one signing beside it for 24 hours. */
export const rotateQuestion = (w: Webhook) =>
  `Rotate the signing secret of ${w.url}? A new secret is made and shown once. The current one keeps signing beside it for 24 hours: give the endpoint the new one within that time.`;

/**
 * The subscriptions as a read answers them, with what this view did since that a list read may not show
 * yet (its list is an index, eventually consistent): those it deleted left out, those it created kept.
 */
export function settledList(read: Webhook[], deleted: ReadonlySet<string>, made: Webhook[]): Webhook[] {
  const list = read.filter((w) => !deleted.has(w.id));
  return [...list, ...made.filter((m) => !deleted.has(m.id) && !list.some((w) => w.id === m.id))];
}

/** One delivery's outcome in a line: its attempts, the endpoint's last answer or error, when it went. */
export function deliveryText(d: DeliveryRow): string {
  const parts = [`${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`];
  if (d.priorAttempts) parts.push(`${d.priorAttempts} before its replay`);
  if (d.lastStatus) parts.push(`last answer ${d.lastStatus}`);
  if (d.lastError) parts.push(d.lastError);
  if (d.deliveredAt) parts.push(`delivered ${clock(d.deliveredAt)}`);
  if (d.status === 'pending' && d.nextAttemptAt) parts.push(`next try ${clock(d.nextAttemptAt)}`);
  if (d.replayedAt) parts.push(`replayed ${clock(d.replayedAt)}`);
  return parts.join(' · ');
}
