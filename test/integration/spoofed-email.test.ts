import { describe, expect, it } from 'vitest';
import type { Suggestion } from '#shared/domain/suggestions.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { failVerdicts, receiveSes } from '../support/ses-mail.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { sesReceived } from '../support/webhooks.js';

const TOKEN = agentToken('spoof-agent-token');

/**
 * Mail whose SPF and DKIM both fail, from a domain whose DMARC policy is `none` (so SES does not
 * quarantine it), claims the From address of a real customer. It must not reach her timeline nor be
 * answered by the AI: it goes to a separate customer, marked unauthenticated, the address a suggestion.
 */
describe('spoofed email (SPF and DKIM fail, DMARC not enforced)', () => {
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-spoof:${TOKEN}:admin` },
    routing: true,
    queue: { visibilityTimeoutMs: 1000 },
  });

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${runtime.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return (await res.json()) as T;
  };

  const email = async (sesId: string, verdict: 'PASS' | 'FAIL') => {
    const notification = sesReceived({
      sesId,
      at: new Date(Date.now() - 1000).toISOString(),
      from: 'Dana Scully <dana@example.com>',
      messageId: `<${sesId}@example.com>`,
      text: 'How long does shipping take?',
    });
    if (verdict === 'FAIL') failVerdicts(notification, 'none');
    await receiveSes(runtime, notification, { snsId: `sns-${sesId}`, at: new Date().toISOString() });
  };

  it('goes to a separate customer, marked unauthenticated, a suggestion at most, and the AI does not answer', async () => {
    await email('ses-dana-real', 'PASS');
    const [dana] = (await api<{ items: Customer[] }>('/api/customers?q=dana%40example.com')).items;
    expect(dana).toBeDefined();
    const aiBefore = runtime.outbox.entries().filter((e) => e.message.author.kind === 'ai').length;

    await email('ses-dana-spoof', 'FAIL');

    const own = await api<{ items: TimelineItem[] }>(`/api/customers/${dana?.id}/timeline`);
    expect(own.items.map((i) => i.id)).not.toContain('email:ses-dana-spoof');
    const suggestions = await api<{ items: Suggestion[] }>(`/api/customers/${dana?.id}/suggestions`);
    expect(suggestions.items).toHaveLength(1);
    const other = suggestions.items[0]?.otherId as string;
    expect(other).not.toBe(dana?.id);
    const spoofed = (await api<{ items: TimelineItem[] }>(`/api/customers/${other}/timeline`)).items.find(
      (i) => i.id === 'email:ses-dana-spoof',
    );
    expect(spoofed?.data).toMatchObject({ authenticated: false });
    expect(runtime.outbox.entries().filter((e) => e.message.author.kind === 'ai')).toHaveLength(aiBefore);
    const route = (await api<{ items: TimelineItem[] }>(`/api/customers/${other}/timeline`)).items.find(
      (i) => i.id === 'route:email:ses-dana-spoof',
    );
    expect(route?.data?.target).not.toBe('ai');
    // The address still belongs to Dana alone.
    const byAddress = (await api<{ items: Customer[] }>('/api/customers?q=dana%40example.com')).items;
    expect(byAddress.map((c) => c.id)).toEqual([dana?.id]);
  });

  /** Dana's From, an attacker's Reply-To, in her thread, with the verdicts and envelope sender given. */
  const impostor = async (sesId: string, receipt: Record<string, unknown>, source: string) => {
    const notification = sesReceived({
      sesId,
      at: new Date(Date.now() - 500).toISOString(),
      from: 'Dana Scully <dana@example.com>',
      replyTo: 'Dana <dana.new@evil.example>',
      messageId: `<${sesId}@evil.example>`,
      inReplyTo: '<ses-dana-real@example.com>',
      text: 'Please confirm the address and the card on my order. Reply to my new address.',
    }) as { receipt: Record<string, unknown>; mail: Record<string, unknown> };
    Object.assign(notification.receipt, receipt);
    notification.mail.source = source;
    await receiveSes(runtime, notification, { snsId: `sns-${sesId}`, at: new Date().toISOString() });
  };
  /** An agent's reply on the conversation: where it was sent. */
  const replyTo = async (conversationId: string, key: string) => {
    const res = await fetch(`${runtime.url}/api/conversations/${conversationId}/replies`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: JSON.stringify({ text: 'We have your address on file.' }),
    });
    expect(res.status).toBeLessThan(300);
    await runtime.idle();
    const sent = runtime.outbox.entries().filter((e) => e.message.conversationId === conversationId);
    return sent.at(-1)?.message.to;
  };

  it("keeps mail whose DMARC failed (SPF and DKIM passed for the sender's own domain) off her timeline, and her answers go to her", async () => {
    const [dana] = (await api<{ items: Customer[] }>('/api/customers?q=dana%40example.com')).items;
    await impostor(
      'ses-dana-dmarc',
      {
        spfVerdict: { status: 'PASS' },
        dkimVerdict: { status: 'PASS' },
        dmarcVerdict: { status: 'FAIL' },
        dmarcPolicy: 'none',
      },
      'bounces@evil.example',
    );
    const own = await api<{ items: TimelineItem[] }>(`/api/customers/${dana?.id}/timeline`);
    expect(own.items.map((i) => i.id)).not.toContain('email:ses-dana-dmarc');
    const profile = await api<{ openConversation: { id: string } | null }>(`/api/customers/${dana?.id}`);
    const to = await replyTo(profile.openConversation?.id as string, 'dmarc-1');
    expect(to).toEqual({ kind: 'email', value: 'dana@example.com' });
  });

  it('files mail with no DMARC verdict and no aligned SPF pass on her timeline, marked, and never answers its Reply-To', async () => {
    const [dana] = (await api<{ items: Customer[] }>('/api/customers?q=dana%40example.com')).items;
    await impostor(
      'ses-dana-gray',
      { spfVerdict: { status: 'PASS' }, dkimVerdict: { status: 'PASS' }, dmarcVerdict: { status: 'GRAY' } },
      'bounces@evil.example',
    );
    const own = await api<{ items: TimelineItem[] }>(`/api/customers/${dana?.id}/timeline`);
    const filed = own.items.find((i) => i.id === 'email:ses-dana-gray');
    expect(filed?.data).toMatchObject({
      fromUnverified: 'not_aligned',
      replyToAddresses: ['dana.new@evil.example'],
    });
    const to = await replyTo(filed?.conversationId as string, 'gray-1');
    expect(to).toEqual({ kind: 'email', value: 'dana@example.com' });
  });
});
