import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { apiSchemas } from '#shared/api/schemas.js';
import { normaliseWhatsApp } from '#shared/channels/whatsapp/normalise.js';
import { EnvelopeSchema } from '#shared/domain/envelope.js';
import { OutboundMessageSchema } from '#shared/domain/outbound.js';
import { ReplyRequestSchema } from '#shared/domain/replies.js';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';
import { MessageRequestSchema, SessionRequestSchema } from '#shared/domain/webchat/requests.js';
import { parseWellFormedJson } from '#shared/validation/well-formed-json.js';

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
});

/**
 * What agents and web-chat visitors write through the API, and the texts the routing policy sends, are
 * made well-formed too, as the body (or the file) is parsed (`parseWellFormedJson`), whatever the
 * field: before, only the fields whose schema said so were, and a reply's file link or type, say, was
 * stored and sent as it came.
 */
describe('text agents, visitors and the policy write, made well-formed as the JSON is read', () => {
  const sent = <T>(json: string, parse: (value: unknown) => T): T => parse(parseWellFormedJson(json).value);

  it('mends every string of a body, keys included, nested at any depth', () => {
    const { value, text } = parseWellFormedJson(
      '{"a\\ud800":["x\\udc00",{"b":"\\udbff y","c":[1,true,null,"\\ud83d\\ude00"]}]}',
    );
    expect(value).toEqual({ 'a\ufffd': ['x\ufffd', { b: '\ufffd y', c: [1, true, null, '😀'] }] });
    expect(JSON.parse(text)).toEqual(value);
  });

  it('keeps a surrogate pair and an escaped backslash before `ud800` as they are', () => {
    for (const [json, value] of [
      ['{"a":"😀 \\ud83d\\ude00"}', { a: '😀 😀' }],
      ['{"path":"C:\\\\ud800"}', { path: 'C:\\ud800' }],
    ] as const) {
      const read = parseWellFormedJson(json);
      expect([read.value, JSON.parse(read.text)]).toEqual([value, value]);
    }
  });

  it('hands on a text with no surrogate escape as it came, parsed once', () => {
    const json = '{"name":"Zoë 😀","n":[1e3,-0]}';
    expect(parseWellFormedJson(json)).toEqual({ value: JSON.parse(json), text: json });
  });

  it('throws on text that is not JSON, as JSON.parse does', () => {
    expect(() => parseWellFormedJson('{"a":"\\ud800"')).toThrow(SyntaxError);
  });

  it('mends a web-chat message and a pre-chat name', () => {
    const message = sent('{"text":"\\ud800 hello","clientMessageId":"c-00000001"}', (v) =>
      MessageRequestSchema.parse(v),
    );
    expect(message.text).toBe('\ufffd hello');
    expect(sent('{"name":"Vera \\udfff"}', (v) => SessionRequestSchema.parse(v)).name).toBe('Vera \ufffd');
  });

  it('mends a reply’s text, template, file names, links and types', () => {
    const reply = sent(
      '{"text":"\\ud800 hi","template":{"name":"t\\ud800","language":"en","parameters":["a\\udc00"]},"attachments":[{"url":"https://x.example/a\\ud800","filename":"\\udbffa.pdf","mimeType":"application/pdf\\udc00"}]}',
      (v) => ReplyRequestSchema.parse(v),
    );
    expect(reply.text).toBe('\ufffd hi');
    expect(reply.template).toMatchObject({ name: 't\ufffd', parameters: ['a\ufffd'] });
    expect(reply.attachments[0]).toMatchObject({
      url: 'https://x.example/a\ufffd',
      filename: '\ufffda.pdf',
      mimeType: 'application/pdf\ufffd',
    });
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

describe('control characters in what agents and the AI send', () => {
  it('are taken out of a reply before it is queued, and a reply of nothing else is refused', () => {
    expect(ReplyRequestSchema.parse({ text: 'Hi\u0000 there\u0007' }).text).toBe('Hi there');
    expect(ReplyRequestSchema.safeParse({ text: '\u0000' }).success).toBe(false);
  });

  it('are taken out of an outbound message as it is queued and as the sender reads it', () => {
    // The field every outbound message's text is parsed by, on the queue and in the sender.
    const text = OutboundMessageSchema.shape.text.parse('Your order\u0000 ships\u001b today\n');
    expect(text).toBe('Your order ships today\n');
  });
});
