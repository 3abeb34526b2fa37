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
  not_found: 'this subscription no longer exists (deleted meanwhile): close and open Webhooks again.',
  webhook_busy:
    'another create, edit or enable of this URL and these events is under way: try again in a moment.',
  webhook_disabled: 'the subscription is disabled: enable it first, then replay.',
  idempotency_key_reused:
    'this form was already used to create another subscription: change a field and try again.',
  rate_limited: 'too many requests: wait a moment and try again.',
  unavailable: 'Threadline is busy: try again in a moment.',
};

/** A refused or failed webhook call in words: `what` names what did not happen ("Not created"). */
export function webhookErrorText(what: string, error: unknown): string {
  if (!(error instanceof ApiError)) return `${what}: ${failureText(error)}`;
  if (error.code === 'webhook_exists') {
    // "webhook <id> already posts <events> to this URL (…)": a create's, an edit's or an enable's.
    const [, twin = '', events] =
      /^webhook (\S{1,80}) already posts ([\w., ]{1,400}) to this URL/.exec(error.message) ?? [];
    const which = events ? ` (${events})` : '';
    return `${what}: subscription ${twin} already posts these events to this URL${which}, so each would be delivered twice. Disable it or edit its events first, or choose other events for this one.`;
  }
  const known = WHY[error.code];
  if (known) return `${what}: ${known}`;
  const said = error.message.replace(/\.$/, '');
  if (error.code === 'invalid_request') return `${what}: ${said}.`;
  return `${what}: ${said} (${error.status} ${error.code}).`;
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
