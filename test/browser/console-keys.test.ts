import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { SECRETS } from '../support/runtime.js';
import { deliver, signedTwilio, twilioSms, whatsappText } from '../support/webhooks.js';
import {
  ANA,
  answerConfirm,
  asAna,
  DESKTOP,
  inboxConversationOf,
  openInboxRow,
  postMeta,
  signIn,
  useConsole,
} from './console-support.js';

const BOB = { id: 'bob', token: agentToken('keys-bob-token') } as const;
/** Where the keyboard asks for the composer, and the conversations a draft is written in. */
const AMY = { from: '15550012001', name: 'Amy Asked' };
const XAVI = { from: '15550012002', name: 'Xavi Noted' };
const YARA = { from: '15550012003', name: 'Yara Replied' };
/** A WhatsApp customer whose number also takes SMS, until they text STOP. */
const WES = { from: '15550012004', name: 'Wes Twochannels' };
/** A customer whose tags Bob edits. */
const TESS = { from: '15550012005', name: 'Tess Tagged' };
/** Quick typists' customers: a reply typed at once after `r`, and the shortcuts turned off. */
const QUINN = { from: '15550012006', name: 'Quinn Quick' };
const OTTO = { from: '15550012007', name: 'Otto Offkeys' };
/** Seven waiting in a row: Bob resolves from the middle of them with `e` and goes on with j and k. */
const ROW = Array.from({ length: 7 }, (_, i) => ({ from: `1555001210${i}`, name: `Row Person${i}` }));

/** An SMS posted to the runtime as Twilio signs it; checks it was taken and waits for it to be handled. */
async function textIn(runtime: LocalRuntime, params: Record<string, string>): Promise<void> {
  const taken = await deliver(signedTwilio(`${runtime.url}/webhooks/twilio/sms`, params, SECRETS.twilio));
  if (taken.status >= 300) throw new Error(`the SMS webhook answered ${taken.status}`);
  await runtime.idle();
}

/**
 * Everyone writes on WhatsApp, an hour ago onwards, a minute apart (the inbox lists them in that order);
 * Wes texts first and writes on WhatsApp last: both take a reply, WhatsApp (his last) offered first.
 * His SMS is timed to the millisecond it came in, a WhatsApp message to its whole second (Meta's time):
 * his last is timed at the next second, else it would fall before the SMS most of the time.
 */
async function everyoneWrites(runtime: LocalRuntime): Promise<void> {
  await textIn(
    runtime,
    twilioSms({ sid: 'SMkeys00000000000000000000000000000', from: `+${WES.from}`, text: 'Hi' }),
  );
  const start = Date.now() - 60 * 60_000;
  const written = [AMY, XAVI, YARA, WES, TESS, QUINN, OTTO, ...ROW].map((p, i) => ({
    p,
    i,
    at: start + i * 60_000,
  }));
  written.push({ p: WES, i: written.length, at: (Math.floor(Date.now() / 1000) + 1) * 1000 });
  for (const { p, i, at } of written) {
    const text = `Hello from ${p.name}`;
    const payload = whatsappText({
      ...p,
      messages: [{ id: `wamid.keys.${i}`, at: new Date(at).toISOString(), text }],
    });
    await postMeta(runtime, '/webhooks/whatsapp', payload);
  }
  await runtime.idle();
}

/**
 * The console's keyboard and what it must not change: `r` and `n` act once, on the conversation they
 * were pressed in (a note kept as a draft never comes back as a reply); j and k from the heading keep the
 * focus there, and after a resolve go on from where the resolved row was; the reply's channel is kept
 * with the draft; the tags field keeps what was typed when refused, and says why.
 */
