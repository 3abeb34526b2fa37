import { describe, expect, it } from 'vitest';
import { answererOf, CsatSectionSchema, csatAnswerSkip, csatExclusion } from '#shared/domain/csat/section.js';
import { csatAwaits, csatForm, csatOvertaken, csatSurveyId } from '#shared/domain/csat/survey.js';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';

const NOW = new Date('2026-12-03T10:00:00.000Z');
const HOUR = 3_600_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const section = CsatSectionSchema.parse({ question: 'How did we do?' });
const template = { name: 'csat_survey', language: 'en', parameters: [] };

describe('the csat section', () => {
  it('fills defaults: enabled, five minutes, nothing excluded, no AI-only surveys, our English words', () => {
    expect(section).toEqual({
      enabled: true,
      delay: 'PT5M',
      question: 'How did we do?',
      words: {
        whatsapp: '(Or reply with a number from 1 to 5.)',
        great: '😀 Great',
        ok: '😐 OK',
        poor: '🙁 Poor',
        sms: 'Reply 1 to 5 (5 is best), and add a comment if you like.',
        email: 'Click your score (5 is best):',
        language: 'en',
        pageConfirm: 'How did we do?',
        pageChosen: 'You chose {score} out of 5.',
        pageSend: 'Send my score',
        pageThanks: 'Thank you!',
        pageRecorded: 'We have your score: {score} out of 5.',
        pageAlreadyAnswered: 'We already have your answer: {score} out of 5.',
        pageClosed: 'This survey has closed. Thank you all the same.',
        pageBadLink: 'This link does not work. Please use the link from the email as it is.',
      },
      excludeTags: [],
      excludeQueues: [],
      aiOnly: false,
    });
  });

  it('asks about an answer given: none nobody answered, the AI-only ones only with aiOnly', () => {
    expect(csatAnswerSkip(section, undefined)?.reason).toBe('unanswered');
    expect(csatAnswerSkip(section, 'ai')?.reason).toBe('ai_only');
    expect(csatAnswerSkip(section, 'agent')).toBeUndefined();
    const ai = CsatSectionSchema.parse({ question: 'How did we do?', aiOnly: true });
    expect(csatAnswerSkip(ai, 'ai')).toBeUndefined();
    expect(csatAnswerSkip(ai, undefined)?.reason).toBe('unanswered');
  });

  it('takes an answer given while surveys were off from its time, in the opening the resolve ended', () => {
    const opened = { openedFrom: ago(2 * HOUR) };
    expect(answererOf({ answeredBy: 'ai', answeredAt: ago(HOUR), ...opened })).toBe('ai');
    // No answeredBy (surveys were off): a person's when one has the conversation, else the AI's.
    expect(answererOf({ answeredAt: ago(HOUR), assignee: 'ana', ...opened })).toBe('agent');
    expect(answererOf({ answeredAt: ago(HOUR), ...opened })).toBe('ai');
    // An answer of an earlier opening (at or before the resolve this one began after) is none of this one's.
    expect(answererOf({ answeredAt: ago(3 * HOUR), assignee: 'ana', ...opened })).toBeUndefined();
    expect(answererOf({ answeredAt: ago(2 * HOUR), assignee: 'ana', ...opened })).toBeUndefined();
    expect(answererOf({ ...opened })).toBeUndefined();
  });

  it('is parsed as part of the routing policy, and its errors name the field', () => {
    const policy = (csat: unknown) =>
      JSON.stringify({ defaultQueue: 'general', queues: [{ name: 'general' }], csat });
    expect(parseRoutingPolicy(policy({ question: 'Rate us', delay: 'PT1H' })).csat?.delay).toBe('PT1H');
    expect(
      parseRoutingPolicy(JSON.stringify({ defaultQueue: 'general', queues: [{ name: 'general' }] })).csat,
    ).toBe(undefined);
    expect(() => parseRoutingPolicy(policy({ question: 'Rate us', delay: 'P1M' }))).toThrow(/csat\.delay/);
    expect(() => parseRoutingPolicy(policy({ delay: 'PT1H' }))).toThrow(/csat\.question/);
    expect(() => parseRoutingPolicy(policy({ question: 'Rate us', colour: 'red' }))).toThrow(/csat/);
  });

  it('excludes by tag and queue, and a disabled section sends nothing', () => {
    const rules = CsatSectionSchema.parse({ question: 'q', excludeTags: ['vip'], excludeQueues: ['legal'] });
    expect(csatExclusion(rules, { tags: ['vip'], queue: 'general' })).toBe('excluded_tag');
    expect(csatExclusion(rules, { tags: [], queue: 'legal' })).toBe('excluded_queue');
    expect(csatExclusion(rules, { tags: ['new'], queue: 'general' })).toBeUndefined();
    expect(csatExclusion({ ...rules, enabled: false }, { tags: [] })).toBe('disabled');
    expect(csatExclusion(undefined, { tags: [] })).toBe('disabled');
  });
});

