import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '#shared/domain/timeline.js';
import { agentToken } from '../support/agent-token.js';
import {
  ANA,
  answerConfirm,
  greetOnWhatsApp,
  inboxConversationOf,
  minutesAgo,
  openInboxRow,
  signedInPage,
  useConsole,
} from './console-support.js';

const BOB = { id: 'bob', token: agentToken('resolved-bob-token') } as const;
/** Bob resolves her conversation while Ana writes her a reply. */
const RITA = { from: '15550009001', name: 'Rita Resolved', minutesAgo: 10 };
/** Three customers in a row: Ana leaves the reply box of the middle one with Escape and moves on with j. */
const ROW = [
  { from: '15550009002', name: 'Ed Earlier', minutesAgo: 3 },
  { from: '15550009003', name: 'Em Middle', minutesAgo: 2 },
  { from: '15550009004', name: 'Eli Later', minutesAgo: 1 },
];

/**
 * The console's reply box and what changes under it: a resolve by a colleague while the agent writes is
 * said beside the box and the next Send asks first; Escape leaves the box, the draft kept, for the
 * one-key shortcuts.
 */
describe('the console’s reply box when the conversation changes under it, and Escape', () => {
  const { runtime, browser } = useConsole({
    env: { AGENT_TOKENS: `${ANA.id}:${ANA.token}:admin,${BOB.id}:${BOB.token}` },
  });
  let page: Page;

  beforeAll(async () => {
    const customers = [RITA, ...ROW].map((p) => ({
      from: p.from,
      name: p.name,
      at: minutesAgo(p.minutesAgo),
    }));
    await greetOnWhatsApp(runtime, 'resolved', customers);
    page = await signedInPage(browser, runtime);
  }, 240_000);

  const reply = () => page.getByRole('form', { name: 'Reply or note' }).getByLabel('Reply', { exact: true });
  const heading = () => page.locator('#conversation-title').textContent();
  const agentTexts = (id: string) =>
    runtime.outbox
      .entries()
      .filter((e) => e.message.conversationId === id && e.message.author.kind === 'agent')
      .map((e) => e.message.text);

  it('leaves the reply box with Escape, the draft kept, so j and k move between conversations', async () => {
    const middle = ROW[1]?.name ?? '';
    await openInboxRow(page, middle);
    await reply().fill('Em, the parcel is on its way');
    await reply().press('Escape');
    await expect
      .poll(() => page.evaluate('document.activeElement?.id'), { timeout: 30_000 })
      .toBe('conversation-title');
    await page.keyboard.press('j');
    await expect.poll(heading, { timeout: 30_000 }).not.toBe(middle);
    await page.keyboard.press('k');
    await expect.poll(heading, { timeout: 30_000 }).toBe(middle);
    await expect.poll(() => reply().inputValue(), { timeout: 30_000 }).toBe('Em, the parcel is on its way');
  }, 120_000);

  it('says a colleague resolved it while Ana wrote, and sends her reply only once she confirms', async () => {
    const { id } = await inboxConversationOf(runtime, RITA.name);
    await openInboxRow(page, RITA.name);
    await reply().fill('Rita, your refund is approved.');
    const res = await fetch(`${runtime.url}/api/conversations/${id}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOB.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ csat: false }),
    });
    expect(res.status).toBe(200);
    const notice = page
      .getByRole('alert')
      .filter({ hasText: 'resolved this conversation while you were writing' });
    await notice.waitFor({ timeout: 30_000 });
    await expect.poll(() => notice.textContent(), { timeout: 30_000 }).toContain('bob resolved');
    // The first send asks; Cancel sends nothing and keeps the text.
    await reply().press('Control+Enter');
    expect(await answerConfirm(page, false)).toContain(
      'bob resolved this conversation while you were writing',
    );
    expect(await reply().inputValue()).toBe('Rita, your refund is approved.');
    await reply().press('Control+Enter');
    expect(await answerConfirm(page, true)).toContain('Send your reply anyway?');
    await expect.poll(() => reply().inputValue(), { timeout: 30_000 }).toBe('');
    await notice.waitFor({ state: 'detached', timeout: 30_000 });
    // Seen once, the next reply goes as any: no question.
    await reply().fill('And the courier comes Monday.');
    await reply().press('Control+Enter');
    await expect.poll(() => reply().inputValue(), { timeout: 30_000 }).toBe('');
    await runtime.idle();
    expect(agentTexts(id)).toEqual(['Rita, your refund is approved.', 'And the courier comes Monday.']);
    const after = await fetch(`${runtime.url}/api/conversations/${id}`, {
      headers: { authorization: `Bearer ${ANA.token}` },
    });
    expect(((await after.json()) as Conversation).status).toBe('resolved');
  }, 120_000);
});
