import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startTestRuntime } from '../support/runtime.js';
import { receiveSes } from '../support/ses-mail.js';
import { sesReceived } from '../support/webhooks.js';

const TOKEN = agentToken('email-idn-agent-token');

/**
 * One person, two ways of writing one address: an internationalised domain as typed
 * (`ute@münchen.de`) and in Punycode (`ute@xn--mnchen-3ya.de`, as some clients and gateways send it),
 * or a domain in capitals. Each is one customer, keyed under the Punycode, lower-case form; a customer
 * an earlier version keyed under the domain as typed is still found (one read more, on their next
 * mail only) and keyed under the new form once. Before, the two spellings were two customers.
 */
describe('email addresses with an internationalised domain', () => {
  let runtime: LocalRuntime;
  const manual = new ManualTimers(Date.parse('2026-12-05T12:00:00.000Z'));
  let calls: RecordedCall[] = [];
  let n = 0;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `agent-idn:${TOKEN}` },
      manualTime: manual,
      dynamoClient: (client) => {
        calls = recordCalls(client);
        return client;
      },
    });
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const api = agentCaller(() => runtime.url, TOKEN);
  const reads = customerReads(api);
  const email = async (from: string) => {
    manual.advance(1000);
    const at = new Date(manual.now()).toISOString();
    const sesId = `idn-${++n}`;
    await receiveSes(
      runtime,
      sesReceived({ sesId, at, from, messageId: `<${sesId}@mail.example>`, text: 'Hallo' }),
      {
        snsId: `sns-${sesId}`,
        at,
      },
    );
  };
  const identityReads = () =>
    calls.filter((c) => c.command === 'GetItem' && c.pk.startsWith('IDENTITY#')).length;
  const customersNamed = async (q: string) =>
    (await api<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(q)}`)).items;

  it('makes one customer of a domain as typed and in Punycode', async () => {
    await email('Ute <ute@münchen.de>');
    await email('Ute <ute@XN--MNCHEN-3YA.DE>');
    const [ute, ...others] = await customersNamed('ute@münchen.de');
    expect(others).toEqual([]);
    // Keyed in Punycode, shown as written.
    expect(ute?.identities).toEqual([
      { kind: 'email', value: 'ute@xn--mnchen-3ya.de', display: 'ute@münchen.de' },
    ]);
    expect((await reads.find('ute@xn--mnchen-3ya.de')).id).toBe(ute?.id);
    expect(await reads.timeline(String(ute?.id))).toHaveLength(2);
  });

  it('makes one customer of an address in capitals and in lower case', async () => {
    await email('Bo <Bo@Example.COM>');
    await email('bo@example.com');
    const [bo, ...others] = await customersNamed('BO@EXAMPLE.com');
    expect(others).toEqual([]);
    expect(bo?.identities).toEqual([{ kind: 'email', value: 'bo@example.com' }]);
    expect(await reads.timeline(String(bo?.id))).toHaveLength(2);
  });

  it('finds a customer an earlier version keyed under the domain as typed, and keys them once', async () => {
    const at = new Date(manual.now()).toISOString();
    await runtime.store.customers.claimIdentity({ kind: 'email', value: 'eva@köln.de' }, 'cu_old_idn', at);
    calls.length = 0;
    await email('Eva <eva@köln.de>');
    // The new key missed, the earlier one held the customer (2 reads), and the new key is claimed.
    expect(identityReads()).toBe(2);
    const key = { kind: 'email' as const, value: 'eva@xn--kln-sna.de' };
    expect(await runtime.store.customers.findCustomerId(key, { consistent: true })).toBe('cu_old_idn');
    calls.length = 0;
    await email('eva@xn--kln-sna.de');
    expect(identityReads()).toBe(1);
    expect(await runtime.store.customers.findCustomerId(key, { consistent: true })).toBe('cu_old_idn');
  });
});
