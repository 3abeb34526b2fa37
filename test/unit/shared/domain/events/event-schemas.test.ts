import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createAgentApp } from '#shared/api/app.js';
import type { AgentAppDeps } from '#shared/api/deps.js';
import type { ChangeRecord } from '#shared/domain/change-feed.js';
import {
  AttachmentSchema,
  ChannelSchema,
  ContentTypeSchema,
  DeliveryStatusSchema,
  DirectionSchema,
} from '#shared/domain/envelope.js';
import { EventTypeSchema } from '#shared/domain/events/integration-events.js';
import { eventsOfChange } from '#shared/domain/events/map-change.js';
import { OutboundMessageSchema } from '#shared/domain/outbound.js';
import { SlaMetricSchema } from '#shared/domain/sla/policy.js';
import { WakeReasonSchema } from '#shared/domain/snooze.js';
import { changeRecord } from '../../../../support/change-records.js';
import { documentedEvent, type EventDocument } from '../../../../support/documented-event.js';

const AT = '2026-12-03T10:00:00.000Z';
const change = (
  kind: ChangeRecord['kind'],
  newImage: Record<string, unknown>,
  oldImage?: Record<string, unknown>,
  sk = 'TIMELINE#x',
): ChangeRecord => changeRecord(kind, { pk: 'CUSTOMER#cu_1', sk }, AT, newImage, oldImage);

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

/** An SMS contact state toward a number of ours, written under the customer whose keyword it was. */
const consent = (blocked: boolean, reason: string) => ({
  entity: 'contact_state',
  kind: 'phone',
  value: '+447700900555',
  number: '+15017120001',
  blocked,
  reason,
  at: AT,
  envelopeId: 'twilio:SM1',
  customerId: 'cu_1',
});

