import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import { ANA, DESKTOP, greetOnWhatsApp, isFocused, signIn, useConsole } from './console-support.js';

const BOB = { id: 'bob', token: agentToken('claim-bob-token') } as const;
/** Bob answers her first, while Ana's view still shows her unassigned; Ana takes it over. */
const TAKEN = { from: '15550008001', name: 'Tia Taken' };
/** Bob answers him first; Ana sends hers beside Bob's, knowingly. */
const BESIDE = { from: '15550008002', name: 'Ben Beside' };

/**
 * Two agents answering one customer: the console's reply refused because a colleague has the
 * conversation now (409 `assignee_changed`) keeps the text, says who has it, and lets the agent take
 * it over and send, or send beside them; the customer never gets a reply the agent did not choose to send.
 */
describe('the console’s reply to a conversation a colleague has', () => {
  const { runtime, browser } = useConsole({
    routing: true,
    env: { AGENT_TOKENS: `${ANA.id}:${ANA.token}:admin,${BOB.id}:${BOB.token}` },
  });

  beforeAll(async () => {
    const text = 'I want a refund, please: talk to a person';
    await greetOnWhatsApp(
      runtime,
      'claim',
      [TAKEN, BESIDE].map((p) => ({ from: p.from, name: p.name, text })),
    );
  }, 240_000);

  const as = async <T>(token: string, method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(res.status, `${method} ${path}`).toBeLessThan(300);
    return (await res.json()) as T;
  };
  const conversationOf = async (p: { from: string }): Promise<string> => {
    const found = await as<{ items: Array<{ openConversationId?: string }> }>(
      ANA.token,
      'GET',
      `/api/customers?q=${encodeURIComponent(`+${p.from}`)}`,
    );
    const id = found.items[0]?.openConversationId;
    if (!id) throw new Error(`no open conversation for ${p.from}`);
    return id;
  };
  const agentTexts = (id: string) =>
    runtime.outbox
      .entries()
      .filter((e) => e.message.conversationId === id && e.message.author.kind === 'agent')
      .map((e) => e.message.text);

  const replyFocused = (page: Page) => page.getByLabel('Reply', { exact: true }).evaluate(isFocused);
  /** What the reply box's status line says (the take-over's outcome). */
  const composerStatus = (page: Page) =>
    page.getByRole('form', { name: 'Reply or note' }).locator('p[role="status"].held-outcome').textContent();

  /** Ana's view of the conversation, not live (it stays as first read), once it shows it unassigned. */
  const openStale = async (id: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: DESKTOP });
    await page.routeWebSocket(/\/api\/live/, () => undefined);
    await signIn(page, runtime);
    await page.goto(`${runtime.url}/console#/conversations/${id}`);
    const head = page.locator('.conversation-head .meta');
    await expect.poll(() => head.textContent(), { timeout: 30_000 }).toContain('unassigned');
    return page;
  };

  /** Bob answers first from his own console (the API), then Ana sends hers on her stale view. */
  const refusedReply = async (id: string, text: string): Promise<Page> => {
    const page = await openStale(id);
    await as(BOB.token, 'POST', `/api/conversations/${id}/replies`, { text: 'Bob here.' });
    await page.getByLabel('Reply', { exact: true }).fill(text);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const claim = page.getByRole('alert').filter({ hasText: 'bob has this conversation' });
    await claim.waitFor({ timeout: 30_000 });
    expect(await claim.textContent()).toContain('your reply was not sent');
    await expect
      .poll(() => page.locator('.conversation-head .meta').textContent(), { timeout: 30_000 })
      .toContain('assigned to bob');
    expect(await page.getByLabel('Reply', { exact: true }).inputValue()).toBe(text);
    await runtime.idle();
    expect(agentTexts(id)).toEqual(['Bob here.']);
    return page;
  };

  it('keeps a refused reply, says who has the conversation, and takes it over and sends on request', async () => {
    const id = await conversationOf(TAKEN);
    const page = await refusedReply(id, 'Ana here: I have your refund.');
    await page.getByRole('button', { name: 'Take it over and send' }).click();
    const log = page.getByRole('log', { name: 'Messages' });
    await log.getByText('Ana here: I have your refund.').waitFor({ timeout: 30_000 });
    await expect
      .poll(() => page.locator('.conversation-head .meta').textContent(), { timeout: 30_000 })
      .toContain(`assigned to ${ANA.id}`);
    expect(await page.getByLabel('Reply', { exact: true }).inputValue()).toBe('');
    // The note and its button went: the focus is back in the box, and the box says what became of it.
    await expect.poll(() => replyFocused(page), { timeout: 10_000 }).toBe(true);
    expect(await composerStatus(page)).toBe('You took this conversation over from bob: your reply was sent.');
    await runtime.idle();
    expect(agentTexts(id)).toEqual(['Bob here.', 'Ana here: I have your refund.']);
    expect((await as<Conversation>(ANA.token, 'GET', `/api/conversations/${id}`)).assignee).toBe(ANA.id);
    await page.close();
  }, 90_000);

  it('sends beside the colleague on request, the conversation staying theirs', async () => {
    const id = await conversationOf(BESIDE);
    const page = await refusedReply(id, 'Ana too: the form is attached.');
    await page.getByRole('button', { name: 'Send anyway' }).click();
    const log = page.getByRole('log', { name: 'Messages' });
    await log.getByText('Ana too: the form is attached.').waitFor({ timeout: 30_000 });
    await expect.poll(() => replyFocused(page), { timeout: 10_000 }).toBe(true);
    expect(await composerStatus(page)).toBe('Your reply was sent beside bob: the conversation stays theirs.');
    await runtime.idle();
    expect(agentTexts(id)).toEqual(['Bob here.', 'Ana too: the form is attached.']);
    expect((await as<Conversation>(ANA.token, 'GET', `/api/conversations/${id}`)).assignee).toBe(BOB.id);
    await page.close();
  }, 90_000);
});
