import { Duration } from 'aws-cdk-lib';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { CREDENTIALS_REFUSED } from '#shared/domain/send-errors.js';
import { alarm } from './alarms.js';

/** How many dropped webhook items (or 413s) in 5 minutes raise a webhook's WebhookRejections alarm. */
export const WEBHOOK_REJECTIONS_THRESHOLD = 5;

/**
 * Counts the lines of `fn`'s log group that `pattern` matches (a log metric filter, metric `name` of
 * namespace `Threadline`) and raises `<name>Alarm` on more than `threshold` in 5 minutes.
 */
function alarmOnLogLines(
  scope: Construct,
  name: string,
  fn: { readonly logGroup: ILogGroup },
  topic: ITopic,
  options: { pattern: string; threshold: number; description: string },
): void {
  const filter = new MetricFilter(scope, name, {
    logGroup: fn.logGroup,
    filterPattern: FilterPattern.literal(options.pattern),
    metricNamespace: 'Threadline',
    metricName: name,
    metricValue: '1',
  });
  alarm(scope, `${name}Alarm`, {
    metric: filter.metric({ period: Duration.minutes(5), statistic: 'Sum' }),
    threshold: options.threshold,
    topic,
    description: options.description,
  });
}

/**
 * The alarms on a function's own log lines (a log metric filter each), by the metric's name after the
 * function's id:
 * - SignatureRefusals: a webhook's refused signatures (`request failed` with status 401 or 403), more
 *   than 10 in 5 minutes: a wrong or rotated provider secret refuses every message, with no error and
 *   no dead letter. A few refusals (scanners, stray requests) stay under it.
 * - ServerErrors: the 5xx answers a function behind the HTTP API logs (`request failed` with a status
 *   of 500 or more: a dependency down, 503; a provider failing, 502; and `unhandled error`, a bug, 500),
 *   any in 5 minutes: its Lambda returned normally, so its Errors alarm stays quiet. Providers retry a
 *   5xx, so one failing message can be a few lines.
 * - CredentialsRefused: a reply a provider refused because of our credentials or account (`channel
 *   credentials refused`: a token expired or revoked, an account paused), any in 5 minutes: the whole
 *   channel stops replying while agents see only pending replies.
 * - WebhookRejections: a webhook's items dropped (`webhook item rejected`, answered 200 so the provider
 *   does not retry) or bodies refused as too large (413), WEBHOOK_REJECTIONS_THRESHOLD or more in 5
 *   minutes: a provider's new format, or MAX_BODY_BYTES too small, loses messages with no error.
 */
const functionLogAlarms = {
  SignatureRefusals: {
    pattern: '{ $.message = "request failed" && ($.status = 401 || $.status = 403) }',
    threshold: 10,
    description: (id: string) =>
      `${id} refused over 10 signed requests in 5 minutes: check the provider secret (README, Rotating a secret)`,
  },
  ServerErrors: {
    pattern: '{ ($.message = "request failed" && $.status >= 500) || $.message = "unhandled error" }',
    threshold: 0,
    description: (id: string) =>
      `${id} answered a request 5xx: its log group's \`request failed\` (status 500 or more) or ` +
      '`unhandled error` lines name the route and the error (README, Operations)',
  },
  CredentialsRefused: {
    pattern: `{ $.message = "${CREDENTIALS_REFUSED}" }`,
    threshold: 0,
    description: (id: string) =>
      `${id}: a provider refused our credentials or account (\`${CREDENTIALS_REFUSED}\`, its channel and ` +
      'providerCode): every reply on that channel is retried, then dead-lettered. Renew the secret, then ' +
      'redrive outbound (README, Channel credentials refused)',
  },
  WebhookRejections: {
    pattern: '{ $.message = "webhook item rejected" || ($.message = "request failed" && $.status = 413) }',
    threshold: WEBHOOK_REJECTIONS_THRESHOLD - 1,
    description: (id: string) =>
      `${id} dropped ${WEBHOOK_REJECTIONS_THRESHOLD} or more items in 5 minutes (\`webhook item rejected\`, ` +
      'answered 200 so the provider does not retry, or a body over MAX_BODY_BYTES, 413): the lines name ' +
      'the route and the reason (README, Operations)',
  },
} as const;

/** Raises `<id><kind>Alarm` on the lines of `fn`'s log that `functionLogAlarms[kind]` counts. */
export function alarmOnFunctionLog(
  scope: Construct,
  id: string,
  kind: keyof typeof functionLogAlarms,
  fn: { readonly logGroup: ILogGroup },
  topic: ITopic,
): void {
  const { pattern, threshold, description } = functionLogAlarms[kind];
  alarmOnLogLines(scope, `${id}${kind}`, fn, topic, { pattern, threshold, description: description(id) });
}
