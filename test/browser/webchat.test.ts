import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Suggestion } from '#shared/domain/suggestions.js';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { identityToken } from '../support/webchat.js';
import { shopForTests } from '../support/webchat-site.js';
import { deliver, sesReceived, signedSes, snsNotification } from '../support/webhooks.js';

const AGENT = agentToken('webchat-browser-agent');
const WAIT = { timeout: 30_000 };

describe('the web-chat widget in a browser, on a page of another origin', { timeout: 60_000 }, () => {
  const shop = shopForTests(AGENT);

  const api = agentCaller(() => shop.runtime.url, AGENT);
  /** Opens the shop page in a fresh browser profile; every request it makes is recorded. */
  const visit = async (token?: string) => {
    const page = await (await shop.browser.newContext()).newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`${shop.siteUrl}/${token ? `?token=${token}` : ''}`);
    await page.getByRole('button', { name: 'Open chat' }).click(WAIT);
    return { page, requests };
  };
  const startAnonymous = async (page: Page, email = '') => {
    // The label says "(optional)" while open and asks for it after hours (the panel's availability call
    // may answer before or after the form shows, and the policy's hours follow the wall clock).
    if (email) await page.getByLabel(/^Your email/).fill(email, WAIT);
    await page.getByRole('button', { name: 'Start chat' }).click(WAIT);
  };
  const write = async (page: Page, text: string) => {
    const box = page.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill(text, WAIT);
    await box.press('Enter');
    await page.locator('.msg.visitor', { hasText: text }).waitFor(WAIT);
  };
  /**
   * The customer behind the page's stored session (the visitor's own history route names them), once
   * the pipeline has stored them with an open conversation and `ready` holds.
   */
  const customerOf = async (page: Page, ready: (c: Customer) => boolean = () => true): Promise<Customer> => {
    const stored = (await page.evaluate(
      'Object.values(localStorage).find((v) => v.includes("sessionToken")) || "{}"',
    )) as string;
    const { sessionToken } = JSON.parse(stored) as { sessionToken: string };
    let found: Customer | undefined;
    await expect
      .poll(async () => {
        const history = await fetch(`${shop.runtime.url}/webchat/messages`, {
          headers: { authorization: `Bearer ${sessionToken}` },
        });
        const { customerId } = (await history.json()) as { customerId?: string };
        if (!customerId) return false;
        const res = await fetch(`${shop.runtime.url}/api/customers/${customerId}`, {
          headers: { authorization: `Bearer ${AGENT}` },
        });
        found = res.ok ? ((await res.json()) as Customer) : undefined;
        return Boolean(found?.openConversationId && ready(found));
      }, WAIT)
      .toBe(true);
    return found as Customer;
  };

  it('lets a visitor write, answers a routine question by AI live, and makes no third-party request', async () => {
    const { page, requests } = await visit();
    await startAnonymous(page);
    await write(page, 'How long does shipping take?');
    await page.locator('.msg.ai[data-id^="reply:"]').first().waitFor(WAIT);
    const origins = new Set(requests.map((url) => new URL(url).origin));
    expect([...origins].sort()).toEqual([shop.runtime.url, shop.siteUrl].sort());
  });

  it('shows an agent’s reply from the API without a reload, marks it read once shown, and keeps it after a reload', async () => {
    const { page } = await visit();
    await startAnonymous(page);
    await write(page, 'I want to talk to a person about a refund');
    const customer = await customerOf(page);
    await expect
      .poll(
        async () => (await api<Customer>('GET', `/api/customers/${customer.id}`)).openConversationId,
        WAIT,
      )
      .toBeDefined();
    const { openConversationId } = await api<Customer>('GET', `/api/customers/${customer.id}`);
    await api('POST', `/api/conversations/${openConversationId}/replies`, {
      text: 'Bea here: refund on its way.',
    });
    await page.locator('.msg.agent', { hasText: 'Bea here: refund on its way.' }).waitFor(WAIT);
    await expect
      .poll(async () => {
        const timeline = await api<{ items: TimelineItem[] }>(
          'GET',
          `/api/customers/${customer.id}/timeline`,
        );
        return timeline.items.find((item) => item.text === 'Bea here: refund on its way.')?.status;
      }, WAIT)
      .toBe('read');
    await page.reload();
    // The panel comes back open by itself: the tab kept it so.
    await page.getByRole('dialog', { name: 'Chat with us' }).waitFor(WAIT);
    await page.locator('.msg.agent', { hasText: 'Bea here: refund on its way.' }).waitFor(WAIT);
  });

  /**
   * Kim's earlier email, as SES delivers it (keyed on its own ids: a test that runs after another
   * delivers it again and the pipeline keeps one), so each test that needs her has her.
   */
  const kimWroteAt = new Date().toISOString();
  const kimWroteByEmail = async () => {
    const at = kimWroteAt;
    const mail = sesReceived({
      sesId: 'ses-kim-1',
      at,
      from: 'Kim <kim@example.com>',
      messageId: '<kim-1@example.com>',
      text: 'My parcel is late',
    });
    expect(
      (await deliver(signedSes(shop.runtime.url, snsNotification(mail, { snsId: 'sns-kim-1', at })))).status,
    ).toBe(200);
    await shop.runtime.idle();
  };

  it('joins a verified visitor’s web chat to their earlier email history', async () => {
    await kimWroteByEmail();
    const { page } = await visit(identityToken({ sub: 'kim-7', email: 'kim@example.com', name: 'Kim' }));
    await page.locator('.msg.visitor', { hasText: 'My parcel is late' }).waitFor(WAIT);
    await write(page, 'Any news on my parcel?');
    const customer = await customerOf(page, (c) => c.identities.length === 2);
    expect(customer.identities).toEqual(
      expect.arrayContaining([
        { kind: 'email', value: 'kim@example.com' },
        { kind: 'webchat_user', value: 'kim-7' },
      ]),
    );
  });

  it('gives an anonymous visitor who types someone else’s email a suggestion, not their history', async () => {
    await kimWroteByEmail();
    const { page } = await visit();
    await startAnonymous(page, 'kim@example.com');
    await write(page, 'Hello, it is Kim');
    const customer = await customerOf(page);
    await expect
      .poll(
        async () =>
          (await api<{ items: Suggestion[] }>('GET', `/api/customers/${customer.id}/suggestions`)).items
            .length,
        WAIT,
      )
      .toBe(1);
    expect(customer.identities.map((i) => i.kind)).toEqual(['webchat_visitor']);
    expect(await page.locator('.msg', { hasText: 'My parcel is late' }).count()).toBe(0);
  });
});
