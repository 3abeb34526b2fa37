import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualTimers } from '../support/manual-timers.js';
import { slaPolicyFile } from '../support/policy-file.js';
import {
  asAna,
  type CuttableLive,
  cuttableLive,
  DESKTOP,
  greetOnWhatsApp,
  RECORD_ANNOUNCEMENTS,
  signIn,
  told,
  useConsole,
  type WhatsAppGreeting,
} from './console-support.js';

/** Billing's, urgent before Ana signs in: listed urgent from the start, never told. */
const OLIVE = { from: '15550032001', name: 'Olive Old', text: 'I was charged twice, a person please' };
/** General's: her breach raises her to urgent and moves her into billing, the view Ana is looking at. */
const NIA = { from: '15550032002', name: 'Nia New', text: 'My parcel never came: talk to a person' };
/** Billing's, not urgent: comes in while the socket is down. */
const QUINN = { from: '15550032003', name: 'Quinn Quiet', text: 'A refund for my order, a person please' };
/** General's: turns urgent while Ana has her conversation open. */
const PAT = { from: '15550032004', name: 'Pat Open', text: 'Lost my keys: talk to a person' };

/**
 * Comes in Arabic after the others: her name ends in a digit, her first words start right to left. The
 * policy hands "ماذا أفعل" (what do I do) to a person.
 */
const FATIMA = {
  from: '15550032005',
  name: 'فاطمة الزهراء (VIP) 2',
  text: 'مرحبا، رحلتي رقم TK-778 إلى إسطنبول ألغيت! ماذا أفعل الآن؟',
};

/** Past the policy's ten-minute first-response target. */
const PAST_TARGET_MS = 11 * 60_000;

/**
 * An urgent conversation coming into the agent's view (a breach raised it and moved it to the queue
 * shown) was said only by the inbox's count and the tab's title: a screen reader heard no name, and a
 * sighted agent saw a row sorted wherever its wait put it. Now it is said once by name, shown above the
 * rows until opened, and named in the title; not again on later events or a reconnect, and not for the
 * conversation the agent has open.
 */
