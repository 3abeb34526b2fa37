import { describe, expect, it } from 'vitest';
import type { ChannelOption } from '#shared/domain/replies.js';
import type { Conversation } from '#shared/domain/timeline.js';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';

const MINUTE = 60_000;
const TEMPLATE = { template: { name: 'retomar_atendimento', language: 'pt_BR' } };

/**
 * A WhatsApp customer who writes PARAR (or STOP, SAIR...) alone has opted out: no survey, no template
 * and nothing automated goes to their number; an agent may answer only once they write again, and
 * VOLTAR (or START) lifts it. The conversation stays where an agent sees it. Cloud API payloads,
 * replies through the agent API, manual time.
 */
describe('local runtime: a WhatsApp opt-out is honoured', () => {
  const clock = useClockRuntime({
    metaSecret: 'whatsapp-opt-out-meta-secret',
    agent: { token: agentToken('whatsapp-opt-out-ana'), admin: true },
    policyFile: shippedPolicyFileWith((policy) => {
      policy.csat = { enabled: true, delay: 'PT5M', question: 'How did we do?' };
    }),
    routing: true,
  });
  const { idle, advance, api } = clock;
  const { find, timeline } = customerReads(api);
  const surveys = () => clock.runtime.outbox.entries().filter((e) => e.message.author.id === 'csat');
  const reply = async (id: string, body: unknown) => {
    const answer = await clock.call<{ error?: { code?: string } }>(
      'POST',
      `/api/conversations/${id}/replies`,
      body,
    );
    await idle();
    return answer.status === 202 ? 202 : `${answer.status} ${answer.body.error?.code}`;
  };
  const whatsappOption = async (customerId: string) =>
    (await api<ChannelOption[]>('GET', `/api/customers/${customerId}/channels`)).find(
      (c) => c.channel === 'whatsapp',
    );

  it('sends no survey, template or free-form reply after PARAR, until the customer writes again or VOLTAR', async () => {
    const phone = '5511987650301';
    await clock.whatsapp({ from: phone, id: 'wamid.oo-1', text: 'Oi, quero saber do meu pedido 4521' });
    const customer = await find(`+${phone}`);
    const id = customer.openConversationId as string;
    expect(await reply(id, { text: 'Seu pedido foi entregue hoje' })).toBe(202);

    await clock.whatsapp({ from: phone, id: 'wamid.oo-stop', text: 'PARAR' });
    expect(await reply(id, { text: 'Mais alguma coisa?' })).toBe('409 whatsapp_opted_out');
    expect(await reply(id, TEMPLATE)).toBe('409 whatsapp_opted_out');
    expect(await whatsappOption(customer.id)).toMatchObject({
      available: false,
      reason: 'whatsapp_opted_out',
    });
    // Kept on the conversation, which an agent still sees.
    const stop = (await timeline(customer.id)).find((i) => i.providerMessageId === 'wamid.oo-stop');
    expect(stop).toMatchObject({ conversationId: id, text: 'PARAR', data: { optOut: 'stop' } });

    await api('POST', `/api/conversations/${id}/resolve`);
    await advance(5 * MINUTE);
    expect(surveys()).toEqual([]);
    const skipped = (await timeline(customer.id)).find((i) => i.event === 'csat_skipped');
    expect(skipped?.data).toMatchObject({ reason: 'whatsapp_opted_out' });

    // They write again: an agent may answer them, but still no template.
    await clock.whatsapp({ from: phone, id: 'wamid.oo-2', text: 'Na verdade ainda falta uma peça' });
    const again = (await find(`+${phone}`)).openConversationId as string;
    const open = await api<Conversation>('GET', `/api/conversations/${again}`);
    expect(open.status).toBe('open');
    expect(await reply(again, { text: 'Vamos ver a peça' })).toBe(202);
    expect(await reply(again, TEMPLATE)).toBe('409 whatsapp_opted_out');

    // VOLTAR lifts it.
    await clock.whatsapp({ from: phone, id: 'wamid.oo-start', text: 'voltar' });
    expect(await reply(again, TEMPLATE)).toBe(202);
    expect(await whatsappOption(customer.id)).toMatchObject({ available: true });
  });
});
