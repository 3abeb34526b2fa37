import { afterAll, expect } from 'vitest';
import type { Identity } from '#shared/domain/envelope.js';
import { agentToken } from './agent-token.js';
import { HeldMetaSender } from './held-meta-sender.js';
import { useTestRuntime } from './test-runtime.js';
import { deliver, signedMeta, waitUntil } from './webhooks.js';

/**
 * What the echo-race tests share: the local runtime with the Messenger or Instagram sender held
 * (`HeldMetaSender`, answering `providerMessageId` once let go), a clock the test moves on a second at
 * a time (`tick`), signed posts to `/webhooks/meta`, a customer's timeline, and an agent's reply left
 * in flight. `name` makes the Meta secret and agent token (`<name>-secret`, `<name>-token`).
 */
export function useEchoRace(options: {
  name: string;
  channel: 'messenger' | 'instagram';
  providerMessageId: string;
  start: string;
}) {
  const secret = `${options.name}-secret`;
  const token = agentToken(`${options.name}-token`);
  const sender = new HeldMetaSender(options.providerMessageId);
  let now = Date.parse(options.start);
  const tick = () => {
    now += 1_000;
    return now;
  };
  const runtime = useTestRuntime({
    env: { META_APP_SECRET: secret, AGENT_TOKENS: `agent-${options.name}:${token}` },
    clock: { now: () => new Date(now) },
    senders: { [options.channel]: sender },
  });
  // Registered after the runtime's own, so it runs first: the held send lets go before the close.
  afterAll(() => {
    sender.release();
  });

  const post = async (payload: unknown) => {
    expect((await deliver(signedMeta(runtime.url, '/webhooks/meta', payload, secret))).status).toBe(200);
  };
  const timeline = async (customerId: string) =>
    (await runtime.store.timeline.timeline(customerId, { limit: 50 })).items;

  /**
   * An agent replies `text` in the open conversation of the customer of `identity`, a second on; answers
   * once the held sender has called Meta: the customer, their conversation's state read afresh
   * (`read`), the sender's request and the reply's timeline item id.
   */
  const replyInFlight = async (identity: Identity, text: string) => {
    const customerId = await runtime.store.customers.findCustomerId(identity, { consistent: true });
    if (!customerId) throw new Error('no customer');
    const conversationId = (await runtime.store.customers.getCustomer(customerId))?.openConversationId;
    const read = async () => {
      const snapshot = await runtime.store.conversationState.getConversationState(conversationId as string);
      if (!snapshot) throw new Error('no conversation');
      return snapshot;
    };
    tick();
    const res = await fetch(`${runtime.url}/api/conversations/${conversationId}/replies`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
    expect(res.status).toBe(202);
    await waitUntil(() => sender.requests.length === 1, 'the sender called Meta');
    const [request] = sender.requests;
    return { customerId, read, request, replyItemId: `reply:${request?.message.id}` };
  };

  /** Posts Meta's echo (`echo`, of message `mid`) and waits until the customer's timeline has it. */
  const applyEcho = async (customerId: string, echo: unknown, mid: string) => {
    await post(echo);
    await waitUntil(
      async () => (await timeline(customerId)).some((i) => i.providerMessageId === mid),
      'the echo is applied',
    );
  };
  /** The ids of the customer's outbound timeline items. */
  const outbound = async (customerId: string) =>
    (await timeline(customerId)).filter((i) => i.direction === 'outbound').map((i) => i.id);
  /** Meta answers the held sender; then the echo comes again (a redelivery), and all is handled. */
  const releaseThenRedeliver = async (echo: unknown) => {
    sender.release();
    await runtime.idle();
    await post(echo);
    await runtime.idle();
  };

  return { sender, runtime, tick, post, timeline, replyInFlight, applyEcho, outbound, releaseThenRedeliver };
}
