import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';
import { visitorClient } from '../support/webchat.js';

const AGENT = agentToken('webchat-retry-token');

describe('local runtime: a web-chat message retried under its clientMessageId', () => {
  let runtime: LocalRuntime;
  let now = Date.parse('2026-12-03T12:00:00.000Z');

  beforeAll(async () => {
    runtime = await startTestRuntime({
      clock: { now: () => new Date(now) },
      env: { AGENT_TOKENS: `agent-rita:${AGENT}` },
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it("answers the first send's `at`, is one message on the timeline, and another text under it is 409", async () => {
    const visitor = visitorClient(runtime.url);
    const { sessionToken } = (await (await visitor.session({ name: 'Rita' })).json()) as {
      sessionToken: string;
    };
    const first = await visitor.send(sessionToken, 'Is the blue one in stock?', 'client-msg-1');
    now += 30_000;
    const again = await visitor.send(sessionToken, 'Is the blue one in stock?', 'client-msg-1');
    expect([first.status, again.status]).toEqual([202, 202]);
    const sent = (await first.json()) as { id: string; at: string };
    expect(await again.json()).toEqual(sent);
    expect(sent.at).toBe('2026-12-03T12:00:00.000Z');

    const other = await visitor.send(sessionToken, 'And the red one?', 'client-msg-1');
    expect(other.status).toBe(409);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('conflict');

    await runtime.idle();
    const history = (await (await visitor.history(sessionToken)).json()) as {
      messages: Array<{ id: string; author: string; text: string; at?: string }>;
    };
    const mine = history.messages.filter((m) => m.author === 'visitor');
    expect(mine.map((m) => [m.id, m.text])).toEqual([[sent.id, 'Is the blue one in stock?']]);
  });

  it('answers a retry of a message already on the timeline as the first send did, without queueing it again', async () => {
    const visitor = visitorClient(runtime.url);
    const { sessionToken } = (await (await visitor.session({ name: 'Rita' })).json()) as {
      sessionToken: string;
    };
    const first = await visitor.send(sessionToken, 'Do you ship to Norway?', 'client-msg-2');
    const sent = (await first.json()) as { id: string; at: string };
    await runtime.idle();
    let queued = 0;
    const send = runtime.inbound.send.bind(runtime.inbound);
    runtime.inbound.send = async (bodies) => {
      queued += bodies.length;
      return send(bodies);
    };
    try {
      now += 30_000;
      const again = await visitor.send(sessionToken, 'Do you ship to Norway?', 'client-msg-2');
      expect(again.status).toBe(202);
      expect(await again.json()).toEqual(sent);
      expect(queued).toBe(0);
    } finally {
      runtime.inbound.send = send;
    }
    const history = (await (await visitor.history(sessionToken)).json()) as {
      messages: Array<{ id: string; author: string }>;
    };
    expect(history.messages.filter((m) => m.author === 'visitor').map((m) => m.id)).toEqual([sent.id]);
  });
});
