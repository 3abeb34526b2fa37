import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { beforeEach, describe, expect, it } from 'vitest';
import { BEDROCK_SYSTEM_PROMPT, createBedrockResponder } from '#shared/responder/bedrock-responder.js';
import { lazyPassageIndex, readKnowledgeBase } from '#shared/responder/knowledge-base.js';
import { SAMPLE_KNOWLEDGE_BASE, splitPassages } from '#shared/responder/knowledge-base-articles.js';
import { mockAws } from '../../../support/aws-mock.js';
import { context, inbound } from './fixtures.js';

const bedrock = mockAws(BedrockRuntimeClient);
const base = readKnowledgeBase(SAMPLE_KNOWLEDGE_BASE);
const knowledge = lazyPassageIndex(base);
const responder = createBedrockResponder({
  client: new BedrockRuntimeClient({ region: 'eu-west-1' }),
  modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
  knowledge,
});
const TODAY = '2025-06-10T10:00:00.000Z';

function modelAnswers(confidence: number) {
  const answer = {
    reply: 'Standard shipping takes 2–4 working days.',
    confidence,
    handoff: null,
    language: 'en',
  };
  bedrock.on(ConverseCommand).resolves({
    output: { message: { role: 'assistant', content: [{ text: JSON.stringify(answer) }] } },
    stopReason: 'end_turn',
  });
}

const ask = (text: string) => responder.respond(context([inbound('whatsapp', text, TODAY)]));
const systemPrompt = () => bedrock.commandCalls(ConverseCommand)[0]?.args[0].input.system?.[0];

beforeEach(() => {
  bedrock.reset();
});

describe('the Bedrock responder with the knowledge base', () => {
  it('puts only the passage that answers the question in the prompt, numbered, with its title', async () => {
    modelAnswers(0.95);
    const result = await ask('hw long does delivery take to germany?');

    const passage = base.articles.flatMap(splitPassages).find((p) => p.id === 'shipping-times#2');
    expect(passage?.text).toMatch(/^How long does delivery take\?/);
    expect(systemPrompt()).toEqual({
      text: `${BEDROCK_SYSTEM_PROMPT}\n\nShop information:\nFrom the help centre, for these messages:\n[1] Shipping times: ${passage?.text}`,
    });
    expect(result.sources).toEqual(['shipping-times']);
    expect(result.reply).toBe('Standard shipping takes 2–4 working days.');
  });

  it('hands off without calling the model when no passage answers (same refusal as the local responder)', async () => {
    modelAnswers(0.99);
    const result = await ask('Do you ship to Canada?');

    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(0);
    expect(result.handoff?.reason).toBe('low_confidence');
    expect(result.confidence).toBe(0);
  });

  it("caps the model's own confidence with the retrieval's calibrated one", async () => {
    modelAnswers(1);
    const sure = await ask('Can I pay with PayPal?');
    const found = (await knowledge()).search('Can I pay with PayPal?');

    expect(found.confidence).toBeGreaterThan(0);
    expect(sure.confidence).toBe(Math.min(1, found.confidence));
  });
});
