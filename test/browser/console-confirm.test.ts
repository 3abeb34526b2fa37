import { beforeAll, describe, expect, it } from 'vitest';
import { agentToken } from '../support/agent-token.js';
import {
  ANA,
  asAna,
  greetOnWhatsApp,
  inboxConversationOf,
  openInboxRow,
  signedInPage,
  useConsole,
} from './console-support.js';

const BOB = { id: 'bob', token: agentToken('bob-confirm-token-1234') } as const;
const ROSA = { from: '15550009201', name: 'Rosa Reopen' };
const EDDA = { from: '15550009202', name: 'Edda Erase' };

/** The focused element: its tag, text and whether it sits in the question. */
const FOCUSED = `(() => {
  const a = document.activeElement;
  return { tag: a.tagName, id: a.id, text: (a.textContent ?? '').trim().slice(0, 40), inDialog: !!a.closest('[role="alertdialog"]') };
})()`;

/**
 * Reopen and Erase ask in the page, not with the browser's confirm(): an alert dialog that takes focus
 * (on Cancel), gives it back when it goes, cancels on Escape, and does the thing on Enter on its
 * confirm button; keys in it never reach the console's shortcuts.
 */
describe('the console asks before a Reopen and an Erase in an in-page dialog', () => {
  const { runtime, browser } = useConsole({
    env: { AGENT_TOKENS: `${ANA.id}:${ANA.token}:admin,${BOB.id}:${BOB.token}` },
  });

  beforeAll(async () => {
    await greetOnWhatsApp(
      runtime,
      'confirm',
      [ROSA, EDDA].map((p) => ({ ...p, text: 'Hi' })),
    );
  }, 120_000);

  it('Reopen of a resolve not seen: Escape cancels and gives focus back; Enter on Reopen reopens', async () => {
    const page = await signedInPage(browser, runtime);
    const rosa = await inboxConversationOf(runtime, ROSA.name);
    await openInboxRow(page, ROSA.name);
    await page.getByRole('status').getByText('Live').waitFor();
    const res = await fetch(`${runtime.url}/api/conversations/${rosa.id}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOB.token}` },
    });
    expect(res.status).toBe(200);
    const head = page.locator('header.conversation-head');
    await head.getByRole('button', { name: 'Reopen' }).waitFor();
    await page.locator('#conversation-title').focus();
    await page.keyboard.press('e');
    const dialog = page.getByRole('alertdialog', { name: /bob resolved this conversation/ });
    await dialog.waitFor();
    expect(await page.evaluate(FOCUSED)).toMatchObject({ tag: 'BUTTON', text: 'Cancel', inDialog: true });
    // A shortcut key in the question does nothing: `j` does not move to another conversation.
    await page.keyboard.press('j');
    expect(await page.getByRole('heading', { name: ROSA.name }).count()).toBe(1);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(FOCUSED)).toMatchObject({ id: 'conversation-title' });
    expect((await asAna<{ status: string }>(runtime, `/api/conversations/${rosa.id}`)).status).toBe(
      'resolved',
    );

    // Bob resolves again after Ana's reopen-less look: asked again; Tab to Reopen and Enter.
    await head.getByRole('button', { name: 'Reopen' }).click();
    await head.getByRole('button', { name: 'Resolve' }).waitFor();
    await fetch(`${runtime.url}/api/conversations/${rosa.id}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOB.token}` },
    });
    await head.getByRole('button', { name: 'Reopen' }).waitFor();
    await head.getByRole('button', { name: 'Reopen' }).click();
    await dialog.waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(FOCUSED)).toMatchObject({ text: 'Reopen', inDialog: true });
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await head.getByRole('button', { name: 'Resolve' }).waitFor();
    expect((await asAna<{ status: string }>(runtime, `/api/conversations/${rosa.id}`)).status).toBe('open');
    await page.close();
  }, 120_000);

  it('Erase: Escape erases nothing and gives focus back to Erase; Enter on Erase customer erases', async () => {
    const page = await signedInPage(browser, runtime);
    const edda = await inboxConversationOf(runtime, EDDA.name);
    const deletes: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'DELETE') deletes.push(r.url());
    });
    await openInboxRow(page, EDDA.name);
    const erase = page.locator('aside.customer').getByRole('button', { name: 'Erase customer' });
    await erase.click();
    const dialog = page.getByRole('alertdialog', { name: /Erase this customer/ });
    await dialog.waitFor();
    expect(await page.evaluate(FOCUSED)).toMatchObject({ text: 'Cancel', inDialog: true });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(FOCUSED)).toMatchObject({ text: 'Erase customer', inDialog: false });
    expect(deletes).toEqual([]);
    expect(
      (
        await fetch(`${runtime.url}/api/customers/${edda.customerId}`, {
          headers: { authorization: `Bearer ${ANA.token}` },
        })
      ).status,
    ).toBe(200);

    await erase.click();
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Erase customer' }).focus();
    await page.keyboard.press('Enter');
    await page
      .locator('aside.customer')
      .getByRole('status')
      .getByText(/^Erased/)
      .waitFor({ timeout: 60_000 });
    expect(deletes).toHaveLength(1);
    await page.close();
  }, 120_000);
});
