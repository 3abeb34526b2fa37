import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { EventTypeSchema } from '#shared/domain/events/integration-events.js';
import { agentToken } from '../support/agent-token.js';
import { useConsole } from './console-support.js';

/**
 * `GET /api/docs` as a browser renders it: the calls and the events integrators receive, from the
 * document alone, with no request to anywhere else.
 */
describe('the API docs page', () => {
  // No change feed and one agent, no admin, as this file has always run: the page needs no sign-in.
  const { runtime, browser } = useConsole({
    events: false,
    env: { AGENT_TOKENS: `ana:${agentToken('api-docs-ana')}` },
  });
  let page: Page;
  const requested: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    page = await browser.newPage();
    page.on('request', (request) => requested.push(request.url()));
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`${runtime.url}/api/docs`);
    await page.getByRole('heading', { name: 'message.received' }).waitFor({ timeout: 30_000 });
  }, 120_000);

  it('shows every event type under Events, with its signed headers and its body field by field', async () => {
    const events = page.locator('#hooks');
    for (const type of EventTypeSchema.options) {
      await expect(events.getByRole('heading', { name: type, exact: true }).count()).resolves.toBe(1);
    }
    const received = page.locator('[id="event-message.received"]');
    const text = await received.innerText();
    expect(text).toContain('webhook-signature');
    expect(text).toMatch(/data\.channel\s+string\s+.*one of: sms, whatsapp/);
    expect(text).toContain('more may be added');
    expect(text).toMatch(/data\.customerId\s+string\s+yes/);
    expect(text).toMatch(/data\.at\s+string \(date-time\)\s+yes/);
    expect(text).toMatch(/type\s+"message\.received"\s+yes/);
    const status = await page.locator('[id="event-message.status"]').innerText();
    expect(status).toMatch(/data\.status\s+string\s+yes/);
    const assigned = await page.locator('[id="event-conversation.assigned"]').innerText();
    expect(assigned).toMatch(/data\.assignee\.agentId\s+string \| null\s+yes/);
  });

  it('shows the examples the document has, beside their calls and events', async () => {
    const ops = await page.locator('#ops').innerText();
    expect(ops).toContain('Example body:');
    expect(ops).toContain('"text": "Yes, it comes in blue."');
    expect(ops).toContain('Example answer (202):');
    const received = await page.locator('[id="event-message.received"]').innerText();
    expect(received).toContain('Example body:');
    expect(received).toContain('"type": "message.received"');
  });

  it('still shows the calls, and fetches nothing but the document from its own origin', async () => {
    await expect(
      page.locator('#ops').getByRole('heading', { name: '/api/conversations', exact: true }).count(),
    ).resolves.toBe(1);
    await expect(page.getByRole('link', { name: 'Events (webhooks)' }).count()).resolves.toBe(1);
    expect(requested).toEqual([`${runtime.url}/api/docs`, `${runtime.url}/api/openapi.json`]);
    expect(errors).toEqual([]);
  });
});
