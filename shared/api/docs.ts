import { createHash } from 'node:crypto';
import type { OpenAPIHono, RouteConfig } from '@hono/zod-openapi';
import { Hono } from 'hono';
import * as z from 'zod';
import { type EventType, EventTypeSchema, eventSchema } from '#shared/domain/events/integration-events.js';
import { once } from '#shared/domain/on-first-use.js';
import { errorCodes } from './error-codes.js';
import { EVENT_EXAMPLES, OPERATION_EXAMPLES } from './examples.js';
import type { AgentEnv } from './router.js';
import { errors } from './schemas.js';
import { threadlineVersion } from './version.js';

/** The document's own fields; its paths come from the routes' declarations, its version from package.json. */
const DOCUMENT_FIELDS = {
  openapi: '3.1.0',
  info: {
    title: 'Threadline agent API',
    description:
      'Customers, their cross-channel timelines, conversations and replies. Every call needs `Authorization: Bearer <token>`. Lists answer `{items, cursor}`; errors answer `{error: {code, message}}`. Bodies are sent as `Content-Type: application/json` (anything else is 415); a path called with a method it does not have is 405, its `Allow` header listing those it has. Closed sets (a channel, a status, a direction...) are enums; a later version may add a value (a new channel), so regenerate a client when you upgrade. The events under `webhooks` list theirs as `x-extensible-enum`: a receiver must accept a value it does not know.',
  },
  // Relative: the host that serves this document (a deployment's own API URL, or the local runtime).
  servers: [{ url: '/', description: 'the host serving this document; every path starts with `/api`' }],
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  security: [{ bearer: [] }],
};

type JsonSchema = Record<string, unknown>;
type Declared = z.core.$ZodType;

// zod's own JSON Schema output, not @asteasolutions/zod-to-openapi's generator: the domain's envelope
// schemas are zod/mini, which that generator cannot read (it calls `.meta()`, which mini schemas lack).
const jsonSchema = (schema: Declared, io: 'input' | 'output'): JsonSchema =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;

const LOCATIONS = [
  ['path', 'params'],
  ['query', 'query'],
  ['header', 'headers'],
] as const;

/** A route's path, query and header parameters, from the object schemas it validates them with. */
function parameters(request: RouteConfig['request']): JsonSchema[] {
  return LOCATIONS.flatMap(([where, key]) => {
    const declared = request?.[key] as Declared | undefined;
    if (!declared) return [];
    const object = jsonSchema(declared, 'input');
    const required = new Set((object.required as string[] | undefined) ?? []);
    return Object.entries((object.properties ?? {}) as Record<string, JsonSchema>).map(([name, schema]) => {
      const { description, ...rest } = schema;
      return {
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(description ? { description } : {}),
        schema: rest,
      };
    });
  });
}

/** The content of a file's answer (the media routes): bytes, whatever their type. */
const FILE_CONTENT = { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } };

/**
 * A request's or answer's JSON content: its schema, and its example when `examples.ts` has one; a
 * file's answer, declared as `application/octet-stream`, as bytes.
 */
const content = (declared: unknown, io: 'input' | 'output', example?: unknown) => {
  const kinds = declared as {
    'application/json'?: { schema: Declared };
    'application/octet-stream'?: unknown;
  };
  const schema = kinds?.['application/json']?.schema;
  if (!schema && kinds?.['application/octet-stream']) return { content: FILE_CONTENT };
  const shown = example === undefined ? {} : { example };
  return schema ? { content: { 'application/json': { schema: jsonSchema(schema, io), ...shown } } } : {};
};

/**
 * On AWS every call goes through API Gateway, whose throttle (the agent API's route, 50 requests a
 * second with bursts of 100, shared by every caller) answers before Threadline does, in its own body.
 */
const THROTTLED = {
  description:
    'On AWS, API Gateway\'s throttle (50 requests a second to the agent API, bursts of 100, shared by every caller): `{"message": "Too Many Requests"}`, not the error body; wait and try again, slower',
  content: {
    'application/json': {
      schema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
    },
  },
};