describe('the survey in each channel’s form', () => {
  const form = (channel: Parameters<typeof csatForm>[0]['channel'], lastInboundAt?: string, extra = {}) =>
    csatForm({ section, channel, surveyId: 'sv1', now: NOW, lastInboundAt, ...extra });

  it('WhatsApp inside the window: three reply buttons scoring 5, 3 and 1', () => {
    expect(form('whatsapp', ago(23 * HOUR))).toEqual({
      form: {
        text: 'How did we do?\n(Or reply with a number from 1 to 5.)',
        choices: [
          { id: 'csat:sv1:5', title: '😀 Great' },
          { id: 'csat:sv1:3', title: '😐 OK' },
          { id: 'csat:sv1:1', title: '🙁 Poor' },
        ],
      },
    });
  });

  it('WhatsApp outside the window: the template, or no survey and why', () => {
    expect(form('whatsapp', ago(25 * HOUR), { section: { ...section, whatsappTemplate: template } })).toEqual(
      {
        form: { template },
      },
    );
    expect(form('whatsapp', ago(25 * HOUR))).toMatchObject({ skip: 'whatsapp_template_missing' });
  });

  it.each(['messenger', 'instagram'] as const)(
    '%s: five quick replies within 24 hours, none after',
    (channel) => {
      const within = form(channel, ago(HOUR));
      expect(within).toMatchObject({ form: { text: 'How did we do?' } });
      const choices = 'form' in within ? within.form.choices : [];
      expect(choices?.map((c) => c.id)).toEqual([
        'csat:sv1:5',
        'csat:sv1:4',
        'csat:sv1:3',
        'csat:sv1:2',
        'csat:sv1:1',
      ]);
      expect(choices?.every((c) => c.title.length <= 20)).toBe(true);
      expect(form(channel, ago(25 * HOUR))).toMatchObject({ skip: 'messaging_window_closed' });
    },
  );

  it('SMS: "Reply 1 to 5" text', () => {
    expect(form('sms', ago(100 * HOUR))).toEqual({
      form: { text: 'How did we do? Reply 1 to 5 (5 is best), and add a comment if you like.' },
    });
  });

  it('email: one link per score, or no survey without links', () => {
    const result = form('email', undefined, {
      link: (score: number) => `https://x.example/csat/t?score=${score}`,
    });
    const text = 'form' in result ? (result.form.text ?? '') : '';
    expect([...text.matchAll(/score=(\d)/g)].map((m) => m[1])).toEqual(['5', '4', '3', '2', '1']);
    expect(form('email')).toMatchObject({ skip: 'no_public_url' });
  });
});

describe('a survey in the business’s language', () => {
  // Lucía's shop asks in Portuguese: before, every survey went out half in English ("Reply 1 to 5 ...").
  const portuguese = CsatSectionSchema.parse({
    question: 'Como correu o nosso atendimento?',
    words: {
      whatsapp: '(Ou responda com um número de 1 a 5.)',
      great: '😀 Ótimo',
      ok: '😐 Razoável',
      poor: '🙁 Mau',
      sms: 'Responda de 1 a 5 (5 é o melhor) e, se quiser, deixe um comentário.',
      email: 'Clique na sua nota (5 é a melhor):',
    },
  });
  const form = (channel: Parameters<typeof csatForm>[0]['channel'], extra = {}) =>
    csatForm({ section: portuguese, channel, surveyId: 'sv1', now: NOW, lastInboundAt: ago(HOUR), ...extra });

  it('words every channel’s survey with the policy’s words, none of ours', () => {
    expect(form('whatsapp')).toEqual({
      form: {
        text: 'Como correu o nosso atendimento?\n(Ou responda com um número de 1 a 5.)',
        choices: [
          { id: 'csat:sv1:5', title: '😀 Ótimo' },
          { id: 'csat:sv1:3', title: '😐 Razoável' },
          { id: 'csat:sv1:1', title: '🙁 Mau' },
        ],
      },
    });
    expect(form('sms')).toEqual({
      form: {
        text: 'Como correu o nosso atendimento? Responda de 1 a 5 (5 é o melhor) e, se quiser, deixe um comentário.',
      },
    });
    const email = form('email', { link: (score: number) => `https://x.example/csat/t?score=${score}` });
    const text = 'form' in email ? (email.form.text ?? '') : '';
    expect(text).toMatch(/^Como correu o nosso atendimento\?\n\nClique na sua nota \(5 é a melhor\):\n\n5 /);
    expect(text).not.toMatch(/Click|Reply|best/);
  });

  it('refuses a button title WhatsApp would refuse (over 20 characters)', () => {
    expect(() =>
      CsatSectionSchema.parse({ question: 'q', words: { great: '😀 Excelente, muito obrigado' } }),
    ).toThrow(/great/);
  });
});

