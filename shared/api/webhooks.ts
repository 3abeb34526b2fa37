import { createRoute, type OpenAPIHono, type z } from '@hono/zod-openapi';
import { createWebhook } from '#shared/app/create-webhook.js';
import { deleteWebhook } from '#shared/app/delete-webhook.js';
import { disableWebhook } from '#shared/app/disable-webhook.js';
import { enableWebhook } from '#shared/app/enable-webhook.js';
import { listWebhookDeliveries } from '#shared/app/list-webhook-deliveries.js';
import { getWebhook, listWebhooks } from '#shared/app/list-webhooks.js';
import { replayFailedDeliveries } from '#shared/app/replay-failed-deliveries.js';
import { replayWebhookDelivery } from '#shared/app/replay-webhook-delivery.js';
import { rotateWebhookSecret } from '#shared/app/rotate-webhook-secret.js';
import { updateWebhook } from '#shared/app/update-webhook.js';
import type { SubscribedEventSchema } from '#shared/domain/events/integration-events.js';
import { once } from '#shared/domain/on-first-use.js';
import { parseIfMatch, revisionTag } from '#shared/domain/revision-tag.js';
import { requireAdmin } from './admin-only.js';
import type { AgentAppDeps, ApiDeps, WebhookApiDeps } from './deps.js';
import { emptyBody, jsonBody, readJsonBody, readOptionalJsonBody } from './json-body.js';
import { type AgentEnv, auditedRejection, auditRefusals, createRouter } from './router.js';
import { apiSchemas, errors, json, page } from './schemas.js';
import { webhookSchemas, webhookVersionHeaders } from './webhook-schemas.js';

/** The routes' declarations, built with the first sub-app rather than at import. */
const webhookRoutes = once(() => {
  const { IdParamsSchema, ReplyHeadersSchema } = apiSchemas();
  const { WebhookRequestSchema, WebhookViewSchema, CreatedSchema } = webhookSchemas();
  const { IfMatchHeadersSchema, ETagHeaderSchema } = webhookVersionHeaders();
  const create = createRoute({
    method: 'post',
    path: '/webhooks',
    operationId: 'createWebhook',
    summary:
      'Subscribe an endpoint to events; answers the signing secret once (and to a retry with the same Idempotency-Key). 409 for a second active subscription of the same URL taking any of the same events (edit the first instead); 422 `idempotency_key_reused` for the key sent again with another request. Admins only; audited',
    middleware: [requireAdmin, readJsonBody] as const,
    request: { headers: ReplyHeadersSchema, body: jsonBody(WebhookRequestSchema) },
    responses: {
      201: json('the subscription and its secret', CreatedSchema),
      200: json('the subscription this Idempotency-Key made, and its secret', CreatedSchema),
      ...errors(400, 401, 403, 409, 413, 422),
    },
  });
  const list = createRoute({
    method: 'get',
    path: '/webhooks',
    operationId: 'listWebhooks',
    summary: 'Every webhook subscription (never the secrets). Admins only',
    middleware: [requireAdmin] as const,
    responses: { 200: json('the subscriptions', page(WebhookViewSchema)), ...errors(401, 403) },
  });
  const read = createRoute({
    method: 'get',
    path: '/webhooks/{id}',
    operationId: 'getWebhook',
    summary: 'One webhook subscription, as the list shows it (never its secrets). Admins only',
    middleware: [requireAdmin] as const,
    request: { params: IdParamsSchema },
    responses: {
      200: { ...json('the subscription', WebhookViewSchema), headers: ETagHeaderSchema },
      ...errors(400, 401, 403, 404),
    },
  });
  const remove = createRoute({
    method: 'delete',
    path: '/webhooks/{id}',
    operationId: 'deleteWebhook',
    summary:
      'Remove a subscription; its pending deliveries are cancelled. With `If-Match`, only as it was read (412 if edited since). Admins only; audited',
    middleware: [requireAdmin, readOptionalJsonBody] as const,
    request: { params: IdParamsSchema, headers: IfMatchHeadersSchema, body: emptyBody() },
    responses: { 204: { description: 'removed' }, ...errors(400, 401, 403, 404, 412, 413) },
  });
  const update = createRoute({
    method: 'patch',
    path: '/webhooks/{id}',
    operationId: 'updateWebhook',
    summary:
      'Change the events a subscription takes, or its description; its URL, secret and log are kept. 409 if another active subscription posts one of the events to the same URL; with `If-Match`, 412 if it was edited since that ETag. Admins only; audited',
    middleware: [requireAdmin, readJsonBody] as const,
    request: {
      params: IdParamsSchema,
      headers: IfMatchHeadersSchema,
      body: jsonBody(webhookSchemas().WebhookEditSchema),
    },
    responses: {
      200: { ...json('the subscription as edited', WebhookViewSchema), headers: ETagHeaderSchema },
      ...errors(400, 401, 403, 404, 409, 412, 413),
    },
  });
  const rotate = createRoute({
    method: 'post',
    path: '/webhooks/{id}/rotate-secret',
    operationId: 'rotateWebhookSecret',
    summary:
      'A new signing secret, answered once (and to a retry with the same Idempotency-Key, which rotates nothing); the old one also signs for 24 hours. 422 `idempotency_key_reused` for the key sent again for another subscription, or once a later rotation dropped its secret. Admins only; audited',
    middleware: [requireAdmin, readOptionalJsonBody] as const,
    request: { params: IdParamsSchema, headers: ReplyHeadersSchema, body: emptyBody() },
    responses: {
      200: json('the subscription and its new secret (the same to a retried Idempotency-Key)', CreatedSchema),
      ...errors(400, 401, 403, 404, 409, 413, 422),
    },
  });
  return { create, list, read, remove, update, rotate, ...deliveryRoutes() };
});