/** An answer's headers (`ETag`), from the object schema it declares them with. */
function answerHeaders(declared: unknown): { headers?: Record<string, JsonSchema> } {
  if (!(declared instanceof z.ZodObject)) return {};
  const object = jsonSchema(declared, 'output');
  const entries = Object.entries((object.properties ?? {}) as Record<string, JsonSchema>);
  const headers = entries.map(([name, { description, ...schema }]) => [name, { description, schema }]);
  return { headers: Object.fromEntries(headers) };
}

/** A declared response as the document shows it. */
const response = (declared: RouteConfig['responses'][string], example?: unknown) =>
  '$ref' in declared
    ? declared
    : {
        description: declared.description,
        ...answerHeaders(declared.headers),
        ...content(declared.content, 'output', example),
      };

/** An error answer as the document shows it: its `error.code` the enum of the codes it carries (`errorCodes`). */
function withCodes(shown: object, codes: readonly string[] | undefined): JsonSchema {
  type Node = { properties?: Record<string, Node>; enum?: string[] };
  const copy = structuredClone(shown) as { content?: { 'application/json'?: { schema?: Node } } };
  const code = copy.content?.['application/json']?.schema?.properties?.error?.properties?.code;
  if (codes && code) code.enum = [...codes];
  return copy as JsonSchema;
}

/**
 * One operation of the document, from the route's createRoute declaration. Every operation that takes
 * a body answers 415 to one of another media type than JSON (`readJsonBody`), so each lists it.
 */
function operation(route: RouteConfig): JsonSchema {
  const params = parameters(route.request);
  const body = route.request?.body;
  const declared = { ...(body ? errors(415) : {}), ...route.responses };
  const examples = OPERATION_EXAMPLES[route.operationId ?? ''];
  return {
    ...(route.operationId ? { operationId: route.operationId } : {}),
    ...(route.summary ? { summary: route.summary } : {}),
    ...(params.length ? { parameters: params } : {}),
    // A route that takes no body (`emptyBody`) or an optional one says so: a client may leave it out.
    ...(body
      ? {
          requestBody: {
            required: body.required === true,
            ...content(body.content, 'input', examples?.request),
          },
        }
      : {}),
    responses: {
      ...Object.fromEntries(
        Object.entries(declared).map(([status, answer]) => [
          status,
          Number(status) >= 400
            ? withCodes(response(answer), errorCodes(route.operationId, Number(status)))
            : response(answer, examples?.responses?.[Number(status)]),
        ]),
      ),
      429: THROTTLED,
    },
  };
}

/** `message.received` → `MessageReceivedEvent`, the event's schema in `components`. */
const eventSchemaName = (type: EventType) =>
  `${type.replace(/(^|[._])([a-z])/g, (_m, _dot, c: string) => c.toUpperCase())}Event`;

/** The Standard Webhooks headers every event request carries. */
const WEBHOOK_HEADERS = [
  ['webhook-id', 'the delivery id: the same for the same event and subscription (dedupe on it)'],
  ['webhook-timestamp', 'seconds since the epoch when the request was signed'],
  ['webhook-signature', '`v1,<base64 HMAC-SHA256>`, space-separated, one per signing secret'],
].map(([name, description]) => ({
  name,
  in: 'header',
  required: true,
  description,
  schema: { type: 'string' },
}));

/**
 * The schema as integrators may rely on it over versions: every `additionalProperties: false` taken out
 * (fields are added to events over time, and Standard Webhooks asks receivers to ignore what they do not
 * know), and every closed set's `enum` published as `x-extensible-enum` (the values known now: a new
 * channel or status may be added, and a strict enum in a receiver's validator would refuse its events).
 * A `const` (an event's `type`) stays. The tests close both again to catch an undocumented field or value.
 */
function openObjects(schema: unknown): JsonSchema {
  const open = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(open);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([key, value]) => !(key === 'additionalProperties' && value === false))
        .map(([key, value]) => [key === 'enum' ? 'x-extensible-enum' : key, open(value)]),
    );
  };
  return open(schema) as JsonSchema;
}

/**
 * What integrators receive (`POST /api/webhooks` subscribes them): one webhook per event type, its body
 * the event's schema in `components`, from the schemas the event mapper's types come from.
 */
