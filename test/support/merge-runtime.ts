import { afterAll, beforeAll, expect } from 'vitest';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from './agent-api.js';
import { ManualTimers } from './manual-timers.js';
import { SECRETS, startTestRuntime } from './runtime.js';
import { receiveMail } from './ses-mail.js';
import { crashUnmergeAtEachWrite, type MergedPair } from './unmerge-crashes.js';
import { deliver, signedMeta, whatsappText } from './webhooks.js';

type RuntimeOptions = NonNullable<Parameters<typeof startTestRuntime>[0]>;

/**
 * The local runtime of a describe block of merge tests on manual time (from `start`), an admin agent
 * (`agentId`, `token`), and the steps those tests take: a customer's WhatsApp message or email, each a
 * second after the last, a profile or a conversation read. The runtime is there once `beforeAll` ran.
 */
export function useMergeRuntime(options: {
  agentId: string;
  token: string;
  start: number;
  subject: string;
  dynamoClient?: RuntimeOptions['dynamoClient'];
}) {
  let started: LocalRuntime | undefined;
  const manual = new ManualTimers(options.start);
  beforeAll(async () => {
    started = await startTestRuntime({
      env: { AGENT_TOKENS: `${options.agentId}:${options.token}:admin` },
      manualTime: manual,
      ...(options.dynamoClient ? { dynamoClient: options.dynamoClient } : {}),
    });
  });
  afterAll(async () => {
    await started?.close();
  });
  const runtime = (): LocalRuntime => {
    if (!started) throw new Error('the runtime starts in beforeAll: use it inside a test');
    return started;
  };
  const api = agentCaller(() => runtime().url, options.token);
  const now = () => new Date(manual.now()).toISOString();
  /** The admin unmerges the pair, a second on, and everything it set off is handled. */
  const unmerge = async (pair: MergedPair): Promise<void> => {
    manual.advance(1000);
    await api('POST', `/api/customers/${pair.target}/unmerge`, { customerId: pair.source });
    await runtime().idle();
  };
  return {
    runtime,
    manual,
    api,
    reads: customerReads(api),
    now,
    async whatsapp(phone: string, id: string, text: string): Promise<void> {
      manual.advance(1000);
      const body = whatsappText({ from: phone, messages: [{ id, at: now(), text }] });
      const res = await deliver(signedMeta(runtime().url, '/webhooks/whatsapp', body, SECRETS.meta));
      expect(res.status).toBe(200);
      await runtime().idle();
    },
    async email(sesId: string, from: string, text: string): Promise<void> {
      manual.advance(1000);
      await receiveMail(runtime(), { sesId, at: now(), from, subject: options.subject, text });
    },
    profile: (id: string) => api<Customer>('GET', `/api/customers/${id}`),
    conversation: (id: string) => api<Conversation>('GET', `/api/conversations/${id}`),
    unmerge,
    /**
     * Crashes the unmerge of a fresh pair (`setUp`) after each of its writes in turn, asks it again and
     * `check`s it converged (`crashUnmergeAtEachWrite`); answers how many crashes it made.
     */
    crashEachWrite: <P extends MergedPair>(
      setUp: (k: number) => Promise<P>,
      check: (pair: P) => Promise<void>,
    ) =>
      crashUnmergeAtEachWrite({
        dynamoEndpoint: runtime().dynamoEndpoint,
        agentId: options.agentId,
        now: () => {
          manual.advance(1000);
          return now();
        },
        setUp,
        again: unmerge,
        check,
      }),
  };
}