/** The delivery log's routes: list, replay, and disabling a subscription (holding its log) or enabling it. */
const deliveryRoutes = once(() => {
  const { IdParamsSchema, PageQuerySchema } = apiSchemas();
  const { DeliveryViewSchema, DeliveryParamsSchema, EnabledSchema, DeliveriesQuerySchema } = webhookSchemas();
  const { WebhookViewSchema } = webhookSchemas();
  const { ReplayFailedSchema, FailedReplayedSchema } = webhookSchemas();
  const deliveries = createRoute({
    method: 'get',
    path: '/webhooks/{id}/deliveries',
    operationId: 'listWebhookDeliveries',
    summary: 'The delivery log, newest first: status, attempts, last error. Admins only',
    middleware: [requireAdmin] as const,
    request: { params: IdParamsSchema, query: PageQuerySchema.extend(DeliveriesQuerySchema.shape) },
    responses: { 200: json('a page of deliveries', page(DeliveryViewSchema)), ...errors(400, 401, 403, 404) },
  });
  const replay = createRoute({
    method: 'post',
    path: '/webhooks/{id}/deliveries/{deliveryId}/replay',
    operationId: 'replayWebhookDelivery',
    summary: 'Send a delivery again, with the same webhook-id. Admins only; audited',
    middleware: [requireAdmin, readOptionalJsonBody] as const,
    request: { params: DeliveryParamsSchema, body: emptyBody() },
    responses: {
      202: json('the delivery, pending again', DeliveryViewSchema),
      ...errors(400, 401, 403, 404, 409, 410, 413),
    },
  });
  const enable = createRoute({
    method: 'post',
    path: '/webhooks/{id}/enable',
    operationId: 'enableWebhook',
    summary:
      'Take a disabled subscription (its endpoint answered 410) back into use and resume its paused deliveries (its backlog, and the events held while it was disabled), up to 500 a call (409 webhook_exists, nothing resumed, if another active subscription now posts one of its events to the same URL). Admins only; audited',
    middleware: [requireAdmin, readOptionalJsonBody] as const,
    request: { params: IdParamsSchema, body: emptyBody() },
    responses: {
      200: json('the subscription, and how many paused deliveries resumed', EnabledSchema),
      ...errors(400, 401, 403, 404, 409, 413),
    },
  });
  const disable = createRoute({
    method: 'post',
    path: '/webhooks/{id}/disable',
    operationId: 'disableWebhook',
    summary:
      'Stop sending to a subscription and hold its events (paused, its log kept) until it is enabled again, as its endpoint answering 410 does; one already disabled is left as it was. Admins only; audited',
    middleware: [requireAdmin, readOptionalJsonBody] as const,
    request: { params: IdParamsSchema, body: emptyBody() },
    responses: {
      200: json('the subscription, disabled', WebhookViewSchema),
      ...errors(400, 401, 403, 404, 413),
    },
  });
  const replayFailed = createRoute({
    method: 'post',
    path: '/webhooks/{id}/replay',
    operationId: 'replayFailedWebhookDeliveries',
    summary:
      'Send again every delivery given up on (failed), or with `statuses` also those delivered, since a time, up to 500 a call (follow `cursor`). Admins only; audited',
    middleware: [requireAdmin, readJsonBody] as const,
    request: { params: IdParamsSchema, body: jsonBody(ReplayFailedSchema) },
    responses: {
      202: json('how many went out again, and where to go on', FailedReplayedSchema),
      ...errors(400, 401, 403, 404, 409, 413),
    },
  });
  return { deliveries, replay, enable, disable, replayFailed };
});

const created = (s: {
  id: string;
  url: string;
  events: z.infer<typeof SubscribedEventSchema>[];
  secrets: { secret: string }[];
}) => ({
  id: s.id,
  url: s.url,
  events: s.events,
  secret: s.secrets[0]?.secret ?? '',
});

