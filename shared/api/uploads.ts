import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import * as z from 'zod';
import { createUpload } from '#shared/app/create-upload.js';
import { once } from '#shared/domain/on-first-use.js';
import type { Clock } from '#shared/domain/ports.js';
import { UPLOAD_CHANNELS, UPLOAD_MAX_BYTES, type UploadStore } from '#shared/domain/uploads.js';
import { logger } from '#shared/log.js';
import { jsonBody, readJsonBody } from './json-body.js';
import { type AgentEnv, createRouter } from './router.js';
import { apiSchemas, errors, json } from './schemas.js';

/** The route's declaration (its schemas), built with the first sub-app rather than at import. */
const uploadRoutes = once(() => {
  const { IdSchema } = apiSchemas();
  const UploadRequestSchema = z.strictObject({
    customerId: IdSchema.meta({
      description: 'the customer the reply goes to: their erasure deletes the file',
    }),
    channel: z
      .enum(UPLOAD_CHANNELS)
      .meta({ description: "the reply's channel: its provider's size limit applies" }),
    name: z
      .string()
      .min(1)
      .max(255)
      .meta({ description: "the file's name, as the customer will see it (made safe)" }),
    type: z
      .string()
      .min(1)
      .max(255)
      .meta({ description: "the file's media type, sent again with its bytes" }),
    size: z.int().min(1).max(UPLOAD_MAX_BYTES).meta({ description: "the file's exact size in bytes" }),
  });
  const AttachmentSchema = z.object({
    url: z.string(),
    kind: z.enum(['image', 'audio', 'video', 'document']),
    filename: z.string(),
    mimeType: z.string(),
  });
  const UploadSchema = z.object({
    id: z.string(),
    size: z.int(),
    upload: z.object({
      method: z.literal('PUT'),
      url: z.string(),
      headers: z.record(z.string(), z.string()),
      expiresAt: z.string(),
    }),
    attachment: AttachmentSchema.meta({
      description:
        "put in the reply's `attachments` once the bytes are up (`POST /api/conversations/{id}/replies`)",
    }),
  });
  const create = createRoute({
    method: 'post',
    path: '/uploads',
    operationId: 'createUpload',
    summary:
      "Room for one file of a reply: where to PUT its bytes (`upload`: a presigned S3 URL on AWS, with the headers to send), and the attachment to send with the reply once they are there, a link the provider fetches. Any agent; the type must be one no browser runs (415) and the size within the channel's provider's limit (413 `file_too_large`)",
    middleware: [readJsonBody] as const,
    request: { body: jsonBody(UploadRequestSchema) },
    responses: {
      201: json('where to put the bytes, and the attachment', UploadSchema),
      ...errors(400, 401, 404, 410, 413, 415),
    },
  });
  return { create };
});

/** What the upload route needs: the customer's profile, where files are kept, the clock, the public origin. */
export interface UploadApiDeps {
  store: Parameters<typeof createUpload>[0]['store'];
  uploads: UploadStore;
  clock: Clock;
  /** PUBLIC_BASE_URL: the origin of the files' links; unset, the request's own. */
  publicBaseUrl?: string | undefined;
}

/** `POST /api/uploads`: room for a reply's file. */
export function uploadsApp(deps: UploadApiDeps): OpenAPIHono<AgentEnv> {
  const { create } = uploadRoutes();
  return createRouter().openapi(create, async (c) => {
    const origin = deps.publicBaseUrl ?? new URL(c.req.url).origin;
    const request = { ...c.req.valid('json'), agentId: c.get('agentId') ?? '', origin };
    return c.json(await createUpload(deps, request), 201);
  });
}

/** The headers of every file answer: nothing sniffed or run, nothing kept by a shared cache. */
const FILE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
  'Cache-Control': 'private, max-age=300',
  'Referrer-Policy': 'no-referrer',
};

/**
 * `/files/<customer id>/<file id>/<name>`: the files agents attached, for the providers that fetch them
 * and the customers who open them (no token: the file id is the secret). On AWS a redirect to a
 * presigned S3 GET made now, valid 5 minutes, so the link lasts as long as the file; locally the bytes.
 * Locally a `PUT` with the upload's token takes the bytes, as S3 takes a presigned PUT.
 */
export function filesApp(deps: { uploads: UploadStore; clock: Clock }): Hono {
  const app = new Hono();
  const notFound = () =>
    new Response('no such file (it expired, or its customer was erased)', {
      status: 404,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', ...FILE_HEADERS },
    });
  app.on(['GET', 'HEAD'], '/files/:customerId/:fileId/:name', async (c) => {
    const { customerId, fileId } = c.req.param();
    const opened = await deps.uploads.open({ customerId, fileId }, deps.clock.now().toISOString());
    if (!opened) {
      logger.info('file not found', { customerId, fileId });
      return notFound();
    }
    logger.info('file fetched', { customerId, fileId, userAgent: c.req.header('user-agent')?.slice(0, 80) });
    if ('redirect' in opened) return c.redirect(opened.redirect, 302);
    return c.body(opened.body as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': opened.type,
      'Content-Length': String(opened.body.byteLength),
      ...FILE_HEADERS,
    });
  });
  app.put('/files/:customerId/:fileId/:name', async (c) => {
    const receive = deps.uploads.receive?.bind(deps.uploads);
    if (!receive) return c.text('files are put in the bucket, not here', 405);
    const { customerId, fileId } = c.req.param();
    const declared = Number(c.req.header('content-length') ?? Number.NaN);
    if (declared > UPLOAD_MAX_BYTES) return c.text(`at most ${UPLOAD_MAX_BYTES} bytes`, 413);
    const body = new Uint8Array(await c.req.arrayBuffer());
    const put = { token: c.req.query('token') ?? '', type: c.req.header('content-type') ?? '', body };
    const refused = await receive({ customerId, fileId }, put, deps.clock.now().toISOString());
    if (refused) {
      logger.info('file put refused', { customerId, fileId, reason: refused });
      return c.text(refused, 403);
    }
    logger.info('file put', { customerId, fileId, bytes: body.byteLength });
    return c.body(null, 200);
  });
  return app;
}