describe('a pending survey', () => {
  const pending = {
    surveyId: csatSurveyId('cv_1', '2026-12-03T09:00:00.000Z'),
    conversationId: 'cv_1',
    channel: 'whatsapp' as const,
    sentAt: '2026-12-03T09:10:00.000Z',
    until: '2026-12-06T09:10:00.000Z',
  };

  it('has one id per conversation and resolve', () => {
    expect(pending.surveyId).toBe(csatSurveyId('cv_1', '2026-12-03T09:00:00.000Z'));
    expect(pending.surveyId).not.toBe(csatSurveyId('cv_1', '2026-12-03T09:00:01.000Z'));
  });

  it('awaits an answer on its channel within its window only', () => {
    expect(csatAwaits(pending, 'whatsapp', '2026-12-03T10:00:00.000Z')).toBe(true);
    expect(csatAwaits(pending, 'sms', '2026-12-03T10:00:00.000Z')).toBe(false);
    expect(csatAwaits(pending, 'whatsapp', '2026-12-07T10:00:00.000Z')).toBe(false);
    expect(csatAwaits(pending, 'whatsapp', '2026-12-03T09:00:00.000Z')).toBe(false);
    expect(csatAwaits(undefined, 'whatsapp', '2026-12-03T10:00:00.000Z')).toBe(false);
  });
});

describe('a survey overtaken by a reopen', () => {
  const resolvedAt = '2026-12-03T09:50:00.000Z';
  const pending = {
    surveyId: 'sv1',
    conversationId: 'cv_1',
    channel: 'sms' as const,
    sentAt: '2026-12-03T10:00:00.000Z',
    until: '2026-12-06T10:00:00.000Z',
    resolvedAt,
  };

  it('is void while its conversation is open again, or once a later resolve came', () => {
    expect(csatOvertaken(pending, { lastResolvedAt: resolvedAt })).toBe(false);
    expect(csatOvertaken(pending, { openConversationId: 'cv_2', lastResolvedAt: resolvedAt })).toBe(false);
    expect(csatOvertaken(pending, { openConversationId: 'cv_1', lastResolvedAt: resolvedAt })).toBe(true);
    expect(csatOvertaken(pending, { lastResolvedAt: '2026-12-03T11:00:00.000Z' })).toBe(true);
    expect(csatOvertaken(pending, undefined)).toBe(false);
  });

  it("carried by a merge, is voided by the kept customer's resolves after the merge only", () => {
    const carried = { ...pending, carriedAt: '2026-12-03T12:00:00.000Z' };
    expect(csatOvertaken(carried, { lastResolvedAt: '2026-12-03T11:00:00.000Z' })).toBe(false);
    expect(csatOvertaken(carried, { lastResolvedAt: '2026-12-03T12:00:00.000Z' })).toBe(false);
    expect(csatOvertaken(carried, { lastResolvedAt: '2026-12-03T12:00:01.000Z' })).toBe(true);
    expect(csatOvertaken(carried, { openConversationId: 'cv_1' })).toBe(true);
  });

  it('without the resolve on it (kept before), is void only while its conversation is open', () => {
    const { resolvedAt: _, ...older } = pending;
    expect(csatOvertaken(older, { lastResolvedAt: '2026-12-03T11:00:00.000Z' })).toBe(false);
    expect(csatOvertaken(older, { openConversationId: 'cv_1' })).toBe(true);
  });
});
