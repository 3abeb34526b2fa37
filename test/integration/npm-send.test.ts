import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { startNpmRuntime } from '#shared/local/npm-start.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { sendCommand } from '#shared/local/send-command.js';
import { agentToken } from '../support/agent-token.js';

const TOKEN = agentToken('npm-send-admin-token');

/**
 * `npm start` as `shared/local/main.ts` starts it, with no provider setting but the development
 * secrets, and `npm run send` as the README's "Try it locally" runs it: a WhatsApp message, an SMS
 * and an email each land on their customer's timeline. Before, only WhatsApp had a recipe; a signed
 * email needed SNS_TRUSTED_CERT_FILE set at start, or it was answered 503.
 */
describe('npm start: npm run send', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-npm-send-'));
  const env = { DATA_DIR: dataDir, PORT: '0', AGENT_TOKENS: `dev-lead:${TOKEN}:admin` };
  let runtime: LocalRuntime;
  beforeAll(async () => {
    ({ runtime } = await startNpmRuntime(env));
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const npmRunSend = async (...argv: string[]) => {
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
    const code = await sendCommand(argv, { ...env, PORT: String(runtime.port) }, io);
    return { code, text: lines.join('\n') };
  };
  const get = async <T>(path: string) => {
    const res = await fetch(`${runtime.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return (await res.json()) as T;
  };
  const timelineOf = async (q: string) => {
    const found = await get<{ items: Customer[] }>(`/api/customers?q=${encodeURIComponent(q)}`);
    const customer = found.items[0] as Customer;
    return (await get<{ items: TimelineItem[] }>(`/api/customers/${customer.id}/timeline`)).items;
  };
  const texts = (items: TimelineItem[]) => items.map((i) => ('text' in i ? i.text : undefined));

  it.each([
    ['sms', '+14155550100', 'Do you have rye bread today?'],
    ['whatsapp', '+16505551234', 'Is the cake shop open on Sunday?'],
    ['email', 'Tom Baker <tom.baker@example.org>', 'Could you quote a wedding cake for 80 guests?'],
  ])('posts a signed %s message that lands on its customer', async (channel, from, body) => {
    const sent = await npmRunSend(channel, '--from', from, '--body', body);
    expect(sent.text).toMatch(/answered 2\d\d/);
    expect(sent.code).toBe(0);
    await runtime.idle();
    const q = channel === 'email' ? 'tom.baker@example.org' : from;
    expect(texts(await timelineOf(q))).toContain(body);
  });

  it('refuses other arguments with its usage, exit 2', async () => {
    const sent = await npmRunSend('fax', '--from', '+14155550100', '--body', 'hi');
    expect(sent.code).toBe(2);
    expect(sent.text).toContain('usage: npm run send -- <whatsapp|sms|email>');
  });
});
