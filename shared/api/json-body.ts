import { createMiddleware } from 'hono/factory';
import * as z from 'zod';
import { isJsonMediaType } from '#shared/http/json-media-type.js';
import { parseWellFormedJson } from '#shared/validation/well-formed-json.js';
import type { AgentEnv } from './router.js';

/**
 * Reads a request body sent as JSON (`isJsonMediaType`) as strict UTF-8 JSON and hands the text to the
 * route's body validation. A body of another media type, or none declared, or one that is not UTF-8
 * JSON, is validated as `null`, which no body schema accepts, and `rejectInvalid` reports it (415 and
 * 400): after the path and query checks, as before. Every string of the body, keys included, is made
 * well-formed here (`parseWellFormedJson`), once for every route: no schema needs to.
 */
export const readJsonBody = createMiddleware<AgentEnv>(async (c, next) => {
  // Read outside the try: a body over the limit fails here, and bodyLimit answers 413.
  const bytes = await c.req.arrayBuffer();
  let text: string;
  try {
    if (bytes.byteLength > 0 && !isJsonMediaType(c.req.header('content-type'))) {
      c.set('unsupportedBody', true);
      throw new Error('not a JSON media type');
    }
    text = parseWellFormedJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes)).text;
  } catch (error) {
    text = 'null';
    c.set('unreadableBody', { cause: error });
  }
  // The validator reads JSON only from a JSON content type; the body was just checked to be JSON.
  c.req.raw.headers.set('content-type', 'application/json');
  // Hono keeps each read body as a promise, though its type says otherwise.
  (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(text);
  await next();
});

/** A required JSON request body of the schema, validated and documented by the route that declares it. */
export const jsonBody = <T>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/** readJsonBody for a route whose body may be left out: an empty body, of any content type, is read as `{}`. */
export const readOptionalJsonBody = createMiddleware<AgentEnv>(async (c, next) => {
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength > 0) return readJsonBody(c, next);
  c.req.raw.headers.set('content-type', 'application/json');
  (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve('{}');
  await next();
});

/**
 * The body of a route that takes none (erase, delete, rotate, replay, reopen...): absent, empty or
 * `{}`. With `readOptionalJsonBody`, anything else (a body that is not JSON, an unknown key, an array)
 * is 400 before the route runs, so a caller's `{"dryRun": true}` never erases.
 */
export const emptyBody = () => ({
  required: false,
  content: {
    'application/json': {
      schema: z.strictObject({}).meta({ description: 'no body, or `{}`: anything else is 400' }),
    },
  },
});
