import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createAgentApp } from '#shared/api/app.js';
import type { AgentAppDeps } from '#shared/api/deps.js';
import type { ChangeRecord } from '#shared/domain/change-feed.js';
import { EventTypeSchema } from '#shared/domain/events/integration-events.js';
import { eventsOfChange } from '#shared/domain/events/map-change.js';
import { documentedEvent, type EventDocument } from '../../../../support/documented-event.js';

const AT = '2026-12-03T10:00:00.000Z';
const change = (
  kind: ChangeRecord['kind'],
  newImage: Record<string, unknown>,
  oldImage?: Record<string, unknown>,
  sk = 'TIMELINE#x',
): ChangeRecord => ({
  id: 'rec-1',
  kind,
  keys: { pk: 'CUSTOMER#cu_1', sk },
  newImage,
  ...(oldImage ? { oldImage } : {}),
  sequence: '1',
  at: AT,
});

const inbound = {
  entity: 'timeline',
  id: 'whatsapp:wamid.1',
  type: 'message',
  channel: 'whatsapp',
  direction: 'inbound',
  contentType: 'image',
  text: 'Where is my order?',
  at: '2026-12-03T09:59:00.000Z',
  customerId: 'cu_1',
  conversationId: 'cv_1',
  from: { kind: 'phone', value: '+447700900555' },
  attachments: [
    {
      kind: 'image',
      url: 'https://media.example/1',
      mimeType: 'image/jpeg',
      filename: 'a.jpg',
      sizeBytes: 5,
    },
  ],
};
const outbound = {
  ...inbound,
  id: 'reply:rp_1',
  direction: 'outbound',
  status: 'queued',
  data: { author: { kind: 'agent', id: 'ana' } },
};
const conversation = {
  entity: 'conversation',
  id: 'cv_2',
  customerId: 'cu_1',
  status: 'open',
  channel: 'whatsapp',
  createdAt: AT,
  previousConversationId: 'cv_1',
};
const event = (name: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  entity: 'timeline',
  id: `${name}:x`,
  type: 'event',
  event: name,
  at: AT,
  customerId: 'cu_1',
  conversationId: 'cv_1',
  data,
  ...extra,
});

/** A change of the table that makes each event type, with every optional field the mapper can fill. */
const CHANGES: ChangeRecord[] = [
  change('insert', inbound),
  change('insert', outbound),
  change(
    'modify',
    { ...outbound, status: 'failed', statusAt: AT, errors: [{ code: 131047, title: 'Re-engagement' }] },
    outbound,
  ),
  change('insert', conversation),
  change(
    'modify',
    { ...conversation, assignee: 'bo', queue: 'billing' },
    { ...conversation, assignee: 'ana' },
  ),
  change('modify', { ...conversation, status: 'resolved', resolvedAt: AT, resolvedBy: 'ana' }, conversation),
  change('insert', {
    entity: 'customer',
    id: 'cu_1',
    createdAt: AT,
    channels: new Set(['whatsapp', 'email']),
  }),
  change(
    'modify',
    { entity: 'customer', id: 'cu_2', mergedInto: 'cu_1', mergedAt: AT, mergedBy: 'zoe' },
    { entity: 'customer', id: 'cu_2' },
  ),
  change(
    'modify',
    { entity: 'customer', id: 'cu_2', unmergedAt: AT, unmergedBy: 'zoe' },
    { entity: 'customer', id: 'cu_2', mergedInto: 'cu_1', mergedAt: AT },
  ),
  change(
    'modify',
    { entity: 'erased_customer', id: 'cu_1', erasedAt: AT },
    { entity: 'customer', id: 'cu_1' },
  ),
  change('insert', event('sla_breached', { metric: 'firstResponse', due: AT, policy: 'vip' })),
  change(
    'insert',
    event('csat', { surveyId: 'svAbc', score: 4, comment: 'quick', answeredAt: AT }, { channel: 'whatsapp' }),
  ),
];

const deps = {
  store: {},
  admin: {},
  audit: {},
  replies: {},
  clock: { now: () => new Date(AT) },
  authenticate: async () => undefined,
  phone: {},
} as unknown as AgentAppDeps;

describe('integrator events against the OpenAPI document', () => {
  it('emits every event type, each body valid against the schema the document gives it', async () => {
    const doc = (await (await createAgentApp(deps).request('/api/openapi.json')).json()) as EventDocument;
    const documented = (type: string) => documentedEvent(doc, type);
    const emitted = CHANGES.flatMap(eventsOfChange);
    expect(emitted.map((e) => e.type).sort()).toEqual([...EventTypeSchema.options].sort());
    for (const sent of emitted) {
      // What the receiver gets: the event as JSON.
      const body = JSON.parse(JSON.stringify(sent)) as { type: string };
      const result = documented(body.type).safeParse(body);
      expect(result.error?.issues, body.type).toBeUndefined();
    }
  });

  it('refuses a body of one type under another, and (closed by the tests) a field the document does not name', async () => {
    const doc = (await (await createAgentApp(deps).request('/api/openapi.json')).json()) as EventDocument;
    const schema = (type: string) => documentedEvent(doc, type);
    const [received] = eventsOfChange(change('insert', inbound));
    const body = JSON.parse(JSON.stringify(received));
    expect(schema('message.received').safeParse(body).success).toBe(true);
    expect(schema('message.sent').safeParse(body).success).toBe(false);
    expect(
      schema('message.received').safeParse({ ...body, data: { ...body.data, phone: '+1' } }).success,
    ).toBe(false);
  });

  it('documents open objects, so an integrator validating against the document accepts a field added later', async () => {
    const doc = (await (await createAgentApp(deps).request('/api/openapi.json')).json()) as EventDocument;
    const served = doc.components.schemas.MessageReceivedEvent;
    expect(JSON.stringify(served)).not.toContain('"additionalProperties":false');
    const [received] = eventsOfChange(change('insert', inbound));
    const body = JSON.parse(JSON.stringify(received));
    const later = { ...body, data: { ...body.data, addedLater: 'x' } };
    expect(z.fromJSONSchema(served as never).safeParse(later).success).toBe(true);
  });
});
