import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config.js';
import type { Agent } from '#shared/domain/assignment.js';
import type { Conversation } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { resolveConversationInput } from '#shared/store/params/conversations.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type LiveClient, openConsole } from '../support/live-client.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { inspectionClient } from '../support/table-snapshot.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const META_SECRET = 'heal-meta-secret';
const ANA = agentToken('heal-ana-token');
const MINUTE = 60_000;

/**
 * The agents' load heals on the local runtime's clock: Ana (capacity 2) is stuck full by a
 * conversation resolved behind her set's back (the outcome of a resolve racing a transfer); a third
 * customer asking for a person waits; once the reconcile's period passes her set is right again and
 * she gets the waiting conversation.
 */
describe('local runtime: a stale count heals', () => {
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  let runtime: LocalRuntime;

  let anaConsole: LiveClient | undefined;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { META_APP_SECRET: META_SECRET, AGENT_TOKENS: `agent-ana:${ANA}:admin` },
      routing: true,
      live: true,
      manualTime: manual,
    });
    // Ana works at her console: routing gives conversations only to an online agent who has one open.
    anaConsole = await openConsole(runtime.port, ANA);
  });

  afterAll(async () => {
    anaConsole?.ws.terminate();
    await runtime?.close();
  });

  const api = <T>(method: string, path: string, body?: unknown): Promise<T> =>
    agentCaller(() => runtime.url, ANA)<T>(method, path, body);
  const { find } = customerReads(api);
  const ana = async (): Promise<Agent | undefined> =>
    (await api<{ items: Agent[] }>('GET', '/api/agents')).items.find((a) => a.id === 'agent-ana');
  const conversationOf = async (phone: string): Promise<Conversation> => {
    const id = (await find(phone)).openConversationId as string;
    const inbox = await api<{ items: Conversation[] }>('GET', '/api/conversations?status=open&limit=200');
    return inbox.items.find((c) => c.id === id) as Conversation;
  };
  const askForPerson = async (n: number) => {
    const payload = whatsappText({
      from: `44770090030${n}`,
      name: `Customer ${n}`,
      messages: [
        { id: `wamid.HEAL${n}`, at: new Date(manual.now()).toISOString(), text: 'A person, please.' },
      ],
    });
    const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET));
    expect(res.status).toBe(200);
    await runtime.idle();
  };

  it('gives Ana the waiting conversation once the reconcile has taken the stale one out of her set', async () => {
    await api('PUT', '/api/agents/me', {
      presence: 'online',
      queues: ['general'],
      languages: ['en'],
      capacity: 2,
    });
    await askForPerson(1);
    await askForPerson(2);
    const lost = await conversationOf('+447700900302');
    expect(lost.assignee).toBe('agent-ana');
    // Resolved by a write whose release of Ana's set was lost: she counts it still.
    const doc = documentClient(inspectionClient(runtime.dynamoEndpoint));
    const table = loadConfig({}).TABLE_NAME;
    await doc.update(
      resolveConversationInput(table, lost.id, new Date(manual.now()).toISOString(), 'agent-ana'),
    );
    await askForPerson(3);
    expect((await conversationOf('+447700900303')).assignee).toBeUndefined();
    expect((await ana())?.openConversations).toBe(2);

    manual.advance(9 * MINUTE);
    await runtime.idle();
    expect((await ana())?.openConversations).toBe(2);
    manual.advance(MINUTE);
    await runtime.idle();
    expect((await conversationOf('+447700900303')).assignee).toBe('agent-ana');
    expect((await conversationOf('+447700900301')).assignee).toBe('agent-ana');
    expect((await ana())?.openConversations).toBe(2);
  }, 30_000);
});
