import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { type LiveClient, openConsole } from '../support/live-client.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { receiveMail } from '../support/ses-mail.js';

const MINUTE = 60_000;
const ANA = agentToken('conv-lang-ana');
const SOFIA = agentToken('conv-lang-sofia');
const OMAR = agentToken('conv-lang-omar');

const words = (tag: string) => ({
  ack: `ack (${tag})`,
  survey: `survey (${tag})`,
  handoff: `handoff (${tag})`,
});
const TAGS = ['es', 'ar', 'de'] as const;

/** Queues by language, and an acknowledgement, hand-off words and a survey in each language. */
function policyFile(): string {
  return alwaysOpenPolicyFile((policy) => {
    // The shipped `spanish` queue keeps Madrid hours: these are open whenever the test runs.
    policy.queues = policy.queues.filter((queue: { name: string }) => queue.name !== 'spanish');
    policy.queues.unshift(
      { name: 'spanish', languages: ['es'] },
      { name: 'arabic', languages: ['ar'] },
      { name: 'german', languages: ['de'] },
    );
    const byLanguage = (pick: (tag: string) => Record<string, string>) =>
      Object.fromEntries(TAGS.map((tag) => [tag, pick(tag)]));
    policy.automations = [
      {
        name: 'ack',
        trigger: 'conversation_opened',
        actions: [
          { type: 'reply', text: words('en').ack, byLanguage: byLanguage((t) => ({ text: words(t).ack })) },
        ],
      },
    ];
    policy.aiReplies = {
      handoff: words('en').handoff,
      byLanguage: byLanguage((t) => ({ handoff: words(t).handoff })),
    };
    policy.csat = {
      enabled: true,
      delay: 'PT1M',
      question: words('en').survey,
      byLanguage: byLanguage((t) => ({ question: words(t).survey })),
    };
  });
}

/**
 * A conversation has one language, decided once per opening from the words routing reads (an email's
 * body, not its subject; a script only one of the team's languages is written in, however short), and
 * routing, the hand-off words, automations and the survey all use it. A reopen decides it again from
 * the reopening message, and goes to the agent who last helped only if they speak it.
 */
describe('local runtime: one language per conversation opening', () => {
  const clock = useClockRuntime({
    metaSecret: 'conv-lang-meta-secret',
    agent: { token: agentToken('conv-lang-lead'), admin: true },
    policyFile: policyFile(),
    env: {
      AGENT_TOKENS: `agent-lead:${agentToken('conv-lang-lead')}:admin,ana:${ANA},sofia:${SOFIA},omar:${OMAR}`,
      PUBLIC_BASE_URL: 'https://support.example',
      CSAT_SIGNING_SECRET: 'conv-lang-signing-secret-0123456789abcdef',
    },
    routing: true,
    live: true,
  });
  const { api, idle, advance } = clock;
  const { find, timeline } = customerReads(api);
  const consoles: LiveClient[] = [];
  const as = (token: string) => agentCaller(() => clock.runtime.url, token);

  beforeAll(async () => {
    const team: [string, string[]][] = [
      [ANA, ['es', 'en']],
      [SOFIA, ['de', 'pt']],
      [OMAR, ['ar', 'fr']],
    ];
    for (const [token, languages] of team) {
      const queues = ['general', 'spanish', 'arabic', 'german'];
      await as(token)('PUT', '/api/agents/me', { presence: 'online', queues, languages, capacity: 5 });
      consoles.push(await openConsole(clock.runtime.port, token));
    }
  });
  afterAll(() => {
    for (const console of consoles) console.ws.terminate();
  });

  /** The outbound texts to the customer (acknowledgement, hand-off words, survey), in order. */
  const sent = async (customerId: string) =>
    (await timeline(customerId))
      .filter((i: TimelineItem) => i.type === 'message' && i.direction === 'outbound')
      .map((i) => i.text ?? '');
  const conversation = (id: string) => api<Conversation>('GET', `/api/conversations/${id}`);
  /** Its assignee answers, resolves (a survey unless `csat: false`), and time passes the survey's delay. */
  const answerAndResolve = async (token: string, conversationId: string, csat = true) => {
    await as(token)('POST', `/api/conversations/${conversationId}/replies`, { text: '👍' });
    await idle();
    await as(token)('POST', `/api/conversations/${conversationId}/resolve`, csat ? {} : { csat: false });
    await idle();
    await advance(2 * MINUTE);
  };

  it('acknowledges and surveys a short Arabic greeting in Arabic, as it is routed', async () => {
    await clock.whatsapp({ from: '971500000701', id: 'wamid.CONVLANG1', text: 'مرحبا' });
    const customer = await find('+971500000701');
    const id = customer.openConversationId as string;
    const routed = (await timeline(customer.id)).find((i) => i.event === 'routed');
    expect(routed?.data).toMatchObject({ queue: 'arabic' });
    expect((await conversation(id)).assignee).toBe('omar');
    await answerAndResolve(OMAR, id);
    const texts = await sent(customer.id);
    expect(texts).toContain(words('ar').ack);
    expect(texts.some((t) => t.startsWith(words('ar').survey))).toBe(true);
    expect(texts.filter((t) => t.includes('(en)'))).toEqual([]);
  });

  it("acknowledges and surveys an email in its body's language, not its subject's", async () => {
    await receiveMail(clock.runtime, {
      sesId: 'conv-lang-mail-1',
      at: new Date(clock.manual.now()).toISOString(),
      from: 'Lucía Fernández <lucia@example.org>',
      subject: 'Booking ABC-123',
      text: 'Hola, necesito cambiar la fecha de mi vuelo a Madrid, por favor. ¿Es posible hacerlo sin coste adicional?',
    });
    const customer = await find('lucia@example.org');
    const id = customer.openConversationId as string;
    expect((await conversation(id)).queue).toBe('spanish');
    await answerAndResolve(ANA, id);
    const texts = await sent(customer.id);
    expect(texts).toContain(words('es').ack);
    expect(texts.some((t) => t.startsWith(words('es').survey))).toBe(true);
    expect(texts.filter((t) => t.includes('(en)'))).toEqual([]);
  });

  it('decides a reopen afresh: a German message after a Spanish conversation goes to Sofia, in German', async () => {
    const from = '491700000702';
    await clock.whatsapp({
      from,
      id: 'wamid.CONVLANG2',
      text: 'Hola, quiero cambiar la fecha de mi vuelo a Madrid por favor',
    });
    const customer = await find(`+${from}`);
    const id = customer.openConversationId as string;
    expect((await conversation(id)).assignee).toBe('ana');
    await answerAndResolve(ANA, id, false);
    await clock.whatsapp({
      from,
      id: 'wamid.CONVLANG3',
      text: 'Guten Tag, ich möchte jetzt auch ein Hotel in Berlin für meine Eltern buchen, bitte.',
    });
    const reopened = await conversation(id);
    expect(reopened.status).toBe('open');
    expect(reopened.assignee).toBe('sofia');
    const texts = await sent(customer.id);
    expect(texts.filter((t) => t.startsWith('ack'))).toEqual(expect.arrayContaining([words('de').ack]));
    expect(texts.filter((t) => t === words('es').ack)).toHaveLength(1);
  });
});
