import {
  AccessDeniedException,
  BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandOutput,
  ModelTimeoutException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ResponderResult, ResponderResultSchema } from '#shared/domain/responder.js';
import { UnavailableError } from '#shared/errors.js';
import { logger } from '#shared/log.js';
import {
  BEDROCK_SYSTEM_PROMPT,
  createBedrockResponder,
  maskPersonalData,
  parseModelAnswer,
} from '#shared/responder/bedrock-responder.js';
import { mockAws } from '../../../support/aws-mock.js';
import { assigned, context, inbound, note, outbound } from './fixtures.js';

const MODEL_ID = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const bedrock = mockAws(BedrockRuntimeClient);
const responder = createBedrockResponder({
  client: new BedrockRuntimeClient({ region: 'eu-west-1' }),
  modelId: MODEL_ID,
  instructions: 'Standard shipping takes 2-4 working days.',
});

/** Yesterday on WhatsApp (with contact details and her surname), today by email. */
const timeline = () => [
  inbound(
    'whatsapp',
    'Where is my parcel? Call me on +44 7700 900123 or mail dana.whitfield@example.com\nDana Whitfield',
    '2025-06-09T09:00:00.000Z',
    'conv_1',
  ),
  outbound('whatsapp', 'Hi Dana, your parcel is on its way.', '2025-06-09T09:00:05.000Z', 'ai', 'conv_1'),
  note('Customer phone 07700 900123, prefers calls', '2025-06-09T09:01:00.000Z', 'conv_1'),
  inbound(
    'email',
    'How long does shipping take? My new number is (415) 555-0100.',
    '2025-06-10T10:00:00.000Z',
  ),
];

const PROMPT = [
  'Customer: Dana (returning customer)',
  'Channels used: WhatsApp, email',
  'Answering on: email',
  '',
  'Timeline, oldest first:',
  '[2025-06-09T09:00:00.000Z] WhatsApp, customer: Where is my parcel? Call me on [phone] or mail [email] Dana [name]',
  '[2025-06-09T09:00:05.000Z] WhatsApp, us (assistant): Hi Dana, your parcel is on its way.',
  '[2025-06-10T10:00:00.000Z] email, customer: How long does shipping take? My new number is [phone]. (unanswered)',
].join('\n');

function modelSays(text: string, stopReason: ConverseCommandOutput['stopReason'] = 'end_turn') {
  bedrock.on(ConverseCommand).resolves({
    output: { message: { role: 'assistant', content: [{ text }] } },
    stopReason,
    usage: { inputTokens: 900, outputTokens: 80, totalTokens: 980 },
    metrics: { latencyMs: 700 },
  });
}

const ANSWER = {
  reply:
    'Hi Dana — I see you asked about your parcel on WhatsApp earlier. Standard shipping takes 2-4 working days.',
  confidence: 0.92,
  handoff: null,
  language: 'en',
  sentiment: 'neutral',
};

async function respond() {
  const result = await responder.respond(context(timeline()));
  expect(ResponderResultSchema.safeParse(result).success).toBe(true);
  return result;
}

