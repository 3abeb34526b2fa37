import { describe, expect, it } from 'vitest';
import { type AutomationAction, failedCondition, replyInLanguage } from '#shared/domain/automations/rules.js';
import { conversationLanguage, languageOfMessage } from '#shared/domain/routing/message-language.js';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';
import type { Conversation } from '#shared/domain/timeline.js';

const base = { defaultQueue: 'general', queues: [{ name: 'general' }] };
const CLOSED = 'Bonjour ! Nous sommes fermés : nous vous répondrons dès notre ouverture.';
const ARABIC = 'مرحبًا! نحن مغلقون الآن، وسنرد عليك عند الافتتاح.';
const policyWith = (action: Record<string, unknown>, conditions: Record<string, unknown> = {}) =>
  JSON.stringify({
    ...base,
    automations: [
      { name: 'closed', trigger: 'message_received', conditions, actions: [{ type: 'reply', ...action }] },
    ],
  });
const conversation = (preview: string): Conversation => ({
  id: 'cv_1',
  customerId: 'cu_1',
  status: 'open',
  channel: 'sms',
  createdAt: '2026-12-07T01:00:00.000Z',
  lastMessageAt: '2026-12-07T01:00:00.000Z',
  channels: ['sms'],
  channelSwitch: false,
  queue: 'general',
  preview,
});

describe("an automation's reply byLanguage", () => {
  const policy = parseRoutingPolicy(policyWith({ text: CLOSED, byLanguage: { ar: { text: ARABIC } } }));
  const action = policy.automations[0]?.actions[0] as AutomationAction;

  it("is the reply in the conversation's language (primary subtag), else the action's own text", () => {
    expect(action).toMatchObject({ type: 'reply', text: CLOSED, byLanguage: { ar: { text: ARABIC } } });
    expect(replyInLanguage(action, 'ar')).toMatchObject({ text: ARABIC });
    expect(replyInLanguage(action, 'ar-MA')).toMatchObject({ text: ARABIC });
    expect(replyInLanguage(action, 'fr')).toMatchObject({ text: CLOSED });
    expect(replyInLanguage(action, undefined)).toMatchObject({ text: CLOSED });
    const note: AutomationAction = { type: 'note', text: 'n' };
    expect(replyInLanguage(note, 'ar')).toBe(note);
  });

  it('refuses at load a key that is no language tag, a language without text, or a text no channel carries', () => {
    const bad = (action: Record<string, unknown>, conditions?: Record<string, unknown>) => () =>
      parseRoutingPolicy(policyWith(action, conditions));
    expect(bad({ text: CLOSED, byLanguage: { arabic: { text: ARABIC } } })).toThrow(/byLanguage/);
    expect(bad({ text: CLOSED, byLanguage: { ar: {} } })).toThrow(/byLanguage/);
    expect(bad({ text: CLOSED, byLanguage: { ar: { text: ARABIC, words: 'x' } } })).toThrow(/byLanguage/);
    expect(bad({ text: CLOSED, byLanguage: { ar: { text: 'مرحبًا {{customer.name}}' } } })).toThrow(
      /placeholder/,
    );
    // A template goes out on its own: a language's text with it could never be sent.
    const template = { name: 'closed', language: 'fr' };
    expect(bad({ template, channel: 'whatsapp', byLanguage: { ar: { text: ARABIC } } })).toThrow(
      /rule "closed": a WhatsApp template is sent on its own/,
    );
  });
});

describe('the languages condition', () => {
  const subject = (language: string | undefined) => ({
    conversation: conversation('x'),
    tags: [],
    now: new Date('2026-12-07T01:00:00.000Z'),
    language,
  });

  it('holds for a conversation in one of its languages (primary subtag), fails for another or none found', () => {
    expect(failedCondition({ languages: ['ar'] }, subject('ar'))).toBeUndefined();
    expect(failedCondition({ languages: ['fr', 'ar-MA'] }, subject('ar'))).toBeUndefined();
    expect(failedCondition({ languages: ['ar'] }, subject('fr'))).toBe('languages');
    expect(failedCondition({ languages: ['ar'] }, subject(undefined))).toBe('languages');
    expect(failedCondition({}, subject(undefined))).toBeUndefined();
  });

  it('is validated at load as queue languages are', () => {
    expect(
      parseRoutingPolicy(policyWith({ text: CLOSED }, { languages: ['ar', 'fr'] })).automations[0]
        ?.conditions,
    ).toEqual({ languages: ['ar', 'fr'] });
    expect(() => parseRoutingPolicy(policyWith({ text: CLOSED }, { languages: ['arabic'] }))).toThrow(
      /conditions\.languages/,
    );
    expect(() => parseRoutingPolicy(policyWith({ text: CLOSED }, { languages: [] }))).toThrow(/languages/);
  });

  it("decides a message's language by the detector from 15 letters, or by a script only one team language uses", () => {
    const team = ['es', 'ar', 'de', 'ru'];
    expect(languageOfMessage('السلام عليكم، بغيت نعرف فين وصلات الطلبية ديالي رقم 4512؟', team)).toBe('ar');
    expect(languageOfMessage('Bonjour, je voudrais savoir où en est ma commande 4512.', team)).toBe('fr');
    // Short: the script decides when only one of the team's languages is written in it.
    expect(languageOfMessage('مرحبا', team)).toBe('ar');
    expect(languageOfMessage('شكرا لكم', team)).toBe('ar');
    expect(languageOfMessage('привет', team)).toBe('ru');
    expect(languageOfMessage('مرحبا', ['ar', 'fa'])).toBeUndefined();
    expect(languageOfMessage('مرحبا', ['es'])).toBeUndefined();
    expect(languageOfMessage('salam', team)).toBeUndefined();
    expect(languageOfMessage('مرحبا hello', team)).toBeUndefined();
  });

  it("is the language decided for the conversation, else its web-chat page's, never its preview's", () => {
    expect(conversationLanguage({ ...conversation('hi'), languageHint: 'fr' })).toBe('fr');
    expect(conversationLanguage({ languageHint: 'fr' })).toBe('fr');
    const english = conversation('Hello, where is my order 4512? It was due on Monday.');
    expect(conversationLanguage({ ...english, language: 'en', languageHint: 'fr' })).toBe('en');
    expect(conversationLanguage(english)).toBeUndefined();
  });
});
