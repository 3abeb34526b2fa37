import { describe, expect, it } from 'vitest';
import type { Identity } from '#shared/domain/envelope.js';
import { agentToken } from '../support/agent-token.js';
import { useTestRuntime } from '../support/test-runtime.js';
import {
  deliver,
  messengerMessage,
  signedMeta,
  whatsappEcho,
  whatsappStatus,
  whatsappText,
} from '../support/webhooks.js';

const SECRET = 'echo-answers-secret';
const TOKEN = agentToken('echo-answers-token');
const PAGE = '1234567890';
/** Not ours: the app id Meta gives its own Page inbox (any app but the one whose sends we hold). */
const PAGE_INBOX_APP = 263902037430900;

/** A Messenger body with one `messaging[]` event, from the person or (`echo`) from the Page. */
function messenger(psid: string, ms: number, message: Record<string, unknown>, echo = false): unknown {
  return messengerMessage({ page: PAGE, psid, ms, message, echo });
}

/**
 * A person at the business answering from the WhatsApp Business app (coexistence: an
 * `smb_message_echoes` echo) or from the Page inbox (a Messenger echo of another app) answers the
 * customer as an agent's reply does: the wait ends, the first response is counted, the AI stays
 * silent after it. An echo of a message we sent ourselves changes nothing. Through the local runtime.
 */
