import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { apiSchemas } from '#shared/api/schemas.js';
import { normaliseWhatsApp } from '#shared/channels/whatsapp/normalise.js';
import { EnvelopeSchema } from '#shared/domain/envelope.js';
import { ReplyRequestSchema } from '#shared/domain/replies.js';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';
import { MessageRequestSchema, SessionRequestSchema } from '#shared/domain/webchat/requests.js';

const FIXTURES = new URL('../../../fixtures/whatsapp/', import.meta.url);
const LONE = 'Hi \ud800 there \udc00, 😀 stays';
const RECEIVED = { receivedAt: '2026-06-01T12:00:00.000Z', bodySha256: 'a'.repeat(64) };
const MENDED = 'Hi \ufffd there \ufffd, 😀 stays';

/** A WhatsApp text message whose body and sender's name hold lone surrogates (JSON `"\ud800"`). */
function whatsAppWith(text: string, name: string) {
  const body = JSON.parse(readFileSync(new URL('text.json', FIXTURES), 'utf8'));
  const value = body.entry[0].changes[0].value;
  value.messages[0].text.body = text;
  value.contacts[0].profile.name = name;
  // As it comes over the wire: the escapes survive JSON, and JSON.parse makes them lone surrogates again.
  return JSON.parse(JSON.stringify(body));
}

/**
 * Lone UTF-16 surrogates in inbound text become U+FFFD where text enters, so what is stored is
 * well-formed. Before, a web-chat `"\ud800"` or a provider's was stored as it came.
 */
describe('text people write, made well-formed at the edge', () => {
  it('mends a provider message’s text and sender name in the envelope', () => {
    const { envelopes } = normaliseWhatsApp(whatsAppWith(LONE, 'Ana \udbff'), RECEIVED);
    expect(envelopes[0]).toMatchObject({ text: MENDED, profileName: 'Ana \ufffd' });
  });

  it.each([
    ['interpreted', EnvelopeSchema],
    ['compiled', z.compile(EnvelopeSchema)],
  ])('mends text, file names and captions as the resolver parses an envelope (%s)', (_, schema) => {
    const { envelopes } = normaliseWhatsApp(whatsAppWith('hello', 'Ana'), RECEIVED);
    const attachments = [{ kind: 'document', filename: 'a\ud800.pdf', caption: '\udc00' }];
    const envelope = { ...envelopes[0], text: LONE, attachments };
    const parsed = schema.parse(envelope) as { text?: string; attachments: unknown[] };
    expect(parsed.text).toBe(MENDED);
    expect(parsed.attachments).toEqual([{ kind: 'document', filename: 'a\ufffd.pdf', caption: '\ufffd' }]);
  });

  it('mends a web-chat message and a pre-chat name as the route reads them', () => {
    const sent = MessageRequestSchema.parse(
      JSON.parse('{"text":"\\ud800 hello","clientMessageId":"c-00000001"}'),
    );
    expect(sent.text).toBe('\ufffd hello');
    expect(SessionRequestSchema.parse({ name: 'Vera \udfff' }).name).toBe('Vera \ufffd');
  });
});

/**
 * What agents write through the API, and the texts the routing policy sends, are made well-formed too:
 * before, a reply's `"\ud800"` was stored and sent as it came, and broke strict UTF-8 consumers.
 */
describe('text agents and the policy write, made well-formed at the schema', () => {
  const sent = <T>(json: string, parse: (value: unknown) => T): T => parse(JSON.parse(json));

  it('mends a reply’s text, template parameters and file names', () => {
    const reply = sent(
      '{"text":"\\ud800 hi","template":{"name":"t","language":"en","parameters":["a\\udc00"]},"attachments":[{"url":"https://x.example/a","filename":"\\udbffa.pdf"}]}',
      (v) => ReplyRequestSchema.parse(v),
    );
    expect(reply.text).toBe('\ufffd hi');
    expect(reply.template?.parameters).toEqual(['a\ufffd']);
    expect(reply.attachments[0]?.filename).toBe('\ufffda.pdf');
  });

  it('mends a note and a customer’s new name', () => {
    const { NoteRequestSchema, CustomerChangeSchema } = apiSchemas();
    expect(sent('{"text":"note \\ud800"}', (v) => NoteRequestSchema.parse(v)).text).toBe('note \ufffd');
    expect(sent('{"name":"Ana \\udfff"}', (v) => CustomerChangeSchema.parse(v)).name).toBe('Ana \ufffd');
  });

  it('mends every text of the policy (automation replies, hand-off words) as it is read', () => {
    const policy = parseRoutingPolicy(
      JSON.stringify({
        defaultQueue: 'general',
        queues: [{ name: 'general' }],
        aiReplies: { handoff: 'A person \ud800 will answer' },
        automations: [
          { name: 'hi', trigger: 'message_received', actions: [{ type: 'reply', text: 'Hello \udc00' }] },
        ],
      }),
    );
    expect(policy.aiReplies?.handoff).toBe('A person \ufffd will answer');
    expect(policy.automations[0]?.actions[0]).toMatchObject({ text: 'Hello \ufffd' });
  });
});