function eventWebhooks(): { webhooks: JsonSchema; schemas: JsonSchema } {
  const webhooks: JsonSchema = {};
  const schemas: JsonSchema = {};
  for (const type of EventTypeSchema.options) {
    const name = eventSchemaName(type);
    const { $schema: _, ...schema } = jsonSchema(eventSchema(type), 'output');
    schemas[name] = openObjects(schema);
    webhooks[type] = {
      post: {
        operationId: `on${name.replace(/Event$/, '')}`,
        summary: `The \`${type}\` event, signed per Standard Webhooks`,
        parameters: WEBHOOK_HEADERS,
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: { $ref: `#/components/schemas/${name}` },
              ...(EVENT_EXAMPLES[type] ? { example: EVENT_EXAMPLES[type] } : {}),
            },
          },
        },
        responses: {
          '2XX': { description: 'received; any other answer, or none within the timeout, is retried' },
          '410': { description: 'Gone: the subscription is disabled, nothing more is sent' },
        },
      },
    };
  }
  return { webhooks, schemas };
}

/**
 * The agent API's OpenAPI 3.1 document, generated from the routes' createRoute declarations (the same
 * zod schemas the routes validate with), so the document cannot drift from the code.
 */
export function openApiDocument(api: OpenAPIHono<AgentEnv>): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const definition of api.openAPIRegistry.definitions) {
    if (definition.type !== 'route') continue;
    const { route } = definition;
    paths[route.path] = { ...paths[route.path], [route.method]: operation(route) };
  }
  const { webhooks, schemas } = eventWebhooks();
  const { title, description } = DOCUMENT_FIELDS.info;
  const info = { title, version: threadlineVersion(), description };
  return {
    ...DOCUMENT_FIELDS,
    info,
    paths,
    webhooks,
    components: { ...DOCUMENT_FIELDS.components, schemas },
  };
}

/**
 * `GET /api/openapi.json` and `GET /api/docs`. The API's description is public: it holds no customer
 * data, and a browser can open the page. Built on the first request for it, from every route of `api`,
 * not at cold start: nothing else needs it.
 */
export function docsApp(api: () => OpenAPIHono<AgentEnv>): Hono<AgentEnv> {
  const document = once(() => openApiDocument(api()));
  return new Hono<AgentEnv>()
    .get('/openapi.json', (c) => c.json(document()))
    .get('/docs', (c) => {
      c.header('Cache-Control', 'no-cache');
      c.header('Content-Security-Policy', docsCsp());
      c.header('X-Frame-Options', 'DENY');
      c.header('X-Content-Type-Options', 'nosniff');
      c.header('Referrer-Policy', 'no-referrer');
      return c.html(DOCS_PAGE);
    });
}

/**
 * The docs page's policy, as the console's: its own inline script and style only (by their hashes),
 * its one request the document's, never framed.
 */
const docsCsp = once(() => {
  const hash = (tag: string) => {
    const body = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(DOCS_PAGE)?.[1] ?? '';
    return `'sha256-${createHash('sha256').update(body).digest('base64')}'`;
  };
  return [
    `default-src 'none'`,
    `script-src ${hash('script')}`,
    `style-src ${hash('style')}`,
    `connect-src 'self'`,
    `base-uri 'none'`,
    `form-action 'none'`,
    `frame-ancestors 'none'`,
  ].join('; ');
});

/**
 * A self-contained page that renders the document: the calls (`paths`), then the events integrators
 * receive (`webhooks`: each type's headers and body, field by field, from its schema in `components`).
 * No script or style from elsewhere, and no request but the document's.
 */
