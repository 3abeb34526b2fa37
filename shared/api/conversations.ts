import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { addNote } from '#shared/app/add-note.js';
import { assignConversation } from '#shared/app/assign-conversation.js';
import { auditedPage } from '#shared/app/audited-read.js';
import { listInbox } from '#shared/app/list-inbox.js';
import { readConversation } from '#shared/app/read-conversation.js';
import { reopenConversation } from '#shared/app/reopen-conversation.js';
import { replyAsAgent } from '#shared/app/reply-as-agent.js';
import { resolveConversation } from '#shared/app/resolve-conversation.js';
import { snoozeConversation } from '#shared/app/snooze-conversation.js';
import { trackConversationClock } from '#shared/app/track-conversation-clock.js';
import { wakeConversationNow } from '#shared/app/wake-conversation-now.js';
import { InboxConversationSchema } from '#shared/domain/inbox.js';
import { once } from '#shared/domain/on-first-use.js';
import { ReplyRequestSchema } from '#shared/domain/replies.js';
import { ConversationSchema, TimelineItemSchema } from '#shared/domain/timeline.js';
import { UnavailableError } from '#shared/errors.js';
import type { ApiDeps } from './deps.js';
import { emptyBody, jsonBody, readJsonBody, readOptionalJsonBody } from './json-body.js';
import { type AgentEnv, createRouter } from './router.js';
import { apiSchemas, errors, json, page } from './schemas.js';

/** The routes' declarations (their schemas), built with the first sub-app rather than at import. */
const messageRoutes = once(() => {
  const { AssignRequestSchema, IdParamsSchema, InboxQuerySchema, NoteRequestSchema, ReplyHeadersSchema } =
    apiSchemas();
  const inbox = createRoute({
    method: 'get',
    path: '/conversations',
    operationId: 'listInbox',
    summary:
      'The inbox, longest waiting first; `sort=due`: soonest pending SLA deadline first, only conversations with one; 422 `unknown_queue` (nothing read) for a `queue` the routing policy does not have, `unknown_agent` for an `assignee` never registered (a removed agent is known)',
    request: { query: InboxQuerySchema },
    responses: { 200: json('a page', page(InboxConversationSchema)), ...errors(400, 401, 422) },
  });

  const read = createRoute({
    method: 'get',
    path: '/conversations/{id}',
    operationId: 'getConversation',
    summary: "One conversation as the inbox lists it, with its customer's summary (a link to it)",
    request: { params: IdParamsSchema },
    responses: { 200: json('the conversation', InboxConversationSchema), ...errors(400, 401, 404, 410) },
  });

  const ReplySchema = z.object({ reply: TimelineItemSchema });
  const reply = createRoute({
    method: 'post',
    path: '/conversations/{id}/replies',
    operationId: 'replyToConversation',
    summary:
      "Reply on the customer's last inbound channel (or `channel`; a customer who has not written, such as a missed caller, is answered on the one channel they reached us on, a caller by SMS; with several or none, 422 `no_channel` naming them); an `Idempotency-Key` retry returns the first result. An open conversation nobody has becomes the replying agent's (unless `expectedAssignee` is `\"\"`: it stays nobody's); one another agent has is 409 `assignee_changed` (nothing sent) unless `expectedAssignee` names them. 422 `content_not_supported` (nothing sent) for what the channel cannot carry in one message: a template outside WhatsApp, a template with text or attachments, more than one attachment on WhatsApp, Messenger or Instagram, text and an attachment together on Messenger or Instagram. 422 `template_invalid` (nothing sent) for a WhatsApp template Meta would refuse after the 202: a name not of lower-case letters, digits and underscores (or through Twilio a Content SID, HX…), a language code not on Meta's list of template languages (`en`, `en_US`, `pt_BR`…), an empty body parameter. 403 `forbidden` (nothing sent) for a file another agent uploaded (`POST /api/uploads`), `agent_removed` for one of an agent an admin removed, `upload_other_customer` for one uploaded for another customer",
    middleware: [readJsonBody] as const,
    request: { params: IdParamsSchema, headers: ReplyHeadersSchema, body: jsonBody(ReplyRequestSchema) },
    responses: {
      202: json('queued', ReplySchema),
      200: json('the first result of a retried key', ReplySchema),
      ...errors(400, 401, 403, 404, 409, 410, 413, 422, 503),
    },
  });

  const NoteSchema = z.object({ note: TimelineItemSchema });
  const note = createRoute({
    method: 'post',
    path: '/conversations/{id}/notes',
    operationId: 'addNote',
    summary:
      'An internal note; an `Idempotency-Key` retry by the same agent returns the first note (`200`), the key sent again with another text is 422 `idempotency_key_reused`',
    middleware: [readJsonBody] as const,
    request: { params: IdParamsSchema, headers: ReplyHeadersSchema, body: jsonBody(NoteRequestSchema) },
    responses: {
      201: json('the note', NoteSchema),
      200: json('the first note of a retried key', NoteSchema),
      ...errors(400, 401, 404, 413, 422),
    },
  });

  const assign = createRoute({
    method: 'post',
    path: '/conversations/{id}/assign',
    operationId: 'assignConversation',
    summary:
      'Assign or transfer to an agent and/or a queue; 409 `assignee_changed` when `expectedAssignee` no longer has it; 422 `unknown_agent` for an agent never registered (other than yourself), `unknown_queue` for a queue the routing policy does not have',
    middleware: [readJsonBody] as const,
    request: { params: IdParamsSchema, body: jsonBody(AssignRequestSchema) },
    responses: {
      200: json('the conversation', ConversationSchema),
      ...errors(400, 401, 404, 409, 413, 422),
    },
  });
  return { inbox, read, reply, note, assign };
});

