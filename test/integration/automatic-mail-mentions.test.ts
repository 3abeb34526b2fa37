import { describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { receiveSes } from '../support/ses-mail.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { sesReceived } from '../support/webhooks.js';

const TOKEN = agentToken('automatic-mail-mentions-token');

/**
 * Automatic mail speaks for no one: a bounce names the address it could not deliver to, an
 * out-of-office names a colleague, a newsletter names anyone. None raises a `mentioned` suggestion.
 * QA: every DSN from mailer-daemon@googlemail.com, on one pseudo-customer "Mail Delivery Subsystem",
 * suggested a merge with each customer whose address it quoted. A person's own mail still does.
 */
describe('automatic mail raises no mention', () => {
  const runtime = useTestRuntime({ env: { AGENT_TOKENS: `agent-amm:${TOKEN}:admin` } });
  const api = agentCaller(() => runtime.url, TOKEN);
  let deliveries = 0;

  const email = async (from: string, sesId: string, text: string, headers: string[] = []) => {
    const at = new Date(Date.now() - 1000).toISOString();
    const notification = sesReceived({ sesId, at, from, messageId: `<${sesId}@ex.test>`, text, headers });
    await receiveSes(runtime, notification, {
      snsId: `sns-${sesId}-${++deliveries}`,
      at: new Date().toISOString(),
    });
  };
  const customer = async (address: string) => {
    const { items } = await api<{ items: Customer[] }>(
      'GET',
      `/api/customers?q=${encodeURIComponent(address)}`,
    );
    expect(items[0], address).toBeDefined();
    return items[0] as Customer;
  };
  const suggestions = async (id: string) =>
    (await api<{ items: { otherId: string }[] }>('GET', `/api/customers/${id}/suggestions`)).items;

  it('a bounce, an out-of-office and list mail naming a customer suggest nothing; a person naming her does', async () => {
    await email('Ivy <ivy@ex.test>', 'amm-ivy', 'My order 12 came in the wrong size.');
    const ivy = await customer('ivy@ex.test');
    await email(
      'Mail Delivery Subsystem <mailer-daemon@googlemail.com>',
      'amm-dsn',
      "Address not found\n\nYour message wasn't delivered to ivy@ex.test because the address couldn't be found.",
      ['Auto-Submitted: auto-replied'],
    );
    await email('Otto <otto@ex.test>', 'amm-ooo', 'I am away. For urgent matters write to ivy@ex.test.', [
      'Auto-Submitted: auto-replied',
    ]);
    await email('Makers <news@makers.example>', 'amm-list', 'This week: ivy@ex.test shows her quilts.', [
      'List-Id: <makers.lists.example>',
    ]);
    expect(await suggestions(ivy.id)).toEqual([]);
    // A person's own mail naming her is evidence, as before.
    await email('Pia <pia@ex.test>', 'amm-pia', 'My sister ivy@ex.test ordered for me.');
    const pia = await customer('pia@ex.test');
    expect((await suggestions(ivy.id)).map((s) => s.otherId)).toEqual([pia.id]);
  });
});