describe('the console tells an urgent arrival once', () => {
  const manual = new ManualTimers(Math.floor(Date.now() / 1000) * 1000);
  const { runtime, browser } = useConsole(() => ({
    routing: true,
    manualTime: manual,
    env: {
      ROUTING_POLICY_FILE: slaPolicyFile(
        {
          onBreach: [
            { type: 'priority', priority: 'urgent' },
            { type: 'queue', queue: 'billing' },
          ],
        },
        (policy) => {
          policy.businessHours.hours = [
            { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], open: '00:00', close: '24:00' },
          ];
          policy.escalation.askForPersonKeywords.push('ماذا أفعل');
        },
      ),
    },
  }));
  let page: Page;
  let network: CuttableLive;
  const inbox = () => page.getByRole('navigation', { name: 'Inbox' });
  const row = (name: string) => inbox().locator('.conversation-row').filter({ hasText: name });
  const saidUrgent = async () => (await told(page)).filter((t) => /Urgent/.test(t));
  /** The customer writes now, on the runtime's clock. */
  const writes = (tag: string, who: WhatsAppGreeting) =>
    greetOnWhatsApp(runtime, `urgent-${tag}`, [{ ...who, at: new Date(manual.now()).toISOString() }]);
  const breach = async () => {
    manual.advance(PAST_TARGET_MS);
    await runtime.idle();
  };
  const priorityOf = async (name: string) => {
    const rows = await asAna<{ items: Array<{ priority?: string; customer?: { name?: string } }> }>(
      runtime,
      '/api/conversations?limit=200',
    );
    return rows.items.find((r) => r.customer?.name === name)?.priority;
  };

  beforeAll(async () => {
    await writes('olive', OLIVE);
    await breach();
    expect(await priorityOf(OLIVE.name)).toBe('urgent');
    page = await browser.newPage({ viewport: DESKTOP });
    network = await cuttableLive(page);
    await page.addInitScript(RECORD_ANNOUNCEMENTS);
    await signIn(page, runtime);
    const queue = inbox().getByLabel('Queue');
    await queue.fill('billing');
    await queue.press('Enter');
    await row(OLIVE.name).locator('.badge.priority-urgent').waitFor({ timeout: 30_000 });
  }, 240_000);
  afterAll(() => page?.close());

  it('says a conversation that comes into the view urgent by name, once, and shows it until it is opened', async () => {
    await writes('nia', NIA);
    expect(await row(NIA.name).count()).toBe(0);
    expect(await saidUrgent()).toEqual([]);
    await breach();
    await row(NIA.name).locator('.badge.priority-urgent').waitFor({ timeout: 30_000 });
    await expect.poll(saidUrgent, { timeout: 30_000 }).toEqual([`Urgent: ${NIA.name}, ${NIA.text}`]);
    const notice = inbox().locator('.urgent-notice');
    expect(await notice.getByRole('button').allTextContents()).toEqual([
      `Urgent: ${NIA.name}, ${NIA.text}`,
      'Dismiss',
    ]);
    // Not a live region of its own: said once, by the console's status line.
    const inRegion = `!!document.querySelector('.urgent-notice').closest('[aria-live], [role=status], [role=log], [role=alert]')`;
    expect(await page.evaluate(inRegion)).toBe(false);
    await expect
      .poll(() => page.title(), { timeout: 30_000 })
      .toBe(`(2) Urgent: \u2068${NIA.name}\u2069 · Threadline console`);
  }, 120_000);

  it('says it no more on her next message, over a reconnect, nor at the read of another view', async () => {
    await network.cut();
    await writes('nia-again', { ...NIA, text: 'Still nothing' });
    await writes('quinn', QUINN);
    await writes('pat', PAT);
    network.restore();
    // Quinn listed: the events missed were read and the view read again after them.
    await row(QUINN.name).waitFor({ timeout: 60_000 });
    expect(await saidUrgent()).toEqual([]);
    // Every queue: Olive and Nia listed urgent there too, and Pat, in general, once it is read.
    await inbox().getByLabel('Queue').fill('');
    await inbox().getByLabel('Queue').press('Enter');
    await row(PAT.name).waitFor({ timeout: 30_000 });
    expect(await saidUrgent()).toEqual([]);
    expect(await inbox().locator('.urgent-notice').getByText(NIA.name).count()).toBe(1);
  }, 120_000);

  it('does not say the conversation the agent has open turning urgent; takes a notice down once opened or dismissed', async () => {
    await row(PAT.name).click();
    await page.getByRole('heading', { name: PAT.name }).waitFor({ timeout: 30_000 });
    await breach();
    await row(PAT.name).locator('.badge.priority-urgent').waitFor({ timeout: 30_000 });
    // Quinn's target, set when she wrote, is missed too: hers is said, not Pat's, open on the screen.
    await expect.poll(saidUrgent, { timeout: 30_000 }).toEqual([`Urgent: ${QUINN.name}, ${QUINN.text}`]);
    const notice = inbox().locator('.urgent-notice');
    const noticed = () => notice.locator('li').allTextContents();
    expect(await noticed()).toEqual([
      `Urgent: ${QUINN.name}, ${QUINN.text}`,
      `Urgent: ${NIA.name}, ${NIA.text}`,
    ]);
    await expect
      .poll(() => page.title(), { timeout: 30_000 })
      .toMatch(new RegExp(`^\\(\\d+\\) Urgent: \u2068${QUINN.name}\u2069 and 1 more · Threadline console$`));

    await notice.getByRole('button', { name: new RegExp(NIA.name) }).click();
    await page.getByRole('heading', { name: NIA.name }).waitFor({ timeout: 30_000 });
    await expect.poll(noticed, { timeout: 30_000 }).toEqual([`Urgent: ${QUINN.name}, ${QUINN.text}`]);
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    await notice.waitFor({ state: 'detached', timeout: 30_000 });
    await expect.poll(() => page.title(), { timeout: 30_000 }).toMatch(/^\(\d+\) Threadline console$/);
    expect(await saidUrgent()).toEqual([]);
  }, 120_000);

  it('shows a right-to-left name and first words each in its own isolate, and isolates the name in the title', async () => {
    await writes('fatima', FATIMA);
    await breach();
    const notice = inbox().locator('.urgent-notice');
    const button = notice.getByRole('button', { name: /Urgent: فاطمة/ });
    await button.waitFor({ timeout: 30_000 });
    // The name, then ", " outside both, then the first words: each isolate keeps its own direction, so
    // the name's "2" stays in it and the separator stays after it, not at the far end of the words.
    const parts = await button.evaluate((b) =>
      [...b.childNodes].map((n) => (n.nodeType === 1 ? `<${n.nodeName.toLowerCase()}>` : '') + n.textContent),
    );
    expect(parts).toEqual(['<strong>Urgent:', ' ', `<bdi>${FATIMA.name}`, ', ', `<bdi>${FATIMA.text}`]);
    expect(await button.locator('bdi').evaluateAll((bs) => bs.map((b) => b.getAttribute('dir')))).toEqual([
      'auto',
      'auto',
    ]);
    // Drawn so: the separator just right of the name's part on its line (the name may wrap).
    const drawn = await button.evaluate((b) => {
      const range = b.ownerDocument.createRange();
      range.selectNodeContents(b.childNodes[3]);
      const [comma] = range.getClientRects();
      const name = [...b.children[1].getClientRects()];
      const onLine = name.filter((r) => Math.abs(r.top - (comma?.top ?? 0)) < 4);
      return {
        gap: Math.round((comma?.left ?? 0) - Math.max(...onLine.map((r) => r.right))),
        lines: name.length,
      };
    });
    expect(drawn).toMatchObject({ gap: 0 });
    await expect
      .poll(async () => (await page.title()).replace(/^\(\d+\) /, ''), { timeout: 30_000 })
      .toBe(`Urgent: \u2068${FATIMA.name}\u2069 · Threadline console`);
  }, 120_000);
});
