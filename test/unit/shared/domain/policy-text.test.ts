import { describe, expect, it } from 'vitest';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';

const base = { defaultQueue: 'general', queues: [{ name: 'general' }] };
const parse = (extra: Record<string, unknown>) => () =>
  parseRoutingPolicy(JSON.stringify({ ...base, ...extra }));
const rule = (actions: unknown[]) => ({
  automations: [{ name: 'thanks', trigger: 'conversation_resolved', actions }],
});

/**
 * Nothing in the routing policy fills in a `{{…}}` placeholder, so a text with one went out as written
 * ("Hi {{customer.name}}, …"): the start refuses it, naming the field and the placeholder.
 */
describe('a routing policy text with a {{…}} placeholder', () => {
  it.each([
    [
      'an automation reply',
      rule([{ type: 'reply', text: 'Hi {{customer.name}}, thanks for writing' }]),
      'automations[0].actions[0].text: has the placeholder "{{customer.name}}"',
    ],
    [
      'an automation note',
      rule([{ type: 'note', text: 'Resolved for {{ agent }}' }]),
      'automations[0].actions[0].text: has the placeholder "{{ agent }}"',
    ],
    [
      'the survey question',
      { csat: { question: 'How did {{agent.name}} do?' } },
      'csat.question: has the placeholder "{{agent.name}}"',
    ],
    [
      'a survey word in another language',
      { csat: { question: 'How did we do?', byLanguage: { es: { words: { sms: 'Responda {{1}}' } } } } },
      'csat.byLanguage.es.words.sms: has the placeholder "{{1}}"',
    ],
    [
      'a breach note',
      {
        sla: {
          policies: [
            {
              name: 'all',
              match: {},
              firstResponse: 'PT1H',
              onBreach: [{ type: 'note', text: 'Late for {{customer}}' }],
            },
          ],
        },
      },
      'sla.policies[0].onBreach[0].text: has the placeholder "{{customer}}"',
    ],
    [
      'the hand-off words',
      { aiReplies: { handoff: 'Hi {{name}}' } },
      'aiReplies.handoff: has the placeholder',
    ],
  ])('is refused in %s, naming the field', (_what, extra, message) => {
    expect(parse(extra)).toThrow(message);
    expect(parse(extra)).toThrow('nothing fills one in');
  });

  it('leaves the survey page’s own {score}, and braces that are no placeholder', () => {
    const policy = parseRoutingPolicy(
      JSON.stringify({
        ...base,
        csat: { question: 'How did we do? {not one}', words: { pageChosen: 'You chose {score}.' } },
      }),
    );
    expect(policy.csat?.words.pageChosen).toBe('You chose {score}.');
  });
});

/** Meta's rules for a template's name and language, checked at the start (before, only when sending). */
describe('a WhatsApp template the routing policy names', () => {
  const csat = (template: unknown) => ({ csat: { question: 'How did we do?', whatsappTemplate: template } });

  it.each([
    [{ name: 'CSAT-Survey', language: 'en' }, 'csat.whatsappTemplate.name: "CSAT-Survey" is not a WhatsApp'],
    [{ name: 'csat survey', language: 'en' }, 'csat.whatsappTemplate.name'],
    [
      { name: 'csat_survey', language: 'en-US' },
      'csat.whatsappTemplate.language: "en-US" is not a WhatsApp template language code',
    ],
    [{ name: 'csat_survey', language: 'EN_us' }, '(did you mean "en_US"?)'],
    [{ name: 'csat_survey', language: 'english' }, 'csat.whatsappTemplate.language: "english"'],
  ])('refuses %j naming the field', (template, message) => {
    expect(parse(csat(template))).toThrow(message);
  });

  it.each([
    [
      { name: 'csat_survey', language: 'xx' },
      'csat.whatsappTemplate.language: "xx" is not a WhatsApp template language code',
    ],
    [{ name: 'csat_survey', language: 'pt' }, '(for that language: pt_BR, pt_PT)'],
    [{ name: 'csat_survey', language: 'xx_CL' }, 'csat.whatsappTemplate.language: "xx_CL"'],
    [
      { name: 'csat_survey', language: 'en', parameters: [''] },
      'csat.whatsappTemplate.parameters: parameter {{1}} is empty',
    ],
  ])(
    'refuses %j, of a form Meta takes but not on its list (or with an empty parameter), naming the field',
    (template, message) => {
      expect(parse(csat(template))).toThrow(message);
    },
  );

  it('refuses an automation reply’s template in a language Meta does not have', () => {
    const extra = rule([{ type: 'reply', template: { name: 'order_update', language: 'qq' } }]);
    expect(parse(extra)).toThrow('automations[0].actions[0].template.language: "qq"');
  });

  it('refuses an automation reply’s template likewise', () => {
    const extra = rule([{ type: 'reply', template: { name: 'Order Update', language: 'en' } }]);
    expect(parse(extra)).toThrow('automations[0].actions[0].template.name: "Order Update"');
  });

  it.each([
    { name: 'csat_survey', language: 'en' },
    { name: 'order_update_2', language: 'pt_BR' },
    { name: 'survey', language: 'fil' },
    { name: 'survey', language: 'prs_AF' },
    { name: 'survey', language: 'es_MX', parameters: ['Ana'] },
    // A region of a listed language, though not on the list (Meta adds regions: the copy read was cut short).
    { name: 'survey', language: 'es_CL' },
    { name: 'HXb5b62575e6e4ff6129ad7c8efe1f983e', language: 'en' },
  ])('takes %j', (template) => {
    expect(parse(csat(template))).not.toThrow();
  });
});
