import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { whatsappText } from '../support/webhooks.js';
import { ANA, answerConfirm, asAna, DESKTOP, postMeta, signIn, useConsole } from './console-support.js';

const BOB = { id: 'bob', token: agentToken('bob-console-token-1234') } as const;

/** A customer writes on WhatsApp; their conversation's id. */
async function conversationOf(runtime: LocalRuntime, i: number): Promise<string> {
  const from = `1555000${5000 + i}`;
  const at = new Date();
  await postMeta(
    runtime,
    '/webhooks/whatsapp',
    whatsappText({
      from,
      name: `Team ${i}`,
      messages: [{ id: `wamid.team.${i}`, at: at.toISOString(), text: 'Hi' }],
    }),
  );
  await runtime.idle();
  const list = await asAna<{ items: Array<{ id: string; customerName?: string; customerId: string }> }>(
    runtime,
    '/api/conversations?limit=50',
  );
  const found = list.items.find((c) => JSON.stringify(c).includes(`Team ${i}`));
  if (!found) throw new Error(`no conversation for Team ${i}`);
  return found.id;
}

describe('the console with more than one agent at work', () => {
  const { runtime, browser } = useConsole({
    env: { AGENT_TOKENS: `${ANA.id}:${ANA.token}:admin,${BOB.id}:${BOB.token}` },
  });

  /** A new window (its own storage) signed in with `token`, showing conversation `id`. */
  async function viewing(token: string, id: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await signIn(page, runtime, token);
    await page.goto(`${runtime.url}/console#/conversations/${id}`);
    await page.locator('#conversation-title').waitFor();
    return page;
  }
  const awareness = (page: Page) => page.locator('.awareness');

  it('keeps "Also viewing" through the other agent\'s reload, dropped socket, and second tab leaving', async () => {
    const id = await conversationOf(runtime, 1);
    const ana = await viewing(ANA.token, id);
    const bob = await viewing(BOB.token, id);
    await awareness(ana).getByText('Also viewing: bob').waitFor();
    await bob.reload();
    await bob.locator('#conversation-title').waitFor();
    await bob.getByRole('status').getByText('Live').waitFor();
    // The reload's `left` and `viewing` may land in either order at Ana's: wait for it to settle on bob.
    await expect.poll(() => awareness(ana).textContent(), { timeout: 30_000 }).toContain('Also viewing: bob');
    await bob.evaluate('window.threadlineLive.drop()');
    await bob.getByRole('status').getByText('Live').waitFor({ timeout: 30_000 });
    await expect.poll(() => awareness(ana).textContent(), { timeout: 30_000 }).toContain('Also viewing: bob');
    const bobAgain = await bob.context().newPage();
    await signIn(bobAgain, runtime, BOB.token);
    await bobAgain.goto(`${runtime.url}/console#/conversations/${id}`);
    await bobAgain.locator('#conversation-title').waitFor();
    await bobAgain.getByRole('status').getByText('Live').waitFor();
    await bobAgain.close();
    await expect.poll(() => awareness(ana).textContent(), { timeout: 30_000 }).toContain('Also viewing: bob');
    expect(await awareness(ana).textContent()).not.toContain('bob, bob');
    await bob.context().close();
    await expect.poll(() => awareness(ana).textContent(), { timeout: 30_000 }).not.toContain('bob');
    await ana.context().close();
  }, 120_000);
  it('marks typing a note as a note on the live socket (the server never passes it to web-chat visitors)', async () => {
    const id = await conversationOf(runtime, 2);
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    const typing: Array<Record<string, unknown>> = [];
    page.on('websocket', (ws) =>
      ws.on('framesent', (f) => {
        const frame = JSON.parse(String(f.payload));
        if (frame.type === 'typing') typing.push(frame);
      }),
    );
    await signIn(page, runtime);
    await page.goto(`${runtime.url}/console#/conversations/${id}`);
    await page.locator('#conversation-title').waitFor();
    await page.getByRole('status').getByText('Live').waitFor();
    await page.getByRole('button', { name: 'Note', exact: true }).click();
    await page.getByLabel('Note (only agents see it)').fill('Customer is grumpy');
    await expect.poll(() => typing.length, { timeout: 30_000 }).toBe(1);
    expect(typing[0]).toEqual({ type: 'typing', conversationId: id, note: true });
    await page.context().close();
  }, 120_000);
  it('asks before a reopen that lands just after another agent resolved the conversation', async () => {
    const id = await conversationOf(runtime, 3);
    const ana = await viewing(ANA.token, id);
    await ana.getByRole('status').getByText('Live').waitFor();
    const res = await fetch(`${runtime.url}/api/conversations/${id}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOB.token}` },
    });
    expect(res.status).toBe(200);
    const head = ana.locator('header.conversation-head');
    await head.getByRole('button', { name: 'Reopen' }).waitFor();
    // Ana meant to resolve what she saw open: her `e` lands just after Bob's resolve reached her view.
    await ana.locator('#conversation-title').focus();
    await ana.keyboard.press('e');
    expect(await answerConfirm(ana, false)).toContain('resolved');
    const after = await asAna<{ status: string }>(runtime, `/api/conversations/${id}`);
    expect(after.status).toBe('resolved');
    expect(await head.getByRole('button', { name: 'Reopen' }).count()).toBe(1);
    await ana.context().close();
  }, 120_000);
  it('says whether another agent is writing a note or a reply, and stops saying it when they stop', async () => {
    const id = await conversationOf(runtime, 5);
    const ana = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await ana.clock.install();
    await signIn(ana, runtime);
    await ana.goto(`${runtime.url}/console#/conversations/${id}`);
    await ana.locator('#conversation-title').waitFor();
    const bob = await viewing(BOB.token, id);
    await awareness(ana).getByText('Also viewing: bob').waitFor();
    await bob.getByRole('button', { name: 'Note', exact: true }).click();
    await bob.getByLabel('Note (only agents see it)').fill('Refund approved by finance');
    await awareness(ana).getByText('bob is writing a note…').waitFor();
    expect(await awareness(ana).textContent()).not.toContain('reply');
    // Bob switches to a reply and types at once: his first key comes before his page has painted the
    // switch (a quick typist, a busy machine), and still tells Ana it is a reply now.
    await bob.evaluate(`(async () => {
      [...document.querySelectorAll('form.composer button')].find((b) => b.textContent === 'Reply').click();
      await Promise.resolve();
      await Promise.resolve();
      const area = document.querySelector('form.composer textarea');
      area.value = 'Your refund is on its way';
      area.dispatchEvent(new Event('input', { bubbles: true }));
    })()`);
    await bob.getByLabel('Reply', { exact: true }).waitFor();
    expect(await bob.getByLabel('Reply', { exact: true }).inputValue()).toBe('Your refund is on its way');
    await awareness(ana).getByText('bob is typing a reply…').waitFor();
    expect(await awareness(ana).textContent()).not.toContain('note');
    // Bob stops typing: a few seconds later the line says so without anything else happening on the page.
    await ana.clock.runFor(7_000);
    await expect.poll(() => awareness(ana).textContent(), { timeout: 30_000 }).not.toContain('bob is');
    expect(await awareness(ana).textContent()).toContain('Also viewing: bob');
    await ana.context().close();
    await bob.context().close();
  }, 120_000);
  it("asks before reopening a resolve the agent has not seen however long after, once, naming who resolved; never after the agent's own", async () => {
    const id = await conversationOf(runtime, 6);
    const ana = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await ana.clock.install();
    await signIn(ana, runtime);
    await ana.goto(`${runtime.url}/console#/conversations/${id}`);
    await ana.locator('#conversation-title').waitFor();
    await ana.getByRole('status').getByText('Live').waitFor();
    const res = await fetch(`${runtime.url}/api/conversations/${id}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOB.token}` },
    });
    expect(res.status).toBe(200);
    const head = ana.locator('header.conversation-head');
    await head.getByRole('button', { name: 'Reopen' }).waitFor();
    await ana.getByRole('log', { name: 'Messages' }).getByText('Resolved by bob').waitFor();
    // Ana was away for a minute: the resolve is still one she has not acted on.
    await ana.clock.runFor(60_000);
    await head.getByRole('button', { name: 'Reopen' }).click();
    expect(await answerConfirm(ana, false)).toBe(
      'bob resolved this conversation after you last saw it open. Reopen it?',
    );
    expect((await asAna<{ status: string }>(runtime, `/api/conversations/${id}`)).status).toBe('resolved');
    // Asked once: she has seen it now, and a second Reopen is meant.
    await head.getByRole('button', { name: 'Reopen' }).click();
    await head.getByRole('button', { name: 'Resolve' }).waitFor();
    expect(await ana.getByRole('alertdialog').count()).toBe(0);
    // Her own resolve, and her reopen straight after it: nothing to ask.
    await head.getByRole('button', { name: 'Resolve' }).click();
    await head.getByRole('button', { name: 'Reopen' }).waitFor();
    await head.getByRole('button', { name: 'Reopen' }).click();
    await head.getByRole('button', { name: 'Resolve' }).waitFor();
    expect(await ana.getByRole('alertdialog').count()).toBe(0);
    await ana.context().close();
  }, 120_000);
  it('asks before reopening a conversation resolved while the tab was away, once its copy is found stale', async () => {
    const id = await conversationOf(runtime, 7);
    const ana = await viewing(ANA.token, id);
    await ana.getByRole('status').getByText('Live').waitFor();
    // Her socket goes (a laptop lid closed): Bob's resolve reaches her only through the reload's reads.
    await ana.evaluate('window.threadlineLive.close()');
    const res = await fetch(`${runtime.url}/api/conversations/${id}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOB.token}` },
    });
    expect(res.status).toBe(200);
    await ana.reload();
    const head = ana.locator('header.conversation-head');
    await head.getByRole('button', { name: 'Reopen' }).waitFor();
    await ana.getByRole('log', { name: 'Messages' }).getByText('Resolved by bob').waitFor();
    await ana.locator('#conversation-title').focus();
    await ana.keyboard.press('e');
    expect(await answerConfirm(ana, false)).toContain('bob resolved this conversation');
    expect((await asAna<{ status: string }>(runtime, `/api/conversations/${id}`)).status).toBe('resolved');
    await ana.context().close();
  }, 120_000);
  it('asks the live socket for its hello (API Gateway sends none unasked) and pings it while nothing happens', async () => {
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await page.clock.install();
    const sent: Array<{ type: string }> = [];
    const events: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/events')) events.push(r.url());
    });
    // As on AWS: the socket's first hello, sent unasked by the local server, never reaches the page.
    await page.routeWebSocket(/\/api\/live/, (ws) => {
      const server = ws.connectToServer();
      let unasked = true;
      server.onMessage((message) => {
        if (unasked && JSON.parse(String(message)).type === 'hello') {
          unasked = false;
          return;
        }
        ws.send(message);
      });
      ws.onMessage((message) => {
        sent.push(JSON.parse(String(message)));
        server.send(message);
      });
    });
    await signIn(page, runtime);
    await page.getByRole('status').getByText('Live').waitFor({ timeout: 30_000 });
    expect(sent.filter((f) => f.type === 'hello')).toHaveLength(1);
    expect(events).toEqual([]);
    await page.clock.runFor(5 * 60_000 + 1_000);
    await expect
      .poll(() => sent.filter((f) => f.type === 'ping').length, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(1);
    expect(events).toEqual([]);
    await page.context().close();
    // Locally the server sends one unasked as well: the second hello of a socket starts nothing again.
    const plain = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    let hellos = 0;
    plain.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        if (JSON.parse(String(f.payload)).type === 'hello') hellos++;
      }),
    );
    plain.on('request', (r) => {
      if (r.url().includes('/api/events')) events.push(r.url());
    });
    await signIn(plain, runtime);
    await plain.getByRole('status').getByText('Live').waitFor();
    await expect.poll(() => hellos, { timeout: 30_000 }).toBe(2);
    // A request after the second hello: a catch-up it had started would have been asked before it.
    await plain.evaluate("fetch('/console/config.json').then((r) => r.text())");
    expect(events).toEqual([]);
    await plain.context().close();
  }, 120_000);
  it('hands the next agent on a shared tab nothing of the last one: no open conversation, no draft', async () => {
    const id = await conversationOf(runtime, 4);
    const page = await viewing(ANA.token, id);
    await page.getByLabel('Reply', { exact: true }).fill('Half-written for the customer');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Agent token').fill(BOB.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Inbox' }).waitFor();
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.locator('#conversation-title').count()).toBe(0);
    await page.goto(`${runtime.url}/console#/conversations/${id}`);
    await page.locator('#conversation-title').waitFor();
    expect(await page.getByLabel('Reply', { exact: true }).inputValue()).toBe('');
    await page.context().close();
  }, 120_000);
});
