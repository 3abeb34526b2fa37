import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentToken } from '../support/agent-token.js';
import {
  ANA,
  asAna,
  DESKTOP,
  greetOnWhatsApp,
  isFocused,
  minutesAgo,
  openInboxRow,
  RECORD_ANNOUNCEMENTS,
  signIn,
  told,
  useConsole,
} from './console-support.js';

/** Three customers WhatsApp shows by the same name: their rows differ by what they wrote. */
const SAMS = ['Where is my parcel?', 'I want a refund', 'Change my address'].map((text, i) => ({
  from: `1555003100${i}`,
  name: 'Sam Same',
  text,
  at: minutesAgo(50 - i),
}));
const ALBA = { from: '15550031010', name: 'Alba Opened', at: minutesAgo(40) };
const BRUNO = { from: '15550031011', name: 'Bruno Next', at: minutesAgo(39) };
const CARA = { from: '15550031012', name: 'Cara Ticked', at: minutesAgo(38) };
/** A colleague who resolves the conversation Ana has open. */
const BOB = { id: 'bob', token: agentToken('announce-bob-token') } as const;
const DAN = { from: '15550031013', name: 'Dan Writes', at: minutesAgo(37) };

/**
 * What a keyboard and a screen-reader user meet in the console (QA's sweep): opening a conversation
 * from the inbox says which one opened, the shortcuts work from a tick box, tick boxes of customers
 * shown by the same name have names of their own, a send is confirmed, and an arrival is told once
 * and does not stay in the live region to be read again in browse mode.
 */
