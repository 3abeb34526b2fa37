import { existsSync, readFileSync } from 'node:fs';
import type { Context, Hono } from 'hono';
import { createWebchatApp } from '#shared/api/webchat/app.js';
import { type WebchatAssets, type WidgetJson, widgetFromJson } from '#shared/api/webchat/assets.js';
import type { EndSockets } from '#shared/app/end-webchat-session.js';
import { dynamoDbLite } from '#shared/aws/dynamodb-lite.js';
import type { Config } from '#shared/config/config.js';
import { loadRoutingPolicy } from '#shared/config/routing-policy-file.js';
import { fallbackDelayMs } from '#shared/config/webchat-settings.js';
import { pageCursors } from '#shared/domain/page-cursor.js';
import { systemClock } from '#shared/domain/ports.js';
import { calendarOfBusinessHours } from '#shared/domain/sla/calendar.js';
import { durationMs } from '#shared/domain/sla/duration-ms.js';
import type { WebchatDeps } from '#shared/domain/webchat-ports.js';
import { dynamoRepositories, webchatPorts } from '#shared/store/dynamo-repositories.js';
import { sqsEnvelopeQueue } from './envelope-queue.js';
import { sessionSocketsCloser } from './webchat-live.js';
import { webhookConfig } from './webhook-handler.js';

/** The widget the stack builds next to the bundle (`webchat-widget.json`), when it is there. */
function bundledWidget(): WebchatAssets | undefined {
  const file = new URL('./webchat-widget.json', import.meta.url);
  return existsSync(file) ? widgetFromJson(JSON.parse(readFileSync(file, 'utf8')) as WidgetJson) : undefined;
}

/** The caller's IP as API Gateway saw it (HTTP API, payload 2.0). */
function sourceIp(c: Context): string {
  const event = (c.env as { event?: { requestContext?: { http?: { sourceIp?: string } } } } | undefined)
    ?.event;
  return event?.requestContext?.http?.sourceIp ?? 'unknown';
}

/** The web chat's ports on AWS: the table, the inbound queue, the identity secret and the business hours. */
export async function lambdaWebchatDeps(): Promise<
  WebchatDeps & { config: Config; endSockets?: EndSockets }
> {
  const config = await webhookConfig(['INBOUND_QUEUE_URL'], ['WEBCHAT_IDENTITY_SECRET']);
  const hours = loadRoutingPolicy(config.ROUTING_POLICY_FILE).businessHours;
  const doc = dynamoDbLite();
  // An ended session's sockets close at once (DELETE @connections/<id>), not at their next ping.
  const endSockets = sessionSocketsCloser(config, doc);
  return {
    config,
    store: webchatPorts(dynamoRepositories(doc, config.TABLE_NAME)),
    queue: sqsEnvelopeQueue(config.INBOUND_QUEUE_URL),
    clock: systemClock,
    identitySecret: config.WEBCHAT_IDENTITY_SECRET,
    sessionTtlMs: durationMs(config.WEBCHAT_SESSION_TTL),
    emailFallback: fallbackDelayMs(config.WEBCHAT_EMAIL_FALLBACK_DELAY) !== undefined,
    cursors: pageCursors(config.CSAT_SIGNING_SECRET?.[0]),
    liveUrl: config.WEBCHAT_LIVE_URL,
    ...(hours ? { hours: calendarOfBusinessHours(hours) } : {}),
    ...(endSockets ? { endSockets } : {}),
  };
}

/** The public web-chat routes as the Lambda runs them, with the widget built beside the bundle. */
export async function createLambdaWebchatApp(): Promise<Hono> {
  const deps = await lambdaWebchatDeps();
  return createWebchatApp({
    ...deps,
    allowedOrigins: deps.config.WEBCHAT_ALLOWED_ORIGINS,
    addressOf: sourceIp,
    assets: bundledWidget(),
  });
}
