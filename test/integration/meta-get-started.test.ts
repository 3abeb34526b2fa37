import { describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { deliver, metaEvent, signedMeta } from '../support/webhooks.js';

const META_SECRET = 'meta-get-started-secret';
const PAGE = '111222333666';

/**
 * A first contact who taps Messenger's Get Started button (a postback, payload GET_STARTED, title "Get
 * Started") is greeted, not answered from the knowledge base: before, "start" matched "How do I start
 * a return?" and the AI sent the returns policy. Through the local runtime, with routing and the AI on.
 */
describe("local runtime: Messenger's Get Started is greeted, not answered from an article", () => {
  const clock = useClockRuntime({
    metaSecret: META_SECRET,
    agent: { token: agentToken('meta-get-started-token'), admin: true },
    policyFile: slaPolicyFile({ firstResponse: 'PT1H', nextResponse: 'PT1H', aiRepliesCount: true }),
    routing: true,
  });
  const { timeline } = customerReads(clock.api);

  it('greets a first contact who taps Get Started', async () => {
    const psid = '5550008001';
    const tap = { sender: { id: psid }, recipient: { id: PAGE } };
    const postback = { mid: 'm_start_8001', title: 'Get Started', payload: 'GET_STARTED' };
    const body = metaEvent({
      object: 'page',
      account: PAGE,
      ms: clock.manual.now(),
      event: { ...tap, postback },
    });
    expect((await deliver(signedMeta(clock.runtime.url, '/webhooks/meta', body, META_SECRET))).status).toBe(
      200,
    );
    await clock.idle();
    const id = await clock.runtime.store.customers.findCustomerId(
      { kind: 'messenger', value: `${PAGE}:${psid}` },
      { consistent: true },
    );
    const customer = await clock.api<Customer>('GET', `/api/customers/${id}`);
    const sent = (await timeline(customer.id)).filter(
      (i: TimelineItem) => i.type === 'message' && i.direction === 'outbound',
    );
    expect(sent.map((i) => i.text)).toEqual(['Hi! How can I help you today?']);
  });
});
