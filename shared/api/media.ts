import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import * as z from 'zod';
import { readMedia, type ServedMedia } from '#shared/app/read-media.js';
import { MEDIA_MAX_BYTES } from '#shared/domain/media.js';
import { once } from '#shared/domain/on-first-use.js';
import { wholeNumber } from '#shared/domain/whole-number.js';
import { type AgentEnv, createRouter } from './router.js';
import { apiSchemas, errors } from './schemas.js';

/** The routes' declarations (their schemas), built with the first sub-app rather than at import. */
const mediaRoutes = once(() => {
  const { IdSchema } = apiSchemas();
  /** A timeline item's id as the timeline answers it (`whatsapp:wamid.…`, `twilio:call:CA…:recording`). */
  const ItemIdSchema = z
    .string()
    .min(1)
    .max(600)
    .regex(/^[a-z]+:[^/\s]+$/, 'not a timeline item id');
  const ItemParamsSchema = z.object({ id: IdSchema, itemId: ItemIdSchema });
  /** The item's `at`, as the timeline answers it: read at its key (a message the provider timed has no other way in). */
  const ItemQuerySchema = z.strictObject({
    at: z.iso.datetime().optional().meta({
      description:
        "the item's `at`, as the timeline answered it: needed for a customer's message (found at its time); a call's recording is found without it",
    }),
  });
  const file = {
    description: `the file, as the provider keeps it (at most ${MEDIA_MAX_BYTES} bytes): its own type when it is an image, audio or video type a browser only shows, else \`application/octet-stream\` with \`Content-Disposition: attachment\``,
    content: { 'application/octet-stream': { schema: z.string().meta({ format: 'binary' }) } },
  };
  const failures = {
    ...errors(400, 401, 404, 410),
    413: {
      ...errors(413)[413],
      description: `the file is larger than the ${MEDIA_MAX_BYTES} bytes the API answers (\`media_too_large\`): open it in the provider's console`,
    },
    502: {
      ...errors(502)[502],
      description:
        'the provider refused the file (`media_unavailable`: a WhatsApp media id expires 7 days after its message) or did not answer in time (`provider_unreachable`)',
    },
    ...errors(503),
  };
  const attachment = createRoute({
    method: 'get',
    path: '/customers/{id}/timeline/{itemId}/attachments/{index}',
    operationId: 'getTimelineAttachment',
    summary:
      "One file of a message on the customer's timeline (`attachments[index]`, from 0), fetched now from the provider with Threadline's own credentials: a WhatsApp Cloud API media id, a Twilio MMS or WhatsApp file, a Messenger or Instagram file. Not an email's or a web chat's",
    request: {
      params: ItemParamsSchema.extend({ index: wholeNumber('index', 0, 99) }),
      query: ItemQuerySchema,
    },
    responses: { 200: file, ...failures },
  });
  const recording = createRoute({
    method: 'get',
    path: '/customers/{id}/timeline/{itemId}/recording',
    operationId: 'getTimelineRecording',
    summary:
      "A voicemail's recording (a call event with `data.recordingUrl`), fetched now from Twilio with the account's credentials, as MP3",
    request: { params: ItemParamsSchema, query: ItemQuerySchema },
    responses: { 200: file, ...failures },
  });
  return { attachment, recording };
});

/**
 * The file as the answer's body, with the headers that keep it the caller's alone and inert: never
 * cached by a shared cache, never sniffed into another type, never run (a sandboxing CSP). Its length
 * is said too: a `HEAD` (answered as `GET`, the body dropped) tells the file's size.
 */
function answer(c: Context<AgentEnv>, served: ServedMedia): Response {
  return c.body(served.body as Uint8Array<ArrayBuffer>, 200, {
    'Content-Type': served.contentType,
    'Content-Length': String(served.body.byteLength),
    'Content-Disposition': served.disposition,
    'Cache-Control': 'private, max-age=300',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
  });
}

/** What the file routes read: the customer and their item (the store), and the providers' files. */
export type MediaDeps = Parameters<typeof readMedia>[0];

/** `/api/customers/{id}/timeline/{itemId}/…`: the files of the customer's timeline, from their providers. */
export function mediaApp(deps: MediaDeps): OpenAPIHono<AgentEnv> {
  const { attachment, recording } = mediaRoutes();
  return createRouter()
    .openapi(attachment, async (c) => {
      const { id, itemId, index } = c.req.valid('param');
      const { at } = c.req.valid('query');
      const request = { customerId: id, itemId, at, choice: { attachment: index } };
      return answer(c, await readMedia(deps, request));
    })
    .openapi(recording, async (c) => {
      const { id, itemId } = c.req.valid('param');
      const { at } = c.req.valid('query');
      return answer(c, await readMedia(deps, { customerId: id, itemId, at, choice: 'recording' }));
    });
}
