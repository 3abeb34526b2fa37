import { describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { shippedPolicyFileWith } from '../support/policy-file.js';
import { receiveSes } from '../support/ses-mail.js';
import { sesReceived } from '../support/webhooks.js';

const ACKNOWLEDGEMENT = 'Thanks for writing: an agent will answer soon.';

/** The shipped policy with rules that answer every opening and every message, as an acknowledgement does. */
function policyFile(): string {
  return shippedPolicyFileWith((policy) => {
    policy.automations = (['conversation_opened', 'message_received'] as const).map((trigger) => ({
      name: `ack-${trigger}`,
      trigger,
      actions: [{ type: 'reply', channel: 'last', text: ACKNOWLEDGEMENT }],
    }));
  });
}

/**
 * Mail a system sends for a person (a Jira comment: `Auto-Submitted: auto-generated`, `Precedence:
 * bulk`) waits for a person but fires no automation: an acknowledgement to a ticketing system's
 * notification may be answered by another notification, a loop (RFC 3834). Before, both rules answered it.
 */
describe('local runtime: automations do not answer automated mail', () => {
  const clock = useClockRuntime({
    metaSecret: 'automated-mail-meta-secret',
    agent: { token: agentToken('automated-mail-token') },
    policyFile: policyFile(),
  });
  const { manual, api } = clock;

  const mail = async (sesId: string, from: string, headers: string[] = []) => {
    const at = new Date(manual.now()).toISOString();
    const notification = sesReceived({
      sesId,
      at,
      from,
      messageId: `<${sesId}@example.com>`,
      text: `Mail ${sesId}`,
      headers,
    });
    await receiveSes(clock.runtime, notification, { snsId: `sns-${sesId}`, at });
    manual.advance(1000);
  };
  const timelineOf = async (address: string) => {
    const found = await api<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(address)}`);
    const id = found.items[0]?.id;
    expect(id, address).toBeDefined();
    return (await api<{ items: TimelineItem[] }>('GET', `/api/customers/${id}/timeline`)).items;
  };

  it('answers a person’s mail, not a ticketing system’s notification, which still waits', async () => {
    await mail('ses-jira-1', 'Globex Jira <jira@globex.example>', [
      'Auto-Submitted: auto-generated',
      'Precedence: bulk',
    ]);
    await mail('ses-jira-2', 'Globex Jira <jira@globex.example>', ['Auto-Submitted: auto-generated']);
    const jira = await timelineOf('jira@globex.example');
    expect(jira.find((i) => i.id === 'email:ses-jira-1')).toMatchObject({ data: { automated: true } });
    expect(jira.filter((i) => i.type === 'message' && i.text === ACKNOWLEDGEMENT)).toEqual([]);
    const conversation = jira.find((i) => i.id === 'email:ses-jira-1')?.conversationId as string;
    const waiting = await clock.runtime.store.conversations.getConversation(conversation);
    expect(waiting?.waitingSince).toBeDefined();

    // The rules do answer a person: one acknowledgement for the opening, one for the message.
    await mail('ses-person-1', 'Pia Person <pia@globex.example>');
    const pia = await timelineOf('pia@globex.example');
    expect(pia.filter((i) => i.type === 'message' && i.text === ACKNOWLEDGEMENT)).toHaveLength(2);
  });
});
