import { describe, expect, it } from 'vitest';
import type { ChannelOption } from '#shared/domain/replies.js';
import type { Suggestion } from '#shared/domain/suggestions.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { stillTimers } from '../support/manual-timers.js';
import { failVerdicts, receiveSes } from '../support/ses-mail.js';
import { runtimeMeter, useTestRuntime } from '../support/test-runtime.js';
import { sesReceived } from '../support/webhooks.js';

const TOKEN = agentToken('form-agent-token');

/**
 * Contact-form mail: From the business's form mailer, Reply-To the customer who filled it in. With the
 * mailer named in EMAIL_FORM_SENDERS and its DMARC passed, each form is its Reply-To's customer;
 * otherwise the From stays the customer. Either way the answer goes to the Reply-To, and a Reply-To
 * never attaches mail to an existing customer by itself.
 */
describe('contact-form email (From a mailer, Reply-To the customer)', () => {
  const meter = runtimeMeter();
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-form:${TOKEN}:admin`, EMAIL_FORM_SENDERS: 'mailer@forms.example' },
    queue: { visibilityTimeoutMs: 1000 },
    timers: stillTimers(),
    dynamoClient: meter.dynamoClient,
  });

  const api = agentCaller(() => runtime.url, TOKEN);
  const find = async (q: string) =>
    (await api<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(q)}`)).items;

  type Verdict = 'PASS' | 'GRAY' | 'FAIL';
  const email = async (sesId: string, from: string, replyTo: string | undefined, dmarc: Verdict = 'PASS') => {
    const notification = sesReceived({
      sesId,
      at: new Date(Date.now() - 1000).toISOString(),
      from,
      ...(replyTo ? { replyTo } : {}),
      messageId: `<${sesId}@forms.example>`,
      subject: 'New customer message on your store',
      text: `Message from the form ${sesId}`,
    }) as { receipt: Record<string, unknown> };
    notification.receipt.dmarcVerdict = { status: dmarc };
    if (dmarc === 'FAIL') failVerdicts(notification, 'none');
    await receiveSes(runtime, notification, { snsId: `sns-${sesId}`, at: new Date().toISOString() });
  };
  const replyOn = async (customer: Customer | undefined, text: string) => {
    await api('POST', `/api/conversations/${customer?.openConversationId}/replies`, {
      text,
      channel: 'email',
    });
    await runtime.idle();
    return runtime.outbox.entries().find((e) => e.message.text === text)?.message.to;
  };

  it('makes each form of a named mailer its Reply-To customer, and answers them there', async () => {
    await email(
      'ses-form-alice',
      'Shop Contact Form <mailer@forms.example>',
      'Alice A <alice@alpha.example>',
    );
    await email('ses-form-bob', 'Shop Contact Form <mailer@forms.example>', 'bob@beta.example');

    expect(await find('mailer@forms.example')).toEqual([]);
    const [alice] = await find('alice@alpha.example');
    const [bob] = await find('bob@beta.example');
    expect(alice?.id).toBeDefined();
    expect(bob?.id).toBeDefined();
    expect(alice?.id).not.toBe(bob?.id);
    expect(alice?.name).toBe('Alice A');
    const timeline = await api<{ items: TimelineItem[] }>('GET', `/api/customers/${alice?.id}/timeline`);
    expect(timeline.items.filter((i) => i.type === 'message').map((i) => i.text)).toEqual([
      'Message from the form ses-form-alice',
    ]);

    expect(await replyOn(alice, 'Sorry about the damage')).toEqual({
      kind: 'email',
      value: 'alice@alpha.example',
    });
  });

  it('never attaches a Reply-To to an existing customer when the From is not authenticated', async () => {
    const [alice] = await find('alice@alpha.example');
    // The named mailer's From, spoofed (SPF, DKIM and DMARC fail), naming Alice in Reply-To.
    await email('ses-form-spoof', 'Shop Contact Form <mailer@forms.example>', 'alice@alpha.example', 'FAIL');
    // The named mailer's From without DMARC's word (no record): the mailer stays the customer.
    await email('ses-form-gray', 'Shop Contact Form <mailer@forms.example>', 'alice@alpha.example', 'GRAY');

    const timeline = await api<{ items: TimelineItem[] }>('GET', `/api/customers/${alice?.id}/timeline`);
    const ids = timeline.items.map((i) => i.id);
    expect(ids).not.toContain('email:ses-form-spoof');
    expect(ids).not.toContain('email:ses-form-gray');
    expect((await find('alice@alpha.example')).map((c) => c.id)).toEqual([alice?.id]);
    // Each is a suggestion for an agent, never a merge.
    const suggestions = await api<{ items: Suggestion[] }>('GET', `/api/customers/${alice?.id}/suggestions`);
    expect(suggestions.items.length).toBeGreaterThanOrEqual(1);
    expect(suggestions.items.map((s) => s.otherId)).not.toContain(alice?.id);
  });

  it('keeps the From of a sender not named as the customer, answers the Reply-To, and suggests its customer', async () => {
    await email('ses-carol-direct', 'Carol C <carol@gamma.example>', undefined);
    await email('ses-other-form', 'Web Form <noreply@other.example>', 'Carol <carol@gamma.example>');

    const [mailer] = await find('noreply@other.example');
    const [carol] = await find('carol@gamma.example');
    expect(mailer?.id).toBeDefined();
    expect(mailer?.id).not.toBe(carol?.id);
    expect(await replyOn(mailer, 'We will look into it')).toEqual({
      kind: 'email',
      value: 'carol@gamma.example',
    });
    const suggestions = await api<{ items: Suggestion[] }>('GET', `/api/customers/${mailer?.id}/suggestions`);
    expect(suggestions.items.map((s) => s.otherId)).toEqual([carol?.id]);
  });

  it('lists email as the reply would find it: by the Reply-To it goes to, not the From', async () => {
    await email('ses-dave-form', 'Web Form <noreply@delta.example>', 'Dave <dave@delta-home.example>');
    const [mailer] = await find('noreply@delta.example');
    const channels = async () => {
      meter.reset();
      const options = await api<ChannelOption[]>('GET', `/api/customers/${mailer?.id}/channels`);
      return { email: options.find((o) => o.channel === 'email'), calls: meter.figures().calls };
    };
    // Bounced mail to the mailer's own address does not close a channel whose replies go elsewhere.
    const at = new Date().toISOString();
    const blocked = { blocked: true, reason: 'bounce', at, envelopeId: 'test-bounce' };
    await runtime.store.customers.setContactState({ kind: 'email', value: 'noreply@delta.example' }, blocked);
    const open = await channels();
    expect(open.email).toEqual({ channel: 'email', available: true });
    await runtime.store.customers.setContactState(
      { kind: 'email', value: 'dave@delta-home.example' },
      blocked,
    );
    const closed = await channels();
    expect(closed.email).toMatchObject({ channel: 'email', available: false, reason: 'email_suppressed' });
    // The customer, its merges, its latest email (one read per merged profile) and the address's state.
    expect([open.calls, closed.calls]).toEqual([4, 4]);
    const refused = await fetch(`${runtime.url}/api/conversations/${mailer?.openConversationId}/replies`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Checking', channel: 'email' }),
    });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('email_suppressed');
  });
});
