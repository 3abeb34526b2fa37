import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '#shared/domain/audit.js';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'remove-meta-secret';
const ANA = agentToken('remove-ana-token');
const BOB = agentToken('remove-bob-token');
const LEAD = agentToken('remove-lead-token');
const ONLINE = { presence: 'online', queues: ['general'], languages: ['en'], capacity: 3 };

/**
 * An admin retires an agent through the local runtime (`DELETE /api/agents/{id}`): the conversations
 * waiting on her go back to their queue (reason `agent_removed`), she is no longer listed nor
 * assignable, a second call answers the same, agents are refused, and every call is audited.
 */
describe('local runtime: an admin removes an agent', () => {
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: {
        META_APP_SECRET: META_SECRET,
        AGENT_TOKENS: `agent-ana:${ANA},agent-bob:${BOB},lead:${LEAD}:admin`,
      },
      routing: true,
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  const api = <T>(method: string, path: string, body?: unknown, token = LEAD): Promise<T> =>
    agentCaller(() => runtime.url, token)<T>(method, path, body);
  const status = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, text: await res.text() };
  };
  const { find } = customerReads(api);
  const askForPerson = async (n: number): Promise<string> => {
    const phone = `+4477009006${String(n).padStart(2, '0')}`;
    const payload = whatsappText({
      from: phone.slice(1),
      name: `Customer ${n}`,
      messages: [{ id: `wamid.REMOVE${n}`, at: new Date().toISOString(), text: 'A person, please.' }],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET))).status).toBe(
      200,
    );
    await runtime.idle();
    return (await find(phone)).openConversationId as string;
  };
  /** The audit records of an action, oldest first: who, on whom, how it ended. */
  const audited = async (action: AuditRecord['action']) =>
    (await api<{ items: AuditRecord[] }>('GET', '/api/audit')).items
      .filter((r) => r.action === action)
      .map((r) => [r.agentId, r.subjectAgentId, r.outcome])
      .reverse();
  const listed = async () =>
    (await api<{ items: Array<{ id: string }> }>('GET', '/api/agents')).items.map((a) => a.id);

  it('hands her waiting conversations back, unlists her, refuses assignments to her; twice the same', async () => {
    await api('PUT', '/api/agents/me', ONLINE, ANA);
    await api('PUT', '/api/agents/me', ONLINE, BOB);
    const waiting = await askForPerson(1);
    await api('POST', `/api/conversations/${waiting}/assign`, { agentId: 'agent-ana' });
    expect((await api<Conversation>('GET', `/api/conversations/${waiting}`)).assignee).toBe('agent-ana');

    // An agent may not remove another: 403, audited.
    expect((await status('DELETE', '/api/agents/agent-ana', BOB)).status).toBe(403);
    expect(await listed()).toContain('agent-ana');

    for (let i = 0; i < 2; i++) {
      expect(await status('DELETE', '/api/agents/agent-ana', LEAD)).toEqual({ status: 204, text: '' });
      await runtime.idle();
    }
    expect(await listed()).toEqual(['agent-bob']);
    const back = await api<Conversation>('GET', `/api/conversations/${waiting}`);
    expect(back.assignee ?? '').toBe('');
    const { items } = await api<{ items: TimelineItem[] }>(
      'GET',
      `/api/customers/${back.customerId}/timeline`,
    );
    expect(items.filter((item) => item.data?.reason === 'agent_removed')).toHaveLength(1);

    const assign = await status('POST', `/api/conversations/${waiting}/assign`, LEAD, {
      agentId: 'agent-ana',
    });
    expect(assign.status).toBe(422);
    expect(JSON.parse(assign.text).error.code).toBe('unknown_agent');

    expect(await audited('agent_remove')).toEqual([
      ['agent-bob', 'agent-ana', 'forbidden'],
      ['lead', 'agent-ana', 'ok'],
      ['lead', 'agent-ana', 'ok'],
    ]);
  });

  it('takes away her sign-in and her console lease until an admin restores her', async () => {
    const refused = async (method: string, path: string, body?: unknown) => {
      const res = await status(method, path, ANA, body);
      return [res.status, JSON.parse(res.text).error?.code];
    };
    // Removed in the test before: her token is refused everywhere, her own registration included.
    expect(await refused('PUT', '/api/agents/me', ONLINE)).toEqual([403, 'agent_removed']);
    expect(await refused('GET', '/api/conversations')).toEqual([403, 'agent_removed']);
    expect(await refused('GET', '/api/me')).toEqual([403, 'agent_removed']);
    expect(await listed()).toEqual(['agent-bob']);
    // Her attempt at an audited call is recorded under her id, though refused before it ran.
    const hers = await api<{ items: AuditRecord[] }>(
      'GET',
      '/api/audit?agentId=agent-ana&action=agent_update',
    );
    expect(hers.items.map((r) => [r.subjectAgentId, r.outcome])[0]).toEqual(['agent-ana', 'agent_removed']);

    // Only an admin restores her; twice the same. Then she registers again.
    expect((await status('POST', '/api/agents/agent-ana/restore', BOB)).status).toBe(403);
    for (let i = 0; i < 2; i++) {
      expect(await status('POST', '/api/agents/agent-ana/restore', LEAD)).toEqual({ status: 204, text: '' });
    }
    await api('PUT', '/api/agents/me', ONLINE, ANA);
    await runtime.store.consoleLeases.seen('agent-ana', 'console-ana', Date.now() + 3_600_000);
    const ana = async () =>
      (await api<{ items: Array<{ id: string; connectedUntil?: string }> }>('GET', '/api/agents')).items.find(
        (a) => a.id === 'agent-ana',
      );
    expect((await ana())?.connectedUntil).toBeDefined();

    // Removed again: refused at once, and her console lease goes with her registration.
    expect((await status('DELETE', '/api/agents/agent-ana', LEAD)).status).toBe(204);
    expect(await refused('GET', '/api/customers?q=Customer')).toEqual([403, 'agent_removed']);
    expect((await status('POST', '/api/agents/agent-ana/restore', LEAD)).status).toBe(204);
    await api('PUT', '/api/agents/me', ONLINE, ANA);
    expect(await ana()).toMatchObject({ id: 'agent-ana', presence: 'online' });
    expect((await ana())?.connectedUntil).toBeUndefined();

    expect(await audited('agent_restore')).toEqual([
      ['agent-bob', 'agent-ana', 'forbidden'],
      ['lead', 'agent-ana', 'ok'],
      ['lead', 'agent-ana', 'ok'],
      ['lead', 'agent-ana', 'ok'],
    ]);
  });
});
