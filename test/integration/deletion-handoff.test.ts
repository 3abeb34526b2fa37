import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { SteppedTimers } from '#shared/local/timers.js';
import { agentToken } from '../support/agent-token.js';
import { alwaysOpenPolicyFile } from '../support/policy-file.js';
import { idleAfterLaterLooks, SECRETS, startTestRuntime } from '../support/runtime.js';
import { deliver, signedMeta, whatsappBody, whatsappText } from '../support/webhooks.js';

const AGENT = agentToken('deletion-handoff-agent');
const PHONE = '16505550708';
const WORDS = 'I want to talk to a human about order 7731-SECRET';

/**
 * A message its customer deleted leaves no words in what routing wrote from it: the hand-off note
 * (keyed on the message: `note:handoff:<id>`) and the `routed` decision (`route:<id>`), whose detail
 * quoted the words that asked for a person. Both stay on the timeline, without them.
 */
describe('local runtime: a deleted message leaves no words in its hand-off note', () => {
  let runtime: LocalRuntime;
  const queueTime = new SteppedTimers();
  const now = Math.floor(Date.now() / 1000);
  const post = async (body: unknown) => {
    const answer = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta));
    expect(answer.status).toBe(200);
    await idleAfterLaterLooks(runtime, queueTime);
  };
  const timeline = async (id: string) => {
    const answer = await fetch(`${runtime.url}/api/customers/${id}/timeline`, {
      headers: { Authorization: `Bearer ${AGENT}` },
    });
    const text = await answer.text();
    return { text, items: (JSON.parse(text) as { items: Array<Record<string, unknown>> }).items };
  };

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `agent-ana:${AGENT}`, ROUTING_POLICY_FILE: alwaysOpenPolicyFile() },
      routing: true,
      queue: { timers: queueTime },
    });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  it('takes the words out of the hand-off note and the routing decision written for it', async () => {
    const at = new Date((now - 60) * 1000).toISOString();
    await post(whatsappText({ from: PHONE, messages: [{ id: 'wamid.HANDOFF1', at, text: WORDS }] }));
    const id = String(
      await runtime.store.customers.findCustomerId(
        { kind: 'phone', value: `+${PHONE}` },
        { consistent: true },
      ),
    );
    const before = await timeline(id);
    const note = before.items.find((item) => item.type === 'note');
    expect(String(note?.text)).toContain('7731-SECRET');
    expect(before.text).toContain('talk to a human');
    const revoke = {
      from: PHONE,
      id: 'wamid.HANDOFF1.revoke',
      timestamp: String(now - 30),
      type: 'revoke',
      revoke: { original_message_id: 'wamid.HANDOFF1' },
    };
    await post(whatsappBody({ contacts: [{ profile: { name: 'Dana' }, wa_id: PHONE }], messages: [revoke] }));
    const after = await timeline(id);
    expect(after.text).not.toContain('7731-SECRET');
    expect(after.text).not.toContain('talk to a human');
    // The note and the decision stay, keyed on the message, without its words.
    expect(after.items.find((item) => item.id === note?.id)).toMatchObject({ type: 'note' });
    expect(after.items.find((item) => item.event === 'routed')).toMatchObject({
      data: expect.objectContaining({ reason: 'asked_for_person' }),
    });
  });
});
