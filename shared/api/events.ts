import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { auditedRead } from '#shared/app/audited-read.js';
import { readLiveEvents } from '#shared/app/read-live-events.js';
import { EventsPageSchema, EventsQuerySchema } from '#shared/domain/live/events.js';
import type { LiveEventLog } from '#shared/domain/live/live-ports.js';
import { msOfSeq } from '#shared/domain/live/seq.js';
import { once } from '#shared/domain/on-first-use.js';
import type { AgentAppDeps } from './deps.js';
import { type AgentEnv, createRouter } from './router.js';
import { apiSchemas, errors, json } from './schemas.js';

/** The routes' declarations (their schemas), built with the first sub-app rather than at import. */
const eventRoutes = once(() => {
  const { ErrorSchema } = apiSchemas();
  const events = createRoute({
    method: 'get',
    path: '/events',
    operationId: 'listLiveEvents',
    summary:
      'Live events a client missed (a dropped socket): the durable events (`timeline.item`, `conversation.updated`, `customer.updated`) after `since`, oldest first, from a 10-second overlap before it (drop ids you have); `seq` is the `since` of the next call, `more` says it has more now. Kept 24 hours: an older `since` answers 410 `events_expired` (reload the view). A `since` ahead of the server clock by up to 5 minutes is read as now (an empty page whose `seq` is now: follow it); further ahead, or a time in milliseconds rather than a `seq`, is 400 `invalid_request`',
    request: { query: EventsQuerySchema },
    responses: {
      200: json('the events', EventsPageSchema),
      ...errors(400, 401),
      410: json('`events_expired`: `since` is older than the events kept; reload', ErrorSchema),
    },
  });
  return { events };
});

/** `/api/events`: catch-up after a reconnect from the live event log. */
export function eventsApp(
  deps: AgentAppDeps,
  live: { events: Pick<LiveEventLog, 'read'> },
): OpenAPIHono<AgentEnv> {
  const { events } = eventRoutes();
  return createRouter().openapi(events, async (c) => {
    const query = c.req.valid('query');
    const page = await readLiveEvents({ events: live.events, clock: deps.clock }, query);
    const sinceMs = msOfSeq(query.since);
    // The console's catch-up after a dropped socket asks from its last seq, seconds or minutes back;
    // a refused read (400, 410) answered nothing, so it is not recorded either.
    if (sinceMs >= deps.clock.now().getTime() - REPLAY_AUDITED_MS) return c.json(page, 200);
    const sinceAt = new Date(sinceMs).toISOString();
    const who = { agentId: c.get('agentId'), action: 'events_replay' as const };
    const audit = { ...who, query: { since: String(query.since), sinceAt, limit: String(query.limit) } };
    const recorded = await auditedRead(
      deps,
      audit,
      async () => page,
      (p) => p.events.length,
    );
    return c.json(recorded, 200);
  });
}

/**
 * How far back a `since` may reach before the read is a replay, audited (`events_replay`, one record a
 * request): every customer's messages of that time. A console's catch-up after a short drop is not.
 */
export const REPLAY_AUDITED_MS = 10 * 60_000;
