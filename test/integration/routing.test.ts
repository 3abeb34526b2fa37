import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type LiveClient, openConsole } from '../support/live-client.js';
import { startTestRuntime } from '../support/runtime.js';
import {
  deliver,
  sesReceived,
  signedMeta,
  signedSes,
  snsNotification,
  whatsappText,
} from '../support/webhooks.js';

const META_SECRET = 'routing-meta-secret';
const ANA = agentToken('routing-ana-token');
const BOB = agentToken('routing-bob-token');

/**
 * Maria emails, and agent Ana helps her; later she asks a routine question on WhatsApp, which the AI
 * answers there; then she emails asking for a person, and the conversation goes back to Ana, with a
 * hand-off summary on the timeline.
 */
describe('local runtime: routing between the AI and agents', () => {
  let runtime: LocalRuntime;
  let consoles: LiveClient[] = [];

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: {
        META_APP_SECRET: META_SECRET,
        AGENT_TOKENS: `agent-ana:${ANA}:admin,agent-bob:${BOB}`,
        // A resolved conversation stays resolved: the next message opens a new one.
        REOPEN_WINDOW_HOURS: '0.00001',
      },
      routing: true,
      live: true,
      queue: { visibilityTimeoutMs: 1000 },
    });
    // Both work at their consoles: routing gives conversations only to online agents who have one open.
    consoles = [await openConsole(runtime.port, ANA), await openConsole(runtime.port, BOB)];
  });

  afterAll(async () => {
    for (const client of consoles) client.ws.terminate();
    await runtime?.close();
  });

  const api = <T>(method: string, path: string, body?: unknown, token = ANA): Promise<T> =>
    agentCaller(() => runtime.url, token)<T>(method, path, body);
  const { find, timeline } = customerReads(api);

  const whatsapp = async (id: string, text: string) => {
    const payload = whatsappText({
      from: '447700900123',
      name: 'Maria Lopez',
      messages: [{ id, at: new Date().toISOString(), text }],
    });
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET));
    expect(res.status).toBe(200);
    await runtime.idle();
  };

  const email = async (sesId: string, text: string) => {
    const at = new Date().toISOString();
    const notification = sesReceived({
      sesId,
      at,
      from: 'Maria Lopez <maria@example.com>',
      messageId: `<${sesId}@example.com>`,
      subject: 'My order',
      text,
    });
    const res = await deliver(
      signedSes(runtime.url, snsNotification(notification, { snsId: `sns-${sesId}`, at })),
    );
    expect(res.status, res.body).toBe(200);
    await runtime.idle();
  };

  it('answers a routine WhatsApp question by AI, and hands a request for a person to the agent who helped last', async () => {
    // Two agents online; Bob has more room, so without a history he would be chosen.
    const online = { presence: 'online', queues: ['general', 'billing'], languages: ['en'] };
    await api('PUT', '/api/agents/me', { ...online, capacity: 3 }, ANA);
    await api('PUT', '/api/agents/me', { ...online, capacity: 10 }, BOB);
    const agents = await api<{ items: Array<{ id: string; presence: string }> }>('GET', '/api/agents');
    expect(agents.items.map((a) => [a.id, a.presence])).toEqual([
      ['agent-ana', 'online'],
      ['agent-bob', 'online'],
    ]);

    // An earlier conversation by email, in which Ana helped and which she resolved.
    await email('ses-maria-1', 'Hello, I have a question about the invoice of my order 1234.');
    const byEmail = await find('maria@example.com');
    const earlier = byEmail.openConversationId as string;
    await api('POST', `/api/conversations/${earlier}/assign`, { agentId: 'me' });
    await api('POST', `/api/conversations/${earlier}/replies`, { text: 'Here is your invoice.' });
    await api('POST', `/api/conversations/${earlier}/resolve`);
    expect((await find('maria@example.com')).lastAgentId).toBe('agent-ana');
    await new Promise((resolve) => setTimeout(resolve, 100));

    // A routine question on WhatsApp: the AI answers it there, through the outbound path.
    await whatsapp('wamid.MARIA1', 'How long does shipping take?');
    const byPhone = await find('+447700900123');
    const aiReplies = runtime.outbox.entries().filter((e) => e.message.author.kind === 'ai');
    expect(aiReplies.map((e) => [e.message.channel, e.message.to.value, e.message.author])).toContainEqual([
      'whatsapp',
      '+447700900123',
      { kind: 'ai', id: 'responder' },
    ]);
    expect(aiReplies.find((e) => e.message.channel === 'whatsapp')?.message.text).toContain(
      'Standard shipping takes 2–4 working days',
    );
    const phoneTimeline = await timeline(byPhone.id);
    expect(phoneTimeline.find((i) => i.id === 'route:whatsapp:wamid.MARIA1')?.data).toMatchObject({
      target: 'ai',
      queue: 'general',
    });

    // Ana sees it is one person and merges the WhatsApp customer into the email one.
    await api('POST', `/api/customers/${byEmail.id}/merge`, { customerId: byPhone.id });

    // Then Maria emails asking for a person: the conversation goes to Ana, with a summary.
    await email('ses-maria-2', 'I want to speak to a person, please.');
    const maria = await find('maria@example.com');
    const conversationId = maria.openConversationId as string;
    expect(conversationId).not.toBe(earlier);
    const anas = await api<{ items: Conversation[] }>(
      'GET',
      '/api/conversations?status=open&assignee=agent-ana',
    );
    expect(anas.items.find((c) => c.id === conversationId)).toMatchObject({
      assignee: 'agent-ana',
      queue: 'general',
    });
    const items = (await timeline(maria.id)).filter((i) => i.conversationId === conversationId);
    // The merge gave the WhatsApp conversation to the email customer (who had none open), so Maria's
    // email continues it: the decision on her request is the conversation's latest.
    const decision = items.filter((i) => i.event === 'routed').at(-1);
    expect(decision?.data).toMatchObject({
      target: 'human',
      reason: 'asked_for_person',
      queue: 'general',
      assignedTo: 'agent-ana',
    });
    const note = items.find((i) => i.type === 'note');
    expect(note?.data).toEqual({ author: { kind: 'ai', id: 'responder' } });
    expect(note?.text).toContain('Maria Lopez');
    expect(note?.text).toContain('"I want to speak to a person, please."');
    expect(note?.text).toContain('Earlier on WhatsApp: "How long does shipping take?"');
    // No AI reply went out after the hand-off to Ana: the conversation's one AI answer is the WhatsApp one.
    expect(
      runtime.outbox
        .entries()
        .filter((e) => e.message.conversationId === conversationId && e.message.author.kind === 'ai')
        .map((e) => e.message.channel),
    ).toEqual(['whatsapp']);

    // The metrics count what happened: an AI answer, a hand-off because Maria asked for a person.
    const overall = await api<{
      overall: {
        routed: number;
        aiResolutionRate: number;
        handoffReasons: Record<string, number>;
        firstResponseMs: { conversations: number };
      };
    }>('GET', '/api/metrics');
    expect(overall.overall.routed).toBeGreaterThanOrEqual(2);
    expect(overall.overall.aiResolutionRate).toBeGreaterThan(0);
    expect(overall.overall.handoffReasons.asked_for_person).toBe(1);
    expect(overall.overall.firstResponseMs.conversations).toBeGreaterThanOrEqual(1);
    const mine = await api<{
      metrics: { handoffReasons: Record<string, number>; channelSwitchRate: number | null };
    }>('GET', `/api/metrics?customerId=${maria.id}`);
    expect(mine.metrics.handoffReasons).toMatchObject({ asked_for_person: 1 });
  }, 30_000);
});
