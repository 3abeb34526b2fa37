import { describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';

const CLOSED = 'Bonjour ! Nous sommes fermés : nous vous répondrons dès notre ouverture.';
const CLOSED_AR = 'مرحبًا! نحن مغلقون الآن، وسنرد عليك عند الافتتاح.';
const FRENCH_ONLY = 'Vous pouvez aussi suivre votre commande sur notre site.';

/** A closed-hours acknowledgement in French with its Arabic words, and a rule for French speakers only. */
function policyFile(): string {
  return shippedPolicyFileWith((policy) => {
    policy.automations = [
      {
        name: 'closed',
        trigger: 'conversation_opened',
        actions: [{ type: 'reply', text: CLOSED, byLanguage: { ar: { text: CLOSED_AR } } }],
      },
      {
        name: 'french-tracking',
        trigger: 'conversation_opened',
        conditions: { languages: ['fr'] },
        actions: [{ type: 'reply', text: FRENCH_ONLY }],
      },
    ];
  });
}

/**
 * An automation's reply goes out in the conversation's language when its `byLanguage` has it, and a
 * `languages` condition limits a rule to some: before, an Arabic customer got the French words.
 */
describe("local runtime: an automation's reply in the customer's language", () => {
  const clock = useClockRuntime({
    metaSecret: 'auto-lang-meta-secret',
    agent: { token: agentToken('auto-lang-token') },
    policyFile: policyFile(),
  });
  const { api } = clock;

  const automated = async (phone: string) => {
    const found = await api<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(phone)}`);
    const id = found.items[0]?.id;
    expect(id, phone).toBeDefined();
    const timeline = await api<{ items: TimelineItem[] }>('GET', `/api/customers/${id}/timeline`);
    const words = [CLOSED, CLOSED_AR, FRENCH_ONLY];
    return timeline.items
      .filter((item) => item.type === 'message' && words.includes(item.text ?? ''))
      .map((item) => item.text);
  };

  it('answers an Arabic customer in Arabic and a French one in French, each rule once', async () => {
    await clock.whatsapp({
      from: '212600000301',
      id: 'wamid.AUTOLANG1',
      text: 'السلام عليكم، بغيت نعرف فين وصلات الطلبية ديالي رقم 4512؟',
    });
    await clock.whatsapp({
      from: '212600000302',
      id: 'wamid.AUTOLANG2',
      text: 'Bonjour, je voudrais savoir où en est ma commande numéro 4513.',
    });
    expect(await automated('+212600000301')).toEqual([CLOSED_AR]);
    expect((await automated('+212600000302')).sort()).toEqual([CLOSED, FRENCH_ONLY].sort());
  });
});