/** `/api/webhooks`: integrators' subscriptions, their delivery logs and replays, for admins. */
export function webhooksApp(
  deps: Pick<ApiDeps, 'audit' | 'clock' | 'cursors'>,
  hooks: WebhookApiDeps,
): OpenAPIHono<AgentEnv> {
  const { create, list, read, remove, update, rotate, replay, enable, disable, replayFailed } =
    webhookRoutes();
  const admin = {
    ...deps,
    webhooks: hooks.store,
    queue: hooks.queue,
    urls: hooks.urls,
    newId: hooks.newId,
    newSecret: hooks.newSecret,
  };
  const app = createRouter();
  auditRefusals(
    app,
    deps,
    [
      [create, 'webhook_create'],
      [remove, 'webhook_delete'],
      [update, 'webhook_update'],
      [rotate, 'webhook_rotate_secret'],
      [replay, 'webhook_replay'],
      [replayFailed, 'webhook_replay_failed'],
      [enable, 'webhook_enable'],
      [disable, 'webhook_disable'],
    ],
    'none',
  );
  const subscriptions = app
    .openapi(
      create,
      async (c) => {
        const key = c.req.valid('header')['Idempotency-Key'];
        const made = await createWebhook(admin, c.req.valid('json'), c.get('agentId'), key);
        return made.created
          ? c.json(created(made.subscription), 201)
          : c.json(created(made.subscription), 200);
      },
      auditedRejection(deps, 'webhook_create', 'none'),
    )
    .openapi(list, async (c) => c.json({ items: await listWebhooks(admin), cursor: null }, 200))
    .openapi(read, async (c) => {
      const view = await getWebhook(admin, c.req.valid('param').id);
      return c.json(view, 200, { ETag: revisionTag(view.revision) });
    })
    .openapi(
      remove,
      async (c) => {
        const ifMatch = parseIfMatch(c.req.valid('header')['If-Match']);
        await deleteWebhook(admin, c.req.valid('param').id, c.get('agentId'), ifMatch);
        return c.body(null, 204);
      },
      auditedRejection(deps, 'webhook_delete', 'none'),
    )
    .openapi(
      update,
      async (c) => {
        const ifMatch = parseIfMatch(c.req.valid('header')['If-Match']);
        const { id } = c.req.valid('param');
        const edited = await updateWebhook({ ...admin, ifMatch }, id, c.req.valid('json'), c.get('agentId'));
        return c.json(edited, 200, { ETag: revisionTag(edited.revision) });
      },
      auditedRejection(deps, 'webhook_update', 'none'),
    )
    .openapi(
      rotate,
      async (c) => {
        const key = c.req.valid('header')['Idempotency-Key'];
        const { id } = c.req.valid('param');
        const { subscription, secret } = await rotateWebhookSecret(admin, id, c.get('agentId'), key);
        return c.json({ ...created(subscription), secret }, 200);
      },
      auditedRejection(deps, 'webhook_rotate_secret', 'none'),
    );
  return withDeliveryLog(subscriptions, deps, admin);
}

/** The delivery log's handlers: list, replay one, replay the failed since a time, enable, disable. */
function withDeliveryLog(
  app: OpenAPIHono<AgentEnv>,
  deps: Pick<AgentAppDeps, 'audit' | 'clock'>,
  admin: Pick<ApiDeps, 'audit' | 'clock' | 'cursors'> & {
    webhooks: WebhookApiDeps['store'];
    queue: WebhookApiDeps['queue'];
  },
): OpenAPIHono<AgentEnv> {
  const { deliveries, replay, enable, disable, replayFailed } = webhookRoutes();
  return app
    .openapi(deliveries, async (c) => {
      const { limit, cursor, status } = c.req.valid('query');
      const id = c.req.valid('param').id;
      return c.json(await listWebhookDeliveries(admin, id, { limit, cursor, status }), 200);
    })
    .openapi(
      replay,
      async (c) => {
        const { id, deliveryId } = c.req.valid('param');
        return c.json(
          await replayWebhookDelivery(admin, { subscriptionId: id, deliveryId }, c.get('agentId')),
          202,
        );
      },
      auditedRejection(deps, 'webhook_replay', 'none'),
    )
    .openapi(
      replayFailed,
      async (c) => {
        const { since, cursor, statuses } = c.req.valid('json');
        const input = {
          subscriptionId: c.req.valid('param').id,
          since: new Date(since).toISOString(),
          cursor,
          statuses,
        };
        return c.json(await replayFailedDeliveries(admin, input, c.get('agentId')), 202);
      },
      auditedRejection(deps, 'webhook_replay_failed', 'none'),
    )
    .openapi(
      enable,
      async (c) => c.json(await enableWebhook(admin, c.req.valid('param').id, c.get('agentId')), 200),
      auditedRejection(deps, 'webhook_enable', 'none'),
    )
    .openapi(
      disable,
      async (c) => c.json(await disableWebhook(admin, c.req.valid('param').id, c.get('agentId')), 200),
      auditedRejection(deps, 'webhook_disable', 'none'),
    );
}
