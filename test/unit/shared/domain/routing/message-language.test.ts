import { describe, expect, it } from 'vitest';
import {
  LANGUAGE_MAX_CHARS,
  languageOfText,
  languageToRoute,
} from '#shared/domain/routing/message-language.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';

const customer: Customer = {
  id: 'cu_1',
  identities: [{ kind: 'phone', value: '+351912345678' }],
  channels: ['whatsapp', 'voice'],
  createdAt: '2025-06-01T10:00:00.000Z',
  lastInboundByChannel: {},
  tags: [],
  mergedFrom: [],
};

let at = 0;
/** A timeline item of the customer's conversation, a minute after the one before. */
function item(patch: Partial<TimelineItem>): TimelineItem {
  at += 1;
  return {
    id: `it_${at}`,
    type: 'message',
    direction: 'inbound',
    channel: 'whatsapp',
    at: new Date(Date.parse('2025-06-10T14:00:00.000Z') + at * 60_000).toISOString(),
    customerId: 'cu_1',
    conversationId: 'cv_1',
    ...patch,
  };
}

const route = (timeline: TimelineItem[], routed = timeline.at(-1) as TimelineItem) =>
  languageToRoute({ customer, timeline, conversationId: 'cv_1' }, routed);

describe('languageOfText', () => {
  it.each([
    ['quero falar com uma pessoa', 'pt'],
    ['Quiero hablar con una persona, por favor', 'es'],
    ['I want to speak to a person', 'en'],
    ['Ich möchte mit einem Menschen sprechen', 'de'],
    // Too few letters to trust: the detector is sure of "unsubscribe me" being Spanish.
    ['unsubscribe me', undefined],
    ['can I use klarna?', undefined],
    ['atendente', undefined],
    ['1234567890 12345678 ???', undefined],
    ['', undefined],
  ])('finds the language of "%s": %s', (text, language) => {
    expect(languageOfText(text)).toBe(language);
  });

  it('reads only the start of a long text', () => {
    const portuguese = 'Olá, preciso de ajuda com a minha encomenda, por favor. ';
    const text = portuguese.repeat(Math.ceil(LANGUAGE_MAX_CHARS / portuguese.length));
    expect(languageOfText(`${text}${'I need help with my order, please. '.repeat(1000)}`)).toBe('pt');
  });
});

describe('languageToRoute', () => {
  it("finds the language of the customer's unanswered messages", () => {
    const timeline = [item({ text: 'Olá' }), item({ text: 'quero falar com uma pessoa' })];
    expect(route(timeline)).toBe('pt');
  });

  it('tells a short message by the messages before it, as the responder does', () => {
    const earlier = item({ text: 'Onde está a minha encomenda? Já passou uma semana.' });
    const answer = item({ direction: 'outbound', text: 'Your parcel is on its way.' });
    expect(route([earlier, answer, item({ text: 'atendente' })])).toBe('pt');
    // Alone, it tells nothing.
    expect(route([item({ text: 'atendente' })])).toBeUndefined();
  });

  it("finds a voicemail's language in its transcription, when Twilio has sent it", () => {
    const recordingUrl = 'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1';
    const voicemail = item({
      type: 'event',
      event: 'call_voicemail',
      channel: 'voice',
      text: undefined,
      data: { recordingUrl, durationSeconds: 12 },
    });
    expect(route([voicemail], voicemail)).toBeUndefined();
    const transcription = item({
      type: 'event',
      event: 'call_transcription',
      channel: 'voice',
      text: 'Olá, aqui é a Joana, liguei por causa da minha encomenda, por favor me liguem de volta.',
      data: { recordingUrl },
    });
    expect(route([voicemail, transcription], voicemail)).toBe('pt');
  });
});
