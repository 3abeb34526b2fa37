import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { ManualTimers } from '../support/manual-timers.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { startTestRuntime } from '../support/runtime.js';
import {
  deliver,
  sesReceived,
  signedMeta,
  signedSes,
  snsNotification,
  whatsappText,
} from '../support/webhooks.js';

const META_SECRET = 'auto-meta-secret';
const ANA = 'auto-ana-token';
const HOUR = 3_600_000;

/** The shipped policy with one delayed rule: no answer on WhatsApp within 25 hours? Follow up by email. */
function policyFile(): string {
  return shippedPolicyFileWith((policy) => {
    policy.automations = [
      {
        name: 'whatsapp-follow-up-by-email',
        trigger: 'message_received',
        delay: 'PT25H',
        conditions: { channels: ['whatsapp'], status: 'open', waitingOn: 'agent' },
        actions: [
          { type: 'reply', channel: 'other', text: 'Sorry for the wait: we are on it and will write here.' },
          { type: 'tag', tags: ['followed-up'] },
        ],
      },
    ];
  });
}

/**
 * Time moves only when the test says so: a customer known on WhatsApp and email writes on WhatsApp,
 * nobody answers, and once the WhatsApp window has closed the delayed rule follows up by email.
 */
describe('local runtime: automations', () => {
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: {
        META_APP_SECRET: META_SECRET,
        AGENT_TOKENS: `agent-ana:${ANA}:admin`,
        ROUTING_POLICY_FILE: policyFile(),
      },
      manualTime: manual,
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  const api = async <T>(method: string, path: string): Promise<T> => {
    const res = await fetch(`${runtime.url}${path}`, { method, headers: { Authorization: `Bearer ${ANA}` } });
    expect(res.status, `${method} ${path}`).toBe(200);
    return (await res.json()) as T;
  };
  const find = async (q: string) =>
    (await api<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(q)}`))
      .items[0] as Customer;

  it('follows up by email once the WhatsApp window has closed, and says so on the timeline', async () => {
    const at = new Date(manual.now()).toISOString();
    const mail = sesReceived({
      sesId: 'auto-ses-1',
      at,
      messageId: '<auto-1@example.com>',
      from: 'Sam Hale <sam@example.com>',
      text: 'Hello by email.\n\n--\nSam Hale\n+44 7700 900556',
    });
    const sns = snsNotification(mail, { snsId: 'sns-auto-1', at });
    expect((await deliver(signedSes(runtime.url, sns))).status).toBe(200);
    await runtime.idle();
    manual.advance(60_000);
    const payload = whatsappText({
      from: '447700900556',
      name: 'Sam Hale',
      messages: [
        { id: 'wamid.auto-1', at: new Date(manual.now()).toISOString(), text: 'Where is my parcel?' },
      ],
    });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, META_SECRET))).status).toBe(
      200,
    );
    await runtime.idle();
    const phone = await find('+447700900556');
    const email = await find('sam@example.com');
    await api('POST', `/api/customers/${phone.id}/suggestions/${email.id}/accept`);

    // 24 hours on, the window is closing: nothing yet.
    manual.advance(24 * HOUR);
    await runtime.idle();
    expect(runtime.outbox.entries().filter((e) => e.message.channel === 'email')).toEqual([]);

    // At 25 hours the rule fires: WhatsApp's window has closed, so the follow-up goes by email.
    manual.advance(HOUR);
    await runtime.idle();
    const sent = runtime.outbox.entries().filter((e) => e.message.author.id === 'automation');
    expect(sent.map((e) => [e.message.channel, e.message.to.value, e.message.text])).toEqual([
      ['email', 'sam@example.com', 'Sorry for the wait: we are on it and will write here.'],
    ]);
    const timeline = await api<{ items: TimelineItem[] }>(
      'GET',
      `/api/customers/${phone.id}/timeline?limit=200`,
    );
    const fired = timeline.items.filter((i) => i.event === 'automation');
    expect(fired).toHaveLength(1);
    expect(fired[0]?.data).toMatchObject({
      rule: 'whatsapp-follow-up-by-email',
      trigger: 'message_received',
      actions: [
        { type: 'reply', outcome: 'done', channel: 'email' },
        { type: 'tag', outcome: 'done' },
      ],
    });
    expect((await find('+447700900556')).tags).toContain('followed-up');

    // The dry run: the rule fired on the latest message, so it would not fire again.
    const res = await fetch(`${runtime.url}/api/automations/dry-run`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ANA}`, 'content-type': 'application/json' },
      body: JSON.stringify({ conversationId: fired[0]?.conversationId }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { rules: unknown[] }).rules).toEqual([
      expect.objectContaining({
        rule: 'whatsapp-follow-up-by-email',
        wouldFire: false,
        firedAt: expect.any(String),
      }),
    ]);

    // A timer firing again, or later, does nothing more.
    manual.advance(48 * HOUR);
    await runtime.idle();
    expect(runtime.outbox.entries().filter((e) => e.message.author.id === 'automation')).toHaveLength(1);
  });
});
