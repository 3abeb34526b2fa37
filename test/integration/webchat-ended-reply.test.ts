import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Customer, TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { visitorClient, WEBCHAT_SECRET } from '../support/webchat.js';

const AGENT = agentToken('ended-reply-agent-token');
const SITE = 'http://shop.example';
const DAY = 24 * 60 * 60_000;

type Started = { sessionToken: string };
type Failed = TimelineItem & { errors?: Array<{ code: string; message?: string }> };

/**
 * QA: an agent's web-chat reply to an anonymous visitor whose chat had ended (End chat, or the guest
 * session ended as they signed in) was recorded `delivered`, though no session could ever show it and
 * an anonymous visitor has no email. It is `failed` now, with the reason the console shows, and the
 * conversation still waits for the business to reach them another way.
 */
describe('local runtime: a web-chat reply to an anonymous visitor whose chat ended', () => {
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  let runtime: LocalRuntime;
  let visitor: ReturnType<typeof visitorClient>;
  /** The reads of a visitor's session links (a query of `WEBCHAT_SESSIONS#<identity>`): the send path's one. */
  let linkReads = 0;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      webchatLive: true,
      env: {
        AGENT_TOKENS: `agent-eve:${AGENT}`,
        WEBCHAT_IDENTITY_SECRET: WEBCHAT_SECRET,
        WEBCHAT_ALLOWED_ORIGINS: SITE,
      },
      manualTime: manual,
      dynamoClient: (c) => {
        c.middlewareStack.add(
          (next) => async (args) => {
            const values = (args.input as { ExpressionAttributeValues?: Record<string, unknown> })
              .ExpressionAttributeValues;
            if (JSON.stringify(values?.[':pk'] ?? '').includes('WEBCHAT_SESSIONS#')) linkReads += 1;
            return next(args);
          },
          { step: 'initialize', name: 'countLinkReads' },
        );
        return c;
      },
    });
    visitor = visitorClient(runtime.url, SITE);
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const api = agentCaller(() => runtime.url, AGENT);
  const { timeline } = customerReads(api);
  /** An anonymous visitor who asked something: their session and customer. */
  const asked = async (name: string) => {
    const { sessionToken } = (await (await visitor.session({ name })).json()) as Started;
    expect((await visitor.send(sessionToken, 'Is my parcel lost?')).status).toBe(202);
    await runtime.idle();
    const history = (await (await visitor.history(sessionToken)).json()) as { customerId: string };
    const customer = await api<Customer>('GET', `/api/customers/${history.customerId}`);
    return { sessionToken, customer };
  };
  const answer = async (customer: Customer, text: string) => {
    linkReads = 0;
    await api('POST', `/api/conversations/${customer.openConversationId}/replies`, { text });
    await runtime.idle();
    return (await timeline(customer.id)).find((i) => i.text === text) as Failed;
  };
  const conversation = (customer: Customer) =>
    api<Conversation>('GET', `/api/conversations/${customer.openConversationId}`);

  it('fails a reply after End chat with the reason, and the conversation still waits', async () => {
    const { sessionToken, customer } = await asked('Ended Ella');
    const ended = await fetch(`${runtime.url}/webchat/sessions`, {
      method: 'DELETE',
      headers: { origin: SITE, authorization: `Bearer ${sessionToken}` },
    });
    expect(ended.status).toBe(204);
    const reply = await answer(customer, 'No, it arrives tomorrow.');
    expect(reply.status).toBe('failed');
    expect(reply.errors?.[0]).toMatchObject({
      code: 'webchat_session_ended',
      message: expect.stringContaining("the visitor's chat has ended"),
    });
    expect((await conversation(customer)).waitingSince).toBeDefined();
    expect(linkReads).toBe(1);
  });

  it('fails a reply once the session expired (its links still in the table until its TTL runs)', async () => {
    const { customer } = await asked('Expired Eli');
    manual.advance(31 * DAY);
    const reply = await answer(customer, 'Sorry for the wait: it arrives tomorrow.');
    expect(reply.status).toBe('failed');
    expect(reply.errors?.[0]?.code).toBe('webchat_session_ended');
  });

  it('still delivers a reply while the visitor has a live session', async () => {
    const { customer } = await asked('Live Lou');
    const reply = await answer(customer, 'It arrives tomorrow.');
    expect(reply.status).toBe('delivered');
    expect(linkReads).toBe(1);
    expect((await conversation(customer)).waitingSince).toBeUndefined();
  });
});
