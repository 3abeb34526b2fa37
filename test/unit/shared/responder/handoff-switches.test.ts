import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ResponderContext, ResponderResultSchema } from '#shared/domain/responder.js';
import { BEDROCK_SYSTEM_PROMPT, createBedrockResponder } from '#shared/responder/bedrock-responder.js';
import { SAMPLE_KNOWLEDGE_BASE } from '#shared/responder/knowledge-base-articles.js';
import { createKnowledgeBaseResponder } from '#shared/responder/knowledge-base-responder.js';
import { mockAws } from '../../../support/aws-mock.js';
import { context, inbound } from './fixtures.js';

// The routing policy tells the responders which of their hand-offs it follows (`escalates`): a
// switched-off reason is no reason to hand off, and the message is answered as any other.
const TODAY = '2025-06-10T10:00:00.000Z';
const kb = createKnowledgeBaseResponder({ folder: SAMPLE_KNOWLEDGE_BASE });
const bedrock = mockAws(BedrockRuntimeClient);
const model = createBedrockResponder({
  client: new BedrockRuntimeClient({ region: 'eu-west-1' }),
  modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
});

function asked(text: string, escalates?: ResponderContext['escalates']): ResponderContext {
  const base = context([inbound('webchat', text, TODAY)]);
  return escalates ? { ...base, escalates } : base;
}

function modelSays(answer: Record<string, unknown>) {
  bedrock.on(ConverseCommand).resolves({
    output: { message: { role: 'assistant', content: [{ text: JSON.stringify(answer) }] } },
    stopReason: 'end_turn',
  });
}

const ANSWER = { reply: 'Standard shipping takes 2-4 working days.', confidence: 0.95, handoff: null };
const UPSET = 'this is pathetic. how long does delivery take?';

describe('knowledge-base responder: hand-offs the policy switched off', () => {
  it('hands off an upset customer while the policy escalates on mood', async () => {
    expect((await kb.respond(asked(UPSET))).handoff?.reason).toBe('negative_sentiment');
  });

  it('answers an upset customer when the policy does not escalate on mood', async () => {
    const result = await kb.respond(asked(UPSET, { negativeSentiment: false, askedForPerson: true }));
    expect(ResponderResultSchema.safeParse(result).success).toBe(true);
    expect(result.handoff).toBeUndefined();
    expect(result.sentiment).toBe('negative');
    expect(result.reply).toMatch(/Standard shipping takes 2–4 working days/);
  });

  it.each(['Is the wig made of human hair?', 'Do you have an agent in Spain who ships faster?'])(
    'does not hand off "%s" as asking for a person when the policy does not follow its reading',
    async (text) => {
      expect((await kb.respond(asked(text))).handoff?.reason).toBe('asked_for_person');
      const result = await kb.respond(asked(text, { negativeSentiment: true, askedForPerson: false }));
      expect(result.handoff?.reason).not.toBe('asked_for_person');
    },
  );
});

describe('Bedrock responder: hand-offs the policy switched off', () => {
  beforeEach(() => {
    bedrock.reset();
  });

  it('asks the model about an upset customer, and lets its answer stand', async () => {
    modelSays({ ...ANSWER, sentiment: 'negative', language: 'en' });
    const result = await model.respond(asked(UPSET, { negativeSentiment: false, askedForPerson: true }));
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(1);
    expect(result.handoff).toBeUndefined();
    expect(result.reply).toBe(ANSWER.reply);
    expect(result.sentiment).toBe('negative');
  });

  it('asks the model about "human hair", without asking it to hand off for a person', async () => {
    modelSays({ ...ANSWER, sentiment: 'neutral', language: 'en' });
    const escalates = { negativeSentiment: true, askedForPerson: false };
    const result = await model.respond(asked('Is the wig made of human hair?', escalates));
    expect(result.reply).toBe(ANSWER.reply);
    const system = bedrock.commandCalls(ConverseCommand)[0]?.args[0].input.system?.[0]?.text ?? '';
    expect(system).not.toContain('asked_for_person');
    expect(system).not.toBe(BEDROCK_SYSTEM_PROMPT);
  });

  it('turns a switched-off hand-off the model makes anyway into low_confidence, its note kept', async () => {
    modelSays({
      reply: "I'm sorry about this. A colleague will answer you shortly.",
      confidence: 0.9,
      handoff: { reason: 'negative_sentiment', summary: 'Upset about delivery times.' },
      sentiment: 'negative',
    });
    const result = await model.respond(asked(UPSET, { negativeSentiment: false, askedForPerson: true }));
    expect(result.handoff?.reason).toBe('low_confidence');
    expect(result.handoff?.summary).toContain("Model's note: Upset about delivery times.");
  });
});
