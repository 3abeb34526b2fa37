import { getConnInfo } from '@hono/node-server/conninfo';
import type { Hono } from 'hono';
import { createWebchatApp } from '#shared/api/webchat/app.js';
import { buildWidget } from '#shared/channels/webchat/widget-build.js';
import type { Config } from '../config/config.js';
import { loadRoutingPolicy } from '../config/routing-policy-file.js';
import { fallbackDelayMs } from '../config/webchat-settings.js';
import { pageCursors } from '../domain/page-cursor.js';
import type { Clock, EnvelopeQueue } from '../domain/ports.js';
import { calendarOfBusinessHours } from '../domain/sla/calendar.js';
import { durationMs } from '../domain/sla/duration-ms.js';
import type { WebchatDeps } from '../domain/webchat-ports.js';
import { type DynamoRepositories, visitorReads, webchatPorts } from '../store/dynamo-repositories.js';
import type { LocalChangeFeed } from './change-feed.js';
import type { LocalUpgrades } from './upgrades.js';
import { startWebchatLive } from './webchat-live.js';

/** The demo page: a page of its own with the widget's one script tag, under a CSP that allows only Threadline. */
function demoPage(origin: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Threadline web chat demo</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${origin}; connect-src ${origin} ${origin.replace(/^http/, 'ws')}">
</head><body><h1>Web chat demo</h1><p>The launcher is at the bottom right.</p>
<script src="${origin}/webchat/widget.js" data-welcome="Hi! Ask us anything." async></script></body></html>`;
}

/**
 * The web chat in the local runtime: the public routes and the widget (built with esbuild now), the
 * demo page (same origin as the routes, so it needs no CORS), and, when the change feed runs, the
 * visitors' live socket on `/webchat/live`.
 */
export async function localWebchat(input: {
  config: Config;
  repos: DynamoRepositories;
  clock: Clock;
  queue: EnvelopeQueue;
  feed: LocalChangeFeed | undefined;
  upgrades: LocalUpgrades;
  aiAnswers: boolean;
}): Promise<{ app: Hono; close(): void; typing?: (conversationId: string) => Promise<number> }> {
  const { config } = input;
  const hours = loadRoutingPolicy(config.ROUTING_POLICY_FILE).businessHours;
  const deps: WebchatDeps = {
    store: webchatPorts(input.repos),
    queue: input.queue,
    clock: input.clock,
    identitySecret: config.WEBCHAT_IDENTITY_SECRET,
    sessionTtlMs: durationMs(config.WEBCHAT_SESSION_TTL),
    emailFallback: fallbackDelayMs(config.WEBCHAT_EMAIL_FALLBACK_DELAY) !== undefined,
    cursors: pageCursors(config.CSAT_SIGNING_SECRET?.[0]),
    ...(hours ? { hours: calendarOfBusinessHours(hours) } : {}),
  };
  const widget = await buildWidget();
  const live = input.feed
    ? startWebchatLive(deps, { aiAnswers: input.aiAnswers, reads: visitorReads(input.repos) })
    : undefined;
  const app = createWebchatApp({
    ...deps,
    allowedOrigins: config.WEBCHAT_ALLOWED_ORIGINS,
    addressOf: (c) => getConnInfo(c).remote.address ?? 'unknown',
    assets: { ...widget, demo: demoPage },
    endSockets: live?.endSockets,
  });
  if (live && input.feed) {
    input.upgrades.add('/webchat/live', live.upgrade);
    input.feed.subscribe(live.consume, 'webchat');
  }
  return { app, close: () => live?.close(), ...(live ? { typing: live.typing } : {}) };
}
