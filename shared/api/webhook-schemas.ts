import { z } from '@hono/zod-openapi';
import { ALL_EVENTS } from '#shared/domain/events/event-types.js';
import { SubscribedEventSchema } from '#shared/domain/events/integration-events.js';
import { once } from '#shared/domain/on-first-use.js';
import {
  DeliverySchema,
  DeliveryStatusSchema,
  SubscriptionSchema,
  WebhookSecretSchema,
} from '#shared/domain/webhooks.js';
import { apiSchemas } from './schemas.js';

/** What a subscription lists: 1 to 20 event types, or `*` alone (every event, later ones too). */
const subscribedEvents = () =>
  z
    .array(SubscribedEventSchema)
    .min(1)
    .max(20)
    .refine((events) => !events.includes(ALL_EVENTS) || events.length === 1, {
      message: '"*" takes every event: list it alone, or list event types without it',
    })
    .meta({
      description:
        'the event types to post, or `["*"]`: every event, those added in later versions too (as Stripe\'s `enabled_events: ["*"]`); receivers must then ignore a type they do not know',
    });

/** The routes' request and answer schemas, built with the first sub-app rather than at import. */
export const webhookSchemas = once(() => {
  const { IdSchema } = apiSchemas();
  const WebhookRequestSchema = z.strictObject({
    url: z.string().max(2048).meta({ description: 'https only (locally also http://127.0.0.1)' }),
    events: subscribedEvents(),
    description: z.string().trim().max(500).optional(),
  });
  const WebhookEditSchema = z
    .strictObject({
      events: WebhookRequestSchema.shape.events.optional().meta({
        description:
          'the events it takes from now on (`["*"]`: every event, those added later too), replacing those it took (409 webhook_exists if another active subscription posts one of them to the same URL)',
      }),
      description: WebhookRequestSchema.shape.description.meta({ description: 'an empty one removes it' }),
    })
    .refine((edit) => edit.events !== undefined || edit.description !== undefined, {
      message: 'nothing to change: give events or description (the URL and secret are not edited)',
    });
  const WebhookViewSchema = SubscriptionSchema.omit({ secrets: true });
  const CreatedSchema = z.object({
    id: z.string(),
    url: z.string(),
    events: z.array(SubscribedEventSchema),
    secret: WebhookSecretSchema.meta({ description: 'the signing secret, shown this once (whsec_<base64>)' }),
  });
  const DeliveryViewSchema = DeliverySchema.omit({ event: true });
  const DeliveryParamsSchema = z.object({
    id: IdSchema,
    deliveryId: z.string().regex(/^msg_[A-Za-z0-9]{33}$/),
  });
  const EnabledSchema = WebhookViewSchema.extend({
    resumed: z.number().int().meta({ description: 'paused deliveries this call resumed' }),
    expired: z.number().int().meta({
      description:
        'paused deliveries this call found older than the log keeps (30 days): not sent, their notes let go',
    }),
    more: z.boolean().meta({ description: 'more paused deliveries wait: call again to resume them' }),
  });
  const ReplayFailedSchema = z.strictObject({
    since: z.iso
      .datetime({ offset: true })
      .meta({ description: 'replay the failed deliveries made at or after this time (ISO 8601)' }),
    cursor: z.string().max(2048).optional().meta({ description: 'the `cursor` the last call answered' }),
    statuses: z
      .array(z.enum(['failed', 'delivered', 'pending']))
      .min(1)
      .max(3)
      .optional()
      .meta({
        description:
          'which deliveries to send again: `failed` (the default), `delivered` (an endpoint that answered 2xx and lost them; audited as webhook_replay_delivered), `pending` (only those whose retry is more than a minute overdue: their message was lost)',
      }),
  });
  const FailedReplayedSchema = z.object({
    replayed: z.number().int().meta({ description: 'deliveries this call sent again' }),
    gone: z.number().int().meta({ description: 'deliveries of an erased customer: not sent again' }),
    cursor: z.string().nullable().meta({
      description: 'null when every delivery asked for since `since` was looked at; else call again with it',
    }),
  });
  const DeliveriesQuerySchema = z.object({
    status: DeliveryStatusSchema.optional().meta({
      description:
        'only deliveries in this status (`failed`: given up on); a page may then hold fewer than `limit`, follow `cursor`',
    }),
  });
  return {
    WebhookRequestSchema,
    WebhookEditSchema,
    WebhookViewSchema,
    CreatedSchema,
    DeliveryViewSchema,
    DeliveryParamsSchema,
    EnabledSchema,
    DeliveriesQuerySchema,
    ReplayFailedSchema,
    FailedReplayedSchema,
  };
});

/** The `If-Match` an edit or a delete of a subscription may send, and the `ETag` its answers carry. */
export const webhookVersionHeaders = once(() => ({
  IfMatchHeadersSchema: z.object({
    'If-Match': z.string().max(1024).optional().meta({
      description:
        'the `ETag` of the subscription as you read it: if another edit landed since, nothing is changed and the answer is 412 `precondition_failed` (without it, the call is made whatever changed)',
    }),
  }),
  ETagHeaderSchema: z.object({
    ETag: z.string().meta({
      description:
        'the subscription’s version (its `revision`, changed by each edit): send it back as `If-Match` to edit or delete it only as you read it',
    }),
  }),
}));