beforeEach(() => {
  bedrock.reset();
  vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('createBedrockResponder', () => {
  it('sends one Converse request with the configured model, the instructions and the masked timeline', async () => {
    modelSays(JSON.stringify(ANSWER));
    await respond();

    const calls = bedrock.commandCalls(ConverseCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      modelId: MODEL_ID,
      system: [
        { text: `${BEDROCK_SYSTEM_PROMPT}\n\nShop information:\nStandard shipping takes 2-4 working days.` },
      ],
      messages: [{ role: 'user', content: [{ text: PROMPT }] }],
      inferenceConfig: { maxTokens: 800, temperature: 0.2 },
    });
  });

  it('puts no phone number, email address, surname or internal note in the prompt', async () => {
    modelSays(JSON.stringify(ANSWER));
    await respond();

    const sent = JSON.stringify(bedrock.commandCalls(ConverseCommand)[0]?.args[0].input);
    for (const secret of [
      '7700',
      '900123',
      '555-0100',
      '@example.com',
      'Whitfield',
      'prefers calls',
      'cus_dana',
    ]) {
      expect(sent).not.toContain(secret);
    }
  });

  it("returns the model's reply with its confidence, language and sentiment", async () => {
    modelSays(`Here is my answer:\n\`\`\`json\n${JSON.stringify(ANSWER)}\n\`\`\``);

    expect(await respond()).toEqual({
      reply: ANSWER.reply,
      confidence: 0.92,
      language: 'en',
      sentiment: 'neutral',
    });
  });

  it("hands off when the model does, with the timeline summary, the model's note and its holding reply", async () => {
    modelSays(
      JSON.stringify({
        reply: 'Un instant, je vous passe un collègue.',
        confidence: 0.9,
        handoff: { reason: 'asked_for_person', summary: 'Wants a person about a late parcel.' },
        language: 'FR',
        sentiment: 'neutral',
      }),
    );

    expect(await respond()).toEqual({
      reply: 'Un instant, je vous passe un collègue.',
      confidence: 0.9,
      handoff: {
        reason: 'asked_for_person',
        summary:
          'Dana Whitfield (returning customer); channels: WhatsApp, email.\n' +
          'Asked by email: "How long does shipping take? My new number is (415) 555-0100."\n' +
          'Earlier on WhatsApp: "Where is my parcel? Call me on +44 7700 900123 or mail dana.whitfield@example.com Dana Whitfield"\n' +
          'sentiment neutral; language fr.\n' +
          "Model's note: Wants a person about a late parcel.",
      },
      language: 'fr',
      sentiment: 'neutral',
    });
  });

  it('hands off without a reply when the model is below the threshold', async () => {
    modelSays(JSON.stringify({ ...ANSWER, confidence: 0.4 }));
    const result = await respond();

    expect(result.reply).toBeUndefined();
    expect(result.handoff?.reason).toBe('low_confidence');
    expect(result.confidence).toBe(0.4);
  });

  it('hands off without a reply when the model reads the customer as upset', async () => {
    modelSays(JSON.stringify({ ...ANSWER, sentiment: 'negative' }));
    const result = await respond();

    expect(result.reply).toBeUndefined();
    expect(result.handoff?.reason).toBe('negative_sentiment');
    expect(result.handoff?.summary).toContain('sentiment negative');
  });

  it.each([
    ['prose', 'I think shipping takes 2-4 days.', 'end_turn'],
    ['broken JSON', '{"reply": "Hi", "confidence": ', 'end_turn'],
    ['no confidence', '{"reply": "Hi"}', 'end_turn'],
    ['a confidence above 1', JSON.stringify({ ...ANSWER, confidence: 1.5 }), 'end_turn'],
    [
      'an unknown handoff reason',
      JSON.stringify({ ...ANSWER, handoff: { reason: 'bored', summary: 'x' } }),
      'end_turn',
    ],
    ['a cut-off answer', JSON.stringify(ANSWER), 'max_tokens'],
    ['a guardrail intervention', JSON.stringify(ANSWER), 'guardrail_intervened'],
  ] as const)('hands off with model_error and no reply on %s', async (_name, text, stopReason) => {
    modelSays(text, stopReason);
    const result = await respond();

    expect(result).toEqual({
      confidence: 0,
      handoff: { reason: 'model_error', summary: expect.stringContaining('Asked by email:') },
    });
    // The log line names ids and the stop reason, never the customer's or the model's text.
    expect(logger.warn).toHaveBeenCalledWith('bedrock answer unusable', {
      customerId: 'cus_dana',
      modelId: MODEL_ID,
      stopReason,
    });
  });

  it.each([
    ['throttled', new ThrottlingException({ message: 'Too many requests', $metadata: {} })],
    ['timed out', new ModelTimeoutException({ message: 'Model timed out', $metadata: {} })],
  ])('throws UnavailableError, to be retried, when Bedrock is %s', async (_name, error) => {
    bedrock.on(ConverseCommand).rejects(error);

    const failure = responder.respond(context(timeline()));
    await expect(failure).rejects.toBeInstanceOf(UnavailableError);
    await expect(failure).rejects.toHaveProperty('cause', error);
  });

  it.each([
    ['access to the model is denied', new AccessDeniedException({ message: 'no access', $metadata: {} })],
    ['the model id is invalid', new ValidationException({ message: 'invalid model', $metadata: {} })],
  ])('hands off with model_error when %s', async (_name, error) => {
    bedrock.on(ConverseCommand).rejects(error);
    const result = await respond();

    expect(result.reply).toBeUndefined();
    expect(result.handoff?.reason).toBe('model_error');
    expect(logger.warn).toHaveBeenCalledWith('bedrock call failed', {
      customerId: 'cus_dana',
      modelId: MODEL_ID,
      error: error.name,
    });
  });

  describe('a call Bedrock never answers', () => {
    /** Converse calls answered never: only their abort settles them. */
    const hang = () => bedrock.on(ConverseCommand).callsFake(() => new Promise(() => undefined));
    /** The abort signal each Converse call was sent with (the SDK passes it to its HTTP handler). */
    const signals = () =>
      bedrock
        .commandCalls(ConverseCommand)
        .map(
          (call) => ((call.args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined)?.abortSignal,
        );

    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('is aborted after 15 s by default and handed off (model_error, no reply), not held until the resolver times out', async () => {
      hang();
      let result: ResponderResult | undefined;
      void responder.respond(context(timeline())).then((r) => {
        result = r;
      });
      await vi.advanceTimersByTimeAsync(14_999);
      expect(result).toBeUndefined();
      expect(signals().map((signal) => signal?.aborted)).toEqual([false]);

      await vi.advanceTimersByTimeAsync(1);
      expect(result).toEqual({
        confidence: 0,
        handoff: { reason: 'model_error', summary: expect.stringContaining('Asked by email:') },
      });
      expect(ResponderResultSchema.safeParse(result).success).toBe(true);
      // The SDK's request is aborted with it (its connection closed), and the log line names ids only.
      expect(signals().map((signal) => signal?.aborted)).toEqual([true]);
      expect(logger.warn).toHaveBeenCalledWith('bedrock call timed out: handed to a person', {
        customerId: 'cus_dana',
        modelId: MODEL_ID,
        timeoutMs: 15_000,
      });
      expect(vi.getTimerCount()).toBe(0);
    });

    it('waits BEDROCK_TIMEOUT_MS when it is set', async () => {
      hang();
      const patient = createBedrockResponder({
        client: new BedrockRuntimeClient({ region: 'eu-west-1' }),
        modelId: MODEL_ID,
        timeoutMs: 5_000,
      });
      let result: ResponderResult | undefined;
      void patient.respond(context(timeline())).then((r) => {
        result = r;
      });
      await vi.advanceTimersByTimeAsync(4_999);
      expect(result).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(result?.handoff?.reason).toBe('model_error');
    });

    it('leaves no timer behind when Bedrock answers in time', async () => {
      modelSays(JSON.stringify(ANSWER));
      expect((await respond()).reply).toBe(ANSWER.reply);
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  it('rethrows an error that is not from Bedrock', async () => {
    const bug = new TypeError('not a function');
    bedrock.on(ConverseCommand).rejects(bug);
    await expect(responder.respond(context(timeline()))).rejects.toBe(bug);
  });

  it('never calls the model once a human took over the conversation', async () => {
    const items = [
      ...timeline(),
      assigned('2025-06-10T10:01:00.000Z', { agentId: 'agent_sam', queue: null }),
    ];
    const result = await responder.respond(context(items));

    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(0);
    expect(result.reply).toBeUndefined();
    expect(result.handoff?.reason).toBe('human_took_over');
  });

  it('hands off without calling the model when the customer asks for a person', async () => {
    const items = [inbound('sms', 'Quiero hablar con una persona', '2025-06-10T10:00:00.000Z')];
    const result = await responder.respond(context(items));

    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(0);
    expect(result.handoff?.reason).toBe('asked_for_person');
  });

  it('hands off an upset customer without calling the model, as the knowledge-base responder does', async () => {
    const items = [
      inbound('sms', 'im so done with u lot, my parcel is NOT HERE', '2025-06-10T10:00:00.000Z'),
    ];
    const result = await responder.respond(context(items));

    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(0);
    expect(result.handoff?.reason).toBe('negative_sentiment');
    expect(result.sentiment).toBe('negative');
  });

  it('answers nothing when every message was answered', async () => {
    const items = [...timeline(), outbound('email', 'Two to four days.', '2025-06-10T10:00:05.000Z', 'ai')];
    expect(await responder.respond(context(items))).toEqual({ confidence: 0 });
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(0);
  });
});

describe('maskPersonalData', () => {
  it.each([
    ['+44 7700 900123', '[phone]'],
    ['call 0044 20 7946 0958 now', 'call [phone] now'],
    ['(415) 555-0100', '[phone]'],
    ['+14155550100', '[phone]'],
    ['whatsapp:+14155550100', 'whatsapp:[phone]'],
    ['0612345678', '[phone]'],
    ['555-0100', '[phone]'],
    ['Mail Dana.W+shop@Example.co.uk.', 'Mail [email].'],
    ['order 1234567 placed on 2025-06-01 or 01/06/2025', 'order 1234567 placed on 2025-06-01 or 01/06/2025'],
    ['sizes 36 to 46, 2–4 days, €9.95', 'sizes 36 to 46, 2–4 days, €9.95'],
  ])('masks "%s" as "%s"', (text, masked) => {
    expect(maskPersonalData(text)).toBe(masked);
  });

  it('masks the names it is given as whole words only', () => {
    expect(maskPersonalData('Dana Whitfield, Whitfield Road, Whitfields', ['Whitfield'])).toBe(
      'Dana [name], [name] Road, Whitfields',
    );
  });
});

describe('parseModelAnswer', () => {
  it('takes the JSON object out of surrounding text and lower-cases the language', () => {
    expect(
      parseModelAnswer(`Sure! {"reply": null, "confidence": 0.1, "language": "ES"} Hope that helps.`),
    ).toEqual({
      reply: null,
      confidence: 0.1,
      language: 'es',
    });
  });

  it('refuses an answer without braces or with the wrong types', () => {
    expect(parseModelAnswer('no json here')).toBeUndefined();
    expect(parseModelAnswer('{"reply": 42, "confidence": 0.5}')).toBeUndefined();
  });
});