describe('the console’s keyboard, drafts and tags', () => {
  const { runtime, browser } = useConsole({
    env: { AGENT_TOKENS: `${ANA.id}:${ANA.token}:admin,${BOB.id}:${BOB.token}` },
  });
  let page: Page;

  beforeAll(async () => {
    await everyoneWrites(runtime);
    page = await browser.newPage({ viewport: DESKTOP });
    await signIn(page, runtime, BOB.token);
  }, 240_000);

  const box = () => page.getByRole('form', { name: 'Reply or note' });
  const text = () => box().locator('textarea');
  const pressed = (mode: 'Reply' | 'Note') =>
    box().getByRole('button', { name: mode, exact: true }).getAttribute('aria-pressed');
  const heading = () => page.locator('#conversation-title').textContent();
  const focused = () => page.evaluate('document.activeElement?.id || document.activeElement?.tagName');
  /** Whether a message with this text went out to a customer on any channel. */
  const sentOut = (said: string) => runtime.outbox.entries().some((e) => e.message.text === said);

  // QA: `r` pressed once in one conversation turned the note drafted in another into a reply as it was
  // opened again, and one Ctrl+Enter sent it to the customer by SMS.
  it('brings a note back as a note after `r` was pressed in another conversation, and adds it as one', async () => {
    await openInboxRow(page, AMY.name);
    await page.locator('#conversation-title').focus();
    await page.keyboard.press('r');
    await expect.poll(focused, { timeout: 30_000 }).toBe('TEXTAREA');
    expect(await pressed('Reply')).toBe('true');

    await openInboxRow(page, XAVI.name);
    await box().getByRole('button', { name: 'Note', exact: true }).click();
    await text().fill('INTERNAL note draft');
    await openInboxRow(page, YARA.name);
    await openInboxRow(page, XAVI.name);
    await expect.poll(() => text().inputValue(), { timeout: 30_000 }).toBe('INTERNAL note draft');
    expect(await pressed('Note')).toBe('true');
    expect(await box().textContent()).toContain('Internal: only agents see it');

    await text().press('Control+Enter');
    await expect.poll(() => text().inputValue(), { timeout: 30_000 }).toBe('');
    await page.getByRole('log', { name: 'Messages' }).getByText('INTERNAL note draft').waitFor();
    await runtime.idle();
    expect(sentOut('INTERNAL note draft')).toBe(false);
  }, 120_000);

  it('brings a reply back as a reply after `n` was pressed in another conversation', async () => {
    await openInboxRow(page, AMY.name);
    await page.locator('#conversation-title').focus();
    await page.keyboard.press('n');
    await expect.poll(() => pressed('Note'), { timeout: 30_000 }).toBe('true');

    await openInboxRow(page, YARA.name);
    expect(await pressed('Reply')).toBe('true');
    await text().fill('Yara, your order ships today');
    await openInboxRow(page, XAVI.name);
    await openInboxRow(page, YARA.name);
    await expect.poll(() => text().inputValue(), { timeout: 30_000 }).toBe('Yara, your order ships today');
    expect(await pressed('Reply')).toBe('true');
    // Amy's box took the `n` when it was pressed, and keeps it as her draft's mode.
    await openInboxRow(page, AMY.name);
    await expect.poll(() => pressed('Note'), { timeout: 30_000 }).toBe('true');
  }, 120_000);

  // QA: after `r` once, Escape then `j` put the focus in the next reply box, and `k` `k` was typed there.
  it('keeps the focus on the heading as j and k move after Escape', async () => {
    await openInboxRow(page, YARA.name);
    await page.locator('#conversation-title').focus();
    await page.keyboard.press('r');
    await expect.poll(focused, { timeout: 30_000 }).toBe('TEXTAREA');
    await text().press('Escape');
    await expect.poll(focused, { timeout: 30_000 }).toBe('conversation-title');
    await page.keyboard.press('j');
    await expect.poll(heading, { timeout: 30_000 }).not.toBe(YARA.name);
    await expect.poll(focused, { timeout: 30_000 }).toBe('conversation-title');
    expect(await text().inputValue()).toBe('');
    await page.keyboard.press('k');
    await expect.poll(heading, { timeout: 30_000 }).toBe(YARA.name);
    await expect.poll(focused, { timeout: 30_000 }).toBe('conversation-title');
    expect(await text().inputValue()).toBe('Yara, your order ships today');
  }, 120_000);

  // QA (WCAG 2.1.4): `r` then a reply typed at once sent its first letters to the one-key shortcuts
  // before the box had the focus: `e` resolved the customer unanswered, `j` opened the next one.
  it('writes every key typed right after `r` in the reply box, and `e` asks before it resolves', async () => {
    // The page's clock stands still while the keys are typed: what waited for a paint (the box's focus)
    // waits until it moves, as on a busy machine, and nothing is left to chance.
    const quick = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await quick.clock.install();
    await signIn(quick, runtime, BOB.token);
    await openInboxRow(quick, QUINN.name);
    const reply = quick.getByRole('form', { name: 'Reply or note' }).locator('textarea');
    const at = () => quick.evaluate('document.activeElement?.id || document.activeElement?.tagName');
    await quick.locator('#conversation-title').focus();
    await quick.clock.pauseAt(Date.now() + 1_000);
    await quick.keyboard.press('r');
    await quick.keyboard.type('every parcel left today', { delay: 5 });
    await quick.clock.runFor(2_000);
    expect(await reply.inputValue()).toBe('every parcel left today');
    expect(await quick.locator('#conversation-title').textContent()).toBe(QUINN.name);
    expect(await quick.getByRole('alertdialog').count()).toBe(0);
    const quinn = await inboxConversationOf(runtime, QUINN.name);
    await runtime.idle();
    expect((await asAna<{ status: string }>(runtime, `/api/conversations/${quinn.id}`)).status).toBe('open');

    // `e` outside the box asks first, Cancel focused: Enter (the next key of a reply) resolves nothing.
    await reply.press('Escape');
    await quick.keyboard.press('e');
    await quick.clock.runFor(1_000);
    const question = quick.getByRole('alertdialog', { name: `Resolve the conversation with ${QUINN.name}?` });
    await question.waitFor();
    expect(await quick.evaluate('document.activeElement?.textContent')).toBe('Cancel');
    await quick.keyboard.press('Enter');
    await question.waitFor({ state: 'detached' });
    await quick.clock.runFor(1_000);
    expect(await at()).toBe('conversation-title');
    await runtime.idle();
    expect((await asAna<{ status: string }>(runtime, `/api/conversations/${quinn.id}`)).status).toBe('open');
    await quick.context().close();
  }, 120_000);

  it('turns the one-key shortcuts off from the Shortcuts dialog, in this browser, and on again', async () => {
    const setting = page.getByRole('checkbox', { name: 'One-key shortcuts (j, k, r, n, e, ?)' });
    const shortcuts = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await openInboxRow(page, OTTO.name);
    await page.locator('#conversation-title').focus();
    await page.keyboard.press('?');
    expect(await setting.isChecked()).toBe(true);
    await setting.uncheck();
    await page.keyboard.press('Escape');
    await shortcuts.waitFor({ state: 'detached' });
    await page.reload();
    await page.getByRole('heading', { name: OTTO.name }).waitFor({ timeout: 30_000 });
    await page.locator('#conversation-title').focus();
    for (const key of ['e', 'j', 'r', '?']) await page.keyboard.press(key);
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await page.getByRole('alertdialog').count()).toBe(0);
    expect(await heading()).toBe(OTTO.name);
    expect(await focused()).toBe('conversation-title');
    // Nor are the keys announced: no control names a shortcut that does nothing.
    expect(await page.locator('[aria-keyshortcuts]').count()).toBe(0);
    const otto = await inboxConversationOf(runtime, OTTO.name);
    await runtime.idle();
    expect((await asAna<{ status: string }>(runtime, `/api/conversations/${otto.id}`)).status).toBe('open');

    // The header's Shortcuts button still opens the dialog: the tick box turns them on again.
    await page.getByRole('button', { name: 'Shortcuts', exact: true }).click();
    await setting.check();
    await page.keyboard.press('Escape');
    await shortcuts.waitFor({ state: 'detached' });
    await page.locator('#conversation-title').focus();
    await page.keyboard.press('r');
    await expect.poll(focused).toBe('TEXTAREA');
  }, 120_000);

  // QA: `e` on the sixth row, then `j`, opened the inbox's first row.
  it('goes on from where a resolved row was: j to the row after it, k to the row before it', async () => {
    const listed = async () =>
      (await page.locator('nav.inbox [data-conversation]').allTextContents()).flatMap(
        (t) => ROW.find((p) => t.includes(p.name))?.name ?? [],
      );
    await expect.poll(async () => (await listed()).length, { timeout: 30_000 }).toBe(ROW.length);
    const names = await listed();
    const head = page.locator('header.conversation-head');

    await openInboxRow(page, names[5] ?? '');
    await page.locator('#conversation-title').focus();
    await page.keyboard.press('e');
    expect(await answerConfirm(page, true)).toBe(`Resolve the conversation with ${names[5]}?`);
    await head.getByRole('button', { name: 'Reopen' }).waitFor({ timeout: 30_000 });
    await expect.poll(async () => (await listed()).includes(names[5] ?? ''), { timeout: 30_000 }).toBe(false);
    await page.keyboard.press('j');
    await expect.poll(heading, { timeout: 30_000 }).toBe(names[6]);

    await page.keyboard.press('e');
    await answerConfirm(page, true);
    await head.getByRole('button', { name: 'Reopen' }).waitFor({ timeout: 30_000 });
    await expect.poll(async () => (await listed()).includes(names[6] ?? ''), { timeout: 30_000 }).toBe(false);
    await page.keyboard.press('k');
    await expect.poll(heading, { timeout: 30_000 }).toBe(names[4]);
  }, 120_000);

  // QA: the channel picked went back to the first one on reload, the text kept.
  it('keeps the reply’s channel with the draft, and says so when that channel can no longer take it', async () => {
    const channel = (name: string) => box().getByRole('radio', { name: new RegExp(`^${name}`) });
    await openInboxRow(page, WES.name);
    // WhatsApp, his last, is chosen until the agent picks SMS: the pick is one to keep.
    await expect.poll(() => channel('WhatsApp').isChecked(), { timeout: 30_000 }).toBe(true);
    await channel('SMS').check();
    await text().fill('Wes, by text: your code is 4411');
    await page.reload();
    await page.getByRole('heading', { name: WES.name }).waitFor({ timeout: 30_000 });
    await expect.poll(() => text().inputValue(), { timeout: 30_000 }).toBe('Wes, by text: your code is 4411');
    await expect.poll(() => channel('SMS').isChecked(), { timeout: 30_000 }).toBe(true);
    expect(await channel('WhatsApp').isChecked()).toBe(false);

    // Wes opts out of SMS: the draft's channel is said to be gone, none other chosen for it.
    const stop = twilioSms({
      sid: 'SMkeys00000000000000000000000000001',
      from: `+${WES.from}`,
      text: 'STOP',
    });
    await textIn(runtime, stop);
    await page.reload();
    const lost = box().locator('.channel-lost');
    await lost.waitFor({ timeout: 30_000 });
    expect(await lost.textContent()).toContain("You chose SMS for this reply, but it can't take one now");
    expect(await channel('WhatsApp').isChecked()).toBe(false);
    expect(await box().getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);
    await channel('WhatsApp').check();
    await lost.waitFor({ state: 'detached' });
    expect(await box().getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(false);
  }, 120_000);

  // QA: a refused save emptied the field and said "add.2: letters, digits, _ . : -"; spaces split tags silently.
  it('keeps refused tags in the field and names the one refused, and says the rule', async () => {
    await openInboxRow(page, TESS.name);
    const panel = page.getByRole('complementary', { name: 'Customer' });
    const field = panel.getByRole('textbox', { name: 'Tags' });
    const save = panel.getByRole('button', { name: 'Save tags' });
    const refusal = panel.locator('#tags-error');
    expect(await panel.locator('#tags-hint').textContent()).toContain('Separate tags with commas');

    await field.fill('vip, émoji🎁');
    await save.click();
    await refusal.waitFor({ timeout: 30_000 });
    expect(await refusal.textContent()).toBe("“émoji🎁” can't be a tag: use letters, digits, _ . : -");
    expect(await field.inputValue()).toBe('vip, émoji🎁');

    await field.fill('refund request, angry customer');
    await save.click();
    await expect
      .poll(() => refusal.textContent(), { timeout: 30_000 })
      .toContain("“refund request” can't be a tag: a tag has no spaces");
    expect(await field.inputValue()).toBe('refund request, angry customer');

    await field.fill('refund_request, angry-customer');
    await save.click();
    const tess = await inboxConversationOf(runtime, TESS.name);
    await expect
      .poll(
        async () =>
          (await asAna<{ tags: string[] }>(runtime, `/api/customers/${tess.customerId}`)).tags.sort(),
        {
          timeout: 30_000,
        },
      )
      .toEqual(['angry-customer', 'refund_request']);
    await expect.poll(() => field.inputValue(), { timeout: 30_000 }).toMatch(/refund_request/);
    expect(await refusal.count()).toBe(0);
  }, 120_000);
});