/** The resolve, reopen and snooze routes' declarations, built with the first sub-app. */
const stateRoutes = once(() => {
  const { IdParamsSchema } = apiSchemas();
  const ResolveRequestSchema = z.strictObject({
    csat: z.boolean().optional().describe('`false`: no satisfaction survey for this resolve'),
  });
  const resolve = createRoute({
    method: 'post',
    path: '/conversations/{id}/resolve',
    operationId: 'resolveConversation',
    summary:
      'Resolve; the next message within the reopen window reopens it; the policy\'s CSAT survey follows unless `{"csat": false}`',
    middleware: [readOptionalJsonBody] as const,
    request: {
      params: IdParamsSchema,
      body: { required: false, content: { 'application/json': { schema: ResolveRequestSchema } } },
    },
    responses: { 200: json('the conversation', ConversationSchema), ...errors(400, 401, 404, 413) },
  });

  const reopen = createRoute({
    method: 'post',
    path: '/conversations/{id}/reopen',
    operationId: 'reopenConversation',
    summary: 'Reopen a resolved conversation',
    middleware: [readOptionalJsonBody] as const,
    request: { params: IdParamsSchema, body: emptyBody() },
    responses: { 200: json('the conversation', ConversationSchema), ...errors(400, 401, 404, 413) },
  });

  const SnoozeRequestSchema = z.strictObject({
    until: z.iso.datetime({ offset: true }).describe('when the conversation comes back to the inbox'),
  });
  const snooze = createRoute({
    method: 'post',
    path: '/conversations/{id}/snooze',
    operationId: 'snoozeConversation',
    summary: 'Out of the inbox until `until`, or until the customer writes',
    middleware: [readJsonBody] as const,
    request: { params: IdParamsSchema, body: jsonBody(SnoozeRequestSchema) },
    responses: {
      200: json('the conversation', ConversationSchema),
      ...errors(400, 401, 404, 409, 413, 422, 503),
    },
  });
  const wake = createRoute({
    method: 'post',
    path: '/conversations/{id}/wake',
    operationId: 'wakeConversation',
    summary:
      'Back to the open inbox before its snooze ends; `409` `conversation_not_snoozed` when it is not snoozed',
    middleware: [readOptionalJsonBody] as const,
    request: { params: IdParamsSchema, body: emptyBody() },
    responses: {
      200: json('the conversation', ConversationSchema),
      ...errors(400, 401, 404, 409, 413, 503),
    },
  });
  return { resolve, reopen, snooze, wake };
});

/** `/api/conversations`: the inbox, one conversation, replies, notes, assignment, resolve, reopen, snooze and wake. */
export function conversationsApp(deps: ApiDeps): OpenAPIHono<AgentEnv> {
  const { inbox, read, reply, note, assign } = messageRoutes();
  const { resolve, reopen, snooze, wake } = stateRoutes();
  const clock = deps.conversationClock;
  const track =
    clock && ((event: Parameters<typeof trackConversationClock>[1]) => trackConversationClock(clock, event));
  return createRouter()
    .openapi(inbox, async (c) => {
      const { limit, cursor, ...filter } = c.req.valid('query');
      const agentId = c.get('agentId');
      // Names, contacts and the first words of each conversation: a page over the console's 50 is audited.
      const read = { agentId, action: 'conversations_list' as const, query: { ...filter, limit, cursor } };
      const list = () => listInbox(deps, { filter, page: { limit, cursor }, agentId });
      return c.json(await auditedPage(deps, read, list), 200);
    })
    .openapi(read, async (c) => c.json(await readConversation(deps, c.req.valid('param').id), 200))
    .openapi(reply, async (c) => {
      const { item, created } = await replyAsAgent(deps, {
        conversationId: c.req.valid('param').id,
        request: c.req.valid('json'),
        agentId: c.get('agentId'),
        idempotencyKey: c.req.valid('header')['Idempotency-Key'],
      });
      return created ? c.json({ reply: item }, 202) : c.json({ reply: item }, 200);
    })
    .openapi(note, async (c) => {
      const conversationId = c.req.valid('param').id;
      const { text } = c.req.valid('json');
      const noteDeps = { ...deps, newId: () => deps.replies.newId() };
      const idempotencyKey = c.req.valid('header')['Idempotency-Key'];
      const input = { conversationId, text, agentId: c.get('agentId'), idempotencyKey };
      const { item, created } = await addNote(noteDeps, input);
      return created ? c.json({ note: item }, 201) : c.json({ note: item }, 200);
    })
    .openapi(assign, async (c) => {
      const request = { conversationId: c.req.valid('param').id, target: c.req.valid('json') };
      return c.json(await assignConversation(deps, { ...request, agentId: c.get('agentId') }), 200);
    })
    .openapi(resolve, async (c) => {
      const { csat } = c.req.valid('json');
      const id = c.req.valid('param').id;
      const refillTimers = deps.conversationClock?.timers;
      const resolving = { ...deps, track, refillTimers };
      return c.json(await resolveConversation(resolving, id, c.get('agentId'), { csat }), 200);
    })
    .openapi(reopen, async (c) =>
      c.json(await reopenConversation(deps, c.req.valid('param').id, c.get('agentId')), 200),
    )
    .openapi(snooze, async (c) => {
      if (!clock) throw new UnavailableError('timers are not configured');
      const input = { conversationId: c.req.valid('param').id, until: c.req.valid('json').until };
      return c.json(await snoozeConversation(clock, { ...input, agentId: c.get('agentId') }), 200);
    })
    .openapi(wake, async (c) => {
      if (!clock) throw new UnavailableError('timers are not configured');
      const input = { conversationId: c.req.valid('param').id, agentId: c.get('agentId') };
      return c.json(await wakeConversationNow(clock, input), 200);
    });
}