/** A change of the table that makes each event type, with every optional field the mapper can fill. */
const CHANGES: ChangeRecord[] = [
  change('insert', inbound),
  change('insert', { ...inbound, id: 'sms:SM1', channel: 'sms', data: { optOut: 'stop' } }),
  change('insert', consent(true, 'opted out (STOP)'), undefined, 'CONTACT#+15017120001'),
  change(
    'modify',
    consent(false, 'opted in (START)'),
    consent(true, 'opted out (STOP)'),
    'CONTACT#+15017120001',
  ),
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
  change('insert', event('sla_warning', { metric: 'firstResponse', due: AT, policy: 'vip' })),
  change('insert', event('snoozed', { until: AT, by: 'ana' })),
  change('insert', event('woke', { snoozedUntil: AT, reason: 'agent', by: 'ana' })),
  change(
    'insert',
    event('csat', { surveyId: 'svAbc', score: 4, comment: 'quick', answeredAt: AT }, { channel: 'whatsapp' }),
  ),
  change(
    'insert',
    event(
      'call_voicemail',
      { durationSeconds: 23, recordingUrl: 'https://api.twilio.com/Recordings/RE1' },
      { channel: 'voice', direction: 'inbound' },
    ),
  ),
  change(
    'insert',
    event('edit', {}, { channel: 'whatsapp', targetMessageId: 'wamid.1', text: 'Where is my parcel?' }),
  ),
  change(
    'modify',
    { ...inbound, text: undefined, attachments: undefined, deleted: true, deletedAt: AT },
    inbound,
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
    expect([...new Set(emitted.map((e) => e.type))].sort()).toEqual([...EventTypeSchema.options].sort());
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

/**
 * Every value of each closed set the mapper copies into an event, as the code writes it to the table
 * (the timeline's, the envelope's and the outbound schemas): a change for each, so an event carrying a
 * value the document does not list fails.
 */
function everyValueChanges(): ChangeRecord[] {
  const queued = { ...outbound, status: 'queued' };
  return [
    ...ChannelSchema.options.flatMap((channel) => [
      change('insert', { ...inbound, channel }),
      change('insert', { ...outbound, channel }),
      change('modify', { ...queued, channel, status: 'sent' }, { ...queued, channel }),
      change('insert', { ...conversation, channel }),
      change('insert', { entity: 'customer', id: 'cu_1', createdAt: AT, channels: new Set([channel]) }),
      change('insert', event('csat', { surveyId: 's', score: 5, answeredAt: AT }, { channel })),
    ]),
    ...DirectionSchema.options.map((direction) => change('insert', { ...inbound, direction })),
    ...ContentTypeSchema.options.map((contentType) => change('insert', { ...inbound, contentType })),
    ...AttachmentSchema.shape.kind.options.map((kind) =>
      change('insert', { ...inbound, attachments: [{ kind, url: 'https://media.example/1' }] }),
    ),
    ...OutboundMessageSchema.shape.author.shape.kind.options.map((kind) =>
      change('insert', { ...outbound, data: { author: { kind, id: 'x' } } }),
    ),
    ...DeliveryStatusSchema.options.flatMap((status) => [
      change('insert', { ...outbound, status }),
      ...DeliveryStatusSchema.options
        .filter((previous) => previous !== status)
        .map((previous) => change('modify', { ...outbound, status }, { ...outbound, status: previous })),
    ]),
    ...SlaMetricSchema.options.map((metric) => change('insert', event('sla_breached', { metric, due: AT }))),
    ...SlaMetricSchema.options.map((metric) => change('insert', event('sla_warning', { metric, due: AT }))),
    ...WakeReasonSchema.options.map((reason) =>
      change('insert', event('woke', { snoozedUntil: AT, reason })),
    ),
  ];
}

/** The document's schema of a field of an event's `data` (`attachments.kind` inside the array). */
function dataField(doc: EventDocument, schema: string, path: string): Record<string, unknown> {
  let node = (doc.components.schemas[schema] as { properties: { data: unknown } }).properties.data;
  for (const name of path.split('.')) {
    const object = node as {
      properties?: Record<string, unknown>;
      items?: { properties: Record<string, unknown> };
    };
    node = (object.properties ?? object.items?.properties)?.[name];
  }
  return (node as { items?: Record<string, unknown> }).items ?? (node as Record<string, unknown>);
}

describe('closed sets in integrator events', () => {
  it('lists every value the code can write for each, as an extensible enum from the same schemas', async () => {
    const doc = (await (await createAgentApp(deps).request('/api/openapi.json')).json()) as EventDocument;
    const sets: Array<[string, string, readonly string[]]> = [
      ['MessageReceivedEvent', 'channel', ChannelSchema.options],
      ['MessageReceivedEvent', 'direction', DirectionSchema.options],
      ['MessageSentEvent', 'contentType', ContentTypeSchema.options],
      ['MessageSentEvent', 'attachments.kind', AttachmentSchema.shape.kind.options],
      ['MessageSentEvent', 'author', OutboundMessageSchema.shape.author.shape.kind.options],
      ['MessageSentEvent', 'status', DeliveryStatusSchema.options],
      ['MessageStatusEvent', 'status', DeliveryStatusSchema.options],
      ['MessageStatusEvent', 'previousStatus', DeliveryStatusSchema.options],
      ['ConversationOpenedEvent', 'channel', ChannelSchema.options],
      ['CustomerCreatedEvent', 'channels', ChannelSchema.options],
      ['CsatReceivedEvent', 'channel', ChannelSchema.options],
      ['SlaBreachedEvent', 'metric', SlaMetricSchema.options],
      ['SlaWarningEvent', 'metric', SlaMetricSchema.options],
      ['ConversationWokeEvent', 'reason', WakeReasonSchema.options],
    ];
    for (const [schema, path, values] of sets) {
      const field = dataField(doc, schema, path);
      expect(field['x-extensible-enum'], `${schema} ${path}`).toEqual([...values]);
      expect(field.enum, `${schema} ${path}: a strict enum breaks a receiver on a value added later`).toBe(
        undefined,
      );
    }
    for (const sent of everyValueChanges().flatMap(eventsOfChange)) {
      const body = JSON.parse(JSON.stringify(sent)) as { type: string; data: unknown };
      const result = documentedEvent(doc, body.type).safeParse(body);
      expect(result.error?.issues, JSON.stringify(body.data)).toBeUndefined();
    }
  });

  it('refuses, closed by the tests, a value the document does not list; an integrator validating against it accepts one added later', async () => {
    const doc = (await (await createAgentApp(deps).request('/api/openapi.json')).json()) as EventDocument;
    const [received] = eventsOfChange(change('insert', inbound));
    const body = JSON.parse(JSON.stringify(received));
    const later = { ...body, data: { ...body.data, channel: 'telegram' } };
    expect(documentedEvent(doc, 'message.received').safeParse(body).success).toBe(true);
    expect(documentedEvent(doc, 'message.received').safeParse(later).success).toBe(false);
    const served = doc.components.schemas.MessageReceivedEvent;
    expect(z.fromJSONSchema(served as never).safeParse(later).success).toBe(true);
  });
});