describe('the console tells what it does', () => {
  const { runtime, browser } = useConsole({
    env: { AGENT_TOKENS: `${ANA.id}:${ANA.token}:admin,${BOB.id}:${BOB.token}` },
  });
  let page: Page;
  const inbox = () => page.getByRole('navigation', { name: 'Inbox' });
  const heading = () => page.locator('#conversation-title').textContent();
  const saidSince = async (what: RegExp) => (await told(page)).filter((t) => what.test(t));

  beforeAll(async () => {
    await greetOnWhatsApp(runtime, 'announce', [...SAMS, ALBA, BRUNO, CARA, DAN]);
    page = await browser.newPage({ viewport: DESKTOP });
    await page.clock.install();
    await page.addInitScript(RECORD_ANNOUNCEMENTS);
    await signIn(page, runtime);
    await inbox()
      .getByRole('button', { name: new RegExp(DAN.name) })
      .waitFor();
  }, 240_000);
  afterAll(() => page?.close());

  // QA: at desktop width the focus stays in the inbox, and opening a conversation said nothing.
  it('says which conversation opened by Enter on its row and by `j`, the focus kept in the inbox', async () => {
    await told(page);
    const row = inbox().getByRole('button', { name: new RegExp(ALBA.name) });
    await row.focus();
    await page.keyboard.press('Enter');
    await expect.poll(heading, { timeout: 30_000 }).toBe(ALBA.name);
    await expect
      .poll(() => saidSince(/^Opened/), { timeout: 30_000 })
      .toEqual([`Opened: ${ALBA.name}, WhatsApp`]);
    expect(await row.evaluate(isFocused)).toBe(true);

    await page.keyboard.press('j');
    await expect.poll(heading, { timeout: 30_000 }).toBe(BRUNO.name);
    await expect
      .poll(() => saidSince(/^Opened/), { timeout: 30_000 })
      .toEqual([`Opened: ${BRUNO.name}, WhatsApp`]);
  }, 120_000);

  // QA: `j`, `k` and `e` did nothing with the focus on a tick box ("Select all shown" after a batch).
  it('takes the shortcuts on a tick box, whose Space still ticks it', async () => {
    const tick = inbox().getByRole('checkbox', { name: new RegExp(`Select ${CARA.name}`) });
    await tick.focus();
    await page.keyboard.press(' ');
    expect(await tick.isChecked()).toBe(true);
    await page.keyboard.press(' ');
    expect(await tick.isChecked()).toBe(false);
    const before = await heading();
    await page.keyboard.press('j');
    await expect.poll(heading, { timeout: 30_000 }).not.toBe(before);
  }, 60_000);

  // QA: three tick boxes named "Select Sam Same" alike; which row each ticks could not be told. The
  // inbox's count read "8 in all", as the customer search's did.
  it('names each tick box with what tells its row apart, and says what the inbox counts', async () => {
    expect(await inbox().locator('p.more-rows').textContent()).toBe(
      `Conversations: ${SAMS.length + 4} in all`,
    );
    const names = await inbox()
      .getByRole('checkbox', { name: /Sam Same/ })
      .evaluateAll((boxes) => boxes.map((b) => b.getAttribute('aria-label')));
    expect(names).toHaveLength(3);
    expect(new Set(names).size).toBe(3);
    for (const s of SAMS) expect(names.some((n) => n?.includes(s.text))).toBe(true);
  }, 60_000);

  // QA: a reply or a note that went was never confirmed aloud; the tab's title never counted waiting work.
  it('says "Reply sent" and "Note added" once the server took them, and the title counts who waits', async () => {
    const everyone = SAMS.length + 4;
    await expect.poll(() => page.title(), { timeout: 30_000 }).toBe(`(${everyone}) Threadline console`);
    await openInboxRow(page, ALBA.name);
    const box = page.getByRole('form', { name: 'Reply or note' });
    await told(page);
    await box.locator('textarea').fill('We are on it');
    await box.locator('textarea').press('Control+Enter');
    await expect.poll(() => saidSince(/sent|added/), { timeout: 30_000 }).toEqual(['Reply sent']);
    await expect.poll(() => page.title(), { timeout: 30_000 }).toBe(`(${everyone - 1}) Threadline console`);
    await box.getByRole('button', { name: 'Note', exact: true }).click();
    await box.locator('textarea').fill('Checked the parcel');
    await box.locator('textarea').press('Control+Enter');
    await expect.poll(() => saidSince(/sent|added/), { timeout: 30_000 }).toEqual(['Note added']);
  }, 90_000);

  // QA: each arrival stayed in the hidden live region after the log, and browse mode read it twice.
  it('keeps only the latest arrival in the live region, for a few seconds', async () => {
    await openInboxRow(page, DAN.name);
    await page.locator('section.timeline[aria-busy="false"]').waitFor({ timeout: 30_000 });
    const region = page.locator('section.timeline div.visually-hidden[aria-live="polite"]');
    for (const [i, text] of ['First again', 'Second again', 'Third again'].entries()) {
      await greetOnWhatsApp(runtime, `announce-dan-${i}`, [{ ...DAN, text, at: undefined }]);
      await expect.poll(() => region.textContent(), { timeout: 30_000 }).toContain(text);
    }
    expect(await region.locator('p').allTextContents()).toEqual(['Customer on WhatsApp: Third again']);
    await page.clock.fastForward(6_000);
    await expect.poll(() => region.textContent(), { timeout: 10_000 }).toBe('');
  }, 120_000);

  // QA: a colleague's resolve of the conversation open was said only with a reply written in the box.
  it('says a colleague resolved the conversation open, the reply box empty', async () => {
    await openInboxRow(page, CARA.name);
    const id = page.url().split('/').pop();
    await page.locator(`section.timeline[data-conversation="${id}"][aria-busy="false"]`).waitFor();
    await told(page);
    const answer = await fetch(`${runtime.url}/api/conversations/${id}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOB.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(answer.status).toBe(200);
    await expect
      .poll(() => saidSince(/resolved/), { timeout: 30_000 })
      .toEqual(['bob resolved this conversation']);
  }, 90_000);

  // QA: a customer writing again in a conversation other than the one open made nothing happen.
  it('says a new message in a conversation of the agent’s own other than the one open, not in others’', async () => {
    await openInboxRow(page, ALBA.name);
    const rows = await asAna<{ items: Array<{ id: string; preview?: string }> }>(
      runtime,
      '/api/conversations',
    );
    const mine = rows.items.find((r) => r.preview === SAMS[0]?.text);
    const assigned = await fetch(`${runtime.url}/api/conversations/${mine?.id}/assign`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ANA.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agentId: ANA.id }),
    });
    expect(assigned.status).toBe(200);
    await inbox()
      .getByRole('button', { name: /Sam Same.*ana/ })
      .waitFor({ timeout: 30_000 });
    await told(page);
    const [first, second] = SAMS;
    if (!first || !second) throw new Error('three Sams');
    await greetOnWhatsApp(runtime, 'announce-sams', [
      { ...second, text: 'Not yours', at: undefined },
      { ...first, text: 'Yours again', at: undefined },
    ]);
    await expect
      .poll(() => saidSince(/New message/), { timeout: 30_000 })
      .toEqual(['New message from Sam Same, in another conversation']);
  }, 90_000);

  // QA: below 1100 px the Menu and the customer panel lie over the page; Tab out of either left it open,
  // the control reached hidden under it (WCAG 2.4.11), and Escape outside the Menu did not close it.
  it('closes the Menu and the customer panel below 1100 px as the focus leaves them, and the Menu on Escape', async () => {
    const narrow = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    try {
      await signIn(narrow, runtime);
      await openInboxRow(narrow, BRUNO.name);
      const menu = narrow.locator('details.menu');
      const isOpen = () => menu.evaluate((d) => (d as unknown as { open: boolean }).open);
      const inside = (selector: string) =>
        narrow.evaluate(`!!document.querySelector('${selector}')?.contains(document.activeElement)`);
      /** Whether the focused control is the topmost thing at its centre (nothing lies over it). */
      const inSight = () =>
        narrow.evaluate(`(() => {
          const a = document.activeElement;
          const r = a.getBoundingClientRect();
          const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return a === top || a.contains(top);
        })()`);
      await narrow.locator('details.menu > summary').focus();
      await narrow.keyboard.press('Enter');
      expect(await isOpen()).toBe(true);
      for (let i = 0; i < 30 && (await inside('details.menu')); i++) await narrow.keyboard.press('Tab');
      expect(await inside('details.menu')).toBe(false);
      expect(await isOpen()).toBe(false);
      expect(await inSight()).toBe(true);

      await narrow.locator('details.menu > summary').focus();
      await narrow.keyboard.press('Enter');
      expect(await isOpen()).toBe(true);
      await narrow.evaluate('document.activeElement.blur()');
      await narrow.keyboard.press('Escape');
      expect(await isOpen()).toBe(false);

      await narrow.locator('button.customer-toggle').click();
      const panel = narrow.locator('aside#customer-panel');
      await expect.poll(() => inside('aside#customer-panel'), { timeout: 10_000 }).toBe(true);
      // Past the panel's end (the page's last), Tab leaves the page, then comes round to its start.
      const onPage = () => narrow.evaluate('document.activeElement !== document.body');
      for (let i = 0; i < 80 && ((await inside('aside#customer-panel')) || !(await onPage())); i++)
        await narrow.keyboard.press('Tab');
      expect(await inside('aside#customer-panel')).toBe(false);
      expect(await panel.getAttribute('class')).not.toContain('shown');
      expect(await inSight()).toBe(true);
    } finally {
      await narrow.close();
    }
  }, 120_000);
});
