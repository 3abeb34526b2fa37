import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { deliver, sesReceived, signedSes, snsNotification } from '../support/webhooks.js';

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
  const clock = useClockRuntime({
    metaSecret: 'auto-meta-secret',
    agent: { token: agentToken('auto-ana-token'), admin: true },
    policyFile: policyFile(),
  });
  const { manual, idle, advance, whatsapp, api } = clock;
  const { find } = customerReads(api);
  const automationReplies = () =>
    clock.runtime.outbox.entries().filter((e) => e.message.author.id === 'automation');

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
    expect((await deliver(signedSes(clock.runtime.url, sns))).status).toBe(200);
    await idle();
    manual.advance(60_000);
    await whatsapp({
      from: '447700900556',
      name: 'Sam Hale',
      id: 'wamid.auto-1',
      text: 'Where is my parcel?',
    });
    const phone = await find('+447700900556');
    const email = await find('sam@example.com');
    await api('POST', `/api/customers/${phone.id}/suggestions/${email.id}/accept`);

    // 24 hours on, the window is closing: nothing yet.
    await advance(24 * HOUR);
    expect(clock.runtime.outbox.entries().filter((e) => e.message.channel === 'email')).toEqual([]);

    // At 25 hours the rule fires: WhatsApp's window has closed, so the follow-up goes by email.
    await advance(HOUR);
    const sent = automationReplies();
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
    const dryRun = await api<{ rules: unknown[] }>('POST', '/api/automations/dry-run', {
      conversationId: fired[0]?.conversationId,
    });
    expect(dryRun.rules).toEqual([
      expect.objectContaining({
        rule: 'whatsapp-follow-up-by-email',
        wouldFire: false,
        firedAt: expect.any(String),
      }),
    ]);

    // A timer firing again, or later, does nothing more.
    await advance(48 * HOUR);
    expect(automationReplies()).toHaveLength(1);
  });
});