describe('local runtime: a reply sent from the business app answers the customer', () => {
  /** The runtime's time: it moves a second at a time, when the test says so. */
  let now = Math.floor(Date.now() / 1000) * 1000;
  const tick = () => {
    now += 1_000;
    return now;
  };
  let phone = 447700900500;
  const runtime = useTestRuntime({
    env: { META_APP_SECRET: SECRET, AGENT_TOKENS: `agent-echo:${TOKEN}` },
    clock: { now: () => new Date(now) },
  });

  const post = async (path: '/webhooks/whatsapp' | '/webhooks/meta', payload: unknown) => {
    const res = await deliver(signedMeta(runtime.url, path, payload, SECRET));
    expect(res.status).toBe(200);
    await runtime.idle();
  };
  const conversationOf = async (identity: Identity) => {
    const customerId = await runtime.store.customers.findCustomerId(identity, { consistent: true });
    const profile = customerId ? await runtime.store.customers.getCustomer(customerId) : undefined;
    const id = profile?.openConversationId;
    if (!customerId || !id) throw new Error('no open conversation');
    const read = async () => {
      const snapshot = await runtime.store.conversationState.getConversationState(id);
      if (!snapshot) throw new Error('no conversation');
      return snapshot;
    };
    return { customerId, id, read };
  };
  const iso = (ms: number) => new Date(ms).toISOString();

  it('ends the wait on a WhatsApp Business app reply and counts it as the first response, once', async () => {
    phone += 1;
    const waId = String(phone);
    const asked = tick();
    await post(
      '/webhooks/whatsapp',
      whatsappText({
        from: waId,
        messages: [{ id: `wamid.Q${waId}`, at: iso(asked), text: 'Sofa bed returns?' }],
      }),
    );
    const conversation = await conversationOf({ kind: 'phone', value: `+${waId}` });
    expect((await conversation.read()).conversation.waitingSince).toBe(iso(asked));

    const answered = tick() + 60_000;
    const echo = whatsappEcho({
      to: waId,
      id: `wamid.A${waId}`,
      at: iso(answered),
      text: 'Yes, we collect it.',
    });
    await post('/webhooks/whatsapp', echo);
    const after = await conversation.read();
    expect(after.conversation.waitingSince).toBeUndefined();
    expect(after.conversation.answeredAt).toBe(iso(answered));
    expect(after.state.firstResponseAt).toBe(iso(answered));
    expect(after.state.humanRepliedAt).toBe(iso(answered));

    // Delivered again: the same conversation, nothing moved.
    await post('/webhooks/whatsapp', echo);
    expect(await conversation.read()).toEqual(after);
  });

  it('lets the customer wait again after the app reply, and a later app reply end it', async () => {
    phone += 1;
    const waId = String(phone);
    const text = (id: string, at: number) =>
      whatsappText({ from: waId, messages: [{ id, at: iso(at), text: 'And the legs?' }] });
    await post('/webhooks/whatsapp', text(`wamid.Q1${waId}`, tick()));
    const conversation = await conversationOf({ kind: 'phone', value: `+${waId}` });
    await post(
      '/webhooks/whatsapp',
      whatsappEcho({ to: waId, id: `wamid.A1${waId}`, at: iso(tick()), text: 'Yes.' }),
    );
    const first = (await conversation.read()).state.firstResponseAt;
    const again = tick();
    await post('/webhooks/whatsapp', text(`wamid.Q2${waId}`, again));
    expect((await conversation.read()).conversation.waitingSince).toBe(iso(again));
    const later = tick();
    await post(
      '/webhooks/whatsapp',
      whatsappEcho({ to: waId, id: `wamid.A2${waId}`, at: iso(later), text: 'Those too.' }),
    );
    const after = await conversation.read();
    expect(after.conversation.waitingSince).toBeUndefined();
    expect(after.conversation.answeredAt).toBe(iso(later));
    // The first response stays the first one.
    expect(after.state.firstResponseAt).toBe(first);
  });

  it('answers nothing with an app reply whose failed status came before its echo: the customer never got it', async () => {
    phone += 1;
    const waId = String(phone);
    const asked = tick();
    await post(
      '/webhooks/whatsapp',
      whatsappText({ from: waId, messages: [{ id: `wamid.Q${waId}`, at: iso(asked), text: 'Still open?' }] }),
    );
    const conversation = await conversationOf({ kind: 'phone', value: `+${waId}` });
    const sent = iso(tick());
    await post(
      '/webhooks/whatsapp',
      whatsappStatus({ id: `wamid.A${waId}`, status: 'failed', at: sent, recipient: waId }),
    );
    const echo = whatsappEcho({ to: waId, id: `wamid.A${waId}`, at: sent, text: 'Yes, until six.' });
    await post('/webhooks/whatsapp', echo);
    await post('/webhooks/whatsapp', echo);
    const after = await conversation.read();
    expect(after.conversation.waitingSince).toBe(iso(asked));
    expect(after.conversation.answeredAt).toBeUndefined();
    expect(after.state.firstResponseAt).toBeUndefined();
  });

  it('answers nothing with an echo of a reaction the business sent from the app', async () => {
    phone += 1;
    const waId = String(phone);
    const asked = tick();
    await post(
      '/webhooks/whatsapp',
      whatsappText({ from: waId, messages: [{ id: `wamid.Q${waId}`, at: iso(asked), text: 'Hello?' }] }),
    );
    const conversation = await conversationOf({ kind: 'phone', value: `+${waId}` });
    const reaction = structuredClone(
      whatsappEcho({ to: waId, id: `wamid.R${waId}`, at: iso(tick()), text: '' }),
    ) as { entry: Array<{ changes: Array<{ value: { message_echoes: Array<Record<string, unknown>> } }> }> };
    const message = reaction.entry[0]?.changes[0]?.value.message_echoes[0] as Record<string, unknown>;
    delete message.text;
    message.type = 'reaction';
    message.reaction = { message_id: `wamid.Q${waId}`, emoji: '👍' };
    await post('/webhooks/whatsapp', reaction);
    const after = await conversation.read();
    expect(after.conversation.waitingSince).toBe(iso(asked));
    expect(after.state.firstResponseAt).toBeUndefined();
  });

  it('ends the wait on a reply from the Page inbox (a Messenger echo of another app)', async () => {
    const psid = '5550002001';
    const asked = tick();
    await post('/webhooks/meta', messenger(psid, asked, { mid: 'm_q_page', text: 'Open on Sunday?' }));
    const conversation = await conversationOf({ kind: 'messenger', value: `${PAGE}:${psid}` });
    expect((await conversation.read()).conversation.waitingSince).toBe(iso(asked));
    const answered = tick();
    await post(
      '/webhooks/meta',
      messenger(psid, answered, { mid: 'm_a_page', text: 'Yes, 10 to 4.', app_id: PAGE_INBOX_APP }, true),
    );
    const after = await conversation.read();
    expect(after.conversation.waitingSince).toBeUndefined();
    expect(after.conversation.answeredAt).toBe(iso(answered));
    expect(after.state.firstResponseAt).toBe(iso(answered));
  });

  it('changes nothing for the echo of a reply we sent, and keeps it once on the timeline', async () => {
    const psid = '5550002002';
    await post('/webhooks/meta', messenger(psid, tick(), { mid: 'm_q_ours', text: 'Where is it?' }));
    const conversation = await conversationOf({ kind: 'messenger', value: `${PAGE}:${psid}` });
    const before = runtime.outbox.entries().length;
    tick();
    const res = await fetch(`${runtime.url}/api/conversations/${conversation.id}/replies`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'On its way.' }),
    });
    expect(res.status).toBeLessThan(300);
    await runtime.idle();
    const sent = runtime.outbox.entries()[before];
    if (!sent) throw new Error('the reply was not sent');
    // The customer writes again, and waits; then the echo of our reply comes (late).
    const again = tick();
    await post('/webhooks/meta', messenger(psid, again, { mid: 'm_q2_ours', text: 'Today?' }));
    const waiting = await conversation.read();
    expect(waiting.conversation.waitingSince).toBe(iso(again));
    await post(
      '/webhooks/meta',
      messenger(
        psid,
        tick(),
        { mid: sent.providerMessageId, text: 'On its way.', app_id: 1517776481860111 },
        true,
      ),
    );
    const after = await conversation.read();
    // Still waiting, and no answer, first response or human reply recorded by the echo.
    expect(after.conversation.waitingSince).toBe(waiting.conversation.waitingSince);
    expect(after.conversation.answeredAt).toBe(waiting.conversation.answeredAt);
    expect(after.state).toEqual(waiting.state);
    const items = (await runtime.store.timeline.timeline(conversation.customerId, { limit: 50 })).items;
    expect(items.filter((i) => i.direction === 'outbound').map((i) => i.id)).toEqual([
      `reply:${sent.message.id}`,
    ]);
  });
});