const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Threadline agent API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2327}
h2{margin-top:2.5rem;border-bottom:2px solid #ccc}h3{margin-top:1.6rem;border-bottom:1px solid #ddd}.op{margin:.6rem 0 1.2rem}.m{display:inline-block;min-width:4.5rem;font-weight:600}
code,pre{background:#f5f5f5;padding:.1rem .3rem;border-radius:3px}pre{padding:.6rem;overflow:auto;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:14px}td,th{border-bottom:1px solid #eee;padding:.25rem .4rem;text-align:left;vertical-align:top}</style></head>
<body><h1>Threadline agent API</h1><p id="intro"></p><nav><a href="#calls">Calls</a> · <a href="#events">Events (webhooks)</a></nav>
<h2 id="calls">Calls</h2><div id="ops">Loading /api/openapi.json…</div>
<h2 id="events">Events (webhooks)</h2><div id="hooks"></div>
<script>
const el=(tag,text,cls)=>{const e=document.createElement(tag);if(text!==undefined)e.textContent=text;if(cls)e.className=cls;return e;};
const typeOf=s=>s.const!==undefined?JSON.stringify(s.const):Array.isArray(s.type)?s.type.join(' | '):s.type==='array'&&s.items?typeOf(s.items)+'[]':s.format?s.type+' ('+s.format+')':s.type||(s.anyOf||s.oneOf||[]).map(typeOf).join(' | ')||'any';
const valuesOf=s=>s.enum?['one of: '+s.enum.join(', ')]:s['x-extensible-enum']?['one of: '+s['x-extensible-enum'].join(', ')+' (more may be added: accept a value you do not know)']:s.items?valuesOf(s.items):[];
function rows(schema,prefix,out){
  const required=new Set(schema.required||[]);
  for(const [name,s] of Object.entries(schema.properties||{})){
    const path=prefix?prefix+'.'+name:name;
    out.push([path,typeOf(s),required.has(name)?'yes':'',[s.description,...valuesOf(s)].filter(Boolean).join('; ')]);
    if(s.properties)rows(s,path,out);
    if(s.items&&s.items.properties)rows(s.items,path+'[]',out);
  }
  return out;
}
function table(head,body){
  const t=el('table');const h=el('tr');for(const c of head)h.append(el('th',c));t.append(h);
  for(const r of body){const tr=el('tr');for(const c of r)tr.append(el('td',c));t.append(tr);}
  return t;
}
function example(d,label,media){if(media&&media.example!==undefined)d.append(el('div',label+':'),el('pre',JSON.stringify(media.example,null,2),'example'));}
function events(doc){
  const hooks=document.getElementById('hooks');
  hooks.append(el('p','Each event is a POST to your endpoint, signed per Standard Webhooks; its body is {id, type, timestamp, data}. Objects may gain fields: ignore those you do not know.'));
  for(const [type,item] of Object.entries(doc.webhooks||{})){
    const op=item.post;const d=el('div',undefined,'op');d.id='event-'+type;
    d.append(el('h3',type),el('p',op.summary));
    d.append(el('div','Headers: '+op.parameters.map(p=>p.name+' ('+p.description+')').join(' · ')));
    const ref=op.requestBody.content['application/json'].schema.$ref;
    const schema=doc.components.schemas[ref.split('/').pop()];
    d.append(table(['field','type','required','about'],rows(schema,'',[])));
    example(d,'Example body',op.requestBody.content['application/json']);
    d.append(el('div','Answers: '+Object.entries(op.responses).map(([k,v])=>k+' '+v.description).join(' · ')));
    hooks.append(d);
  }
}
fetch('openapi.json').then(r=>r.json()).then(doc=>{
  document.getElementById('intro').textContent=doc.info.description;
  const ops=document.getElementById('ops');ops.textContent='';
  for(const [path,item] of Object.entries(doc.paths)){
    ops.append(el('h3',path));
    for(const [method,op] of Object.entries(item)){
      const d=el('div',undefined,'op');d.append(el('span',method.toUpperCase(),'m'),el('span',op.summary));
      if(op.requestBody){const body=op.requestBody.content['application/json'];d.append(el('pre',JSON.stringify(body.schema,null,2)));example(d,'Example body',body);}
      const ok=Object.entries(op.responses).find(([k,v])=>k.startsWith('2')&&((v.content||{})['application/json']||{}).example!==undefined);
      if(ok)example(d,'Example answer ('+ok[0]+')',ok[1].content['application/json']);
      d.append(el('div','Answers: '+Object.entries(op.responses).map(([k,v])=>k+' '+v.description).join(' · ')));
      ops.append(d);
    }
  }
  events(doc);
}).catch(e=>{document.getElementById('ops').textContent='Could not load the document: '+e;});
</script></body></html>`;
