import { describe, expect, it } from 'vitest';
import type { Suggestion } from '#shared/domain/suggestions.js';
import type { Customer } from '#shared/domain/timeline.js';
import { agentCaller, customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { ManualTimers } from '../support/manual-timers.js';
import { SECRETS } from '../support/runtime.js';
import { useTestRuntime } from '../support/test-runtime.js';
import {
  deliver,
  sesReceived,
  signedMeta,
  signedSes,
  snsNotification,
  whatsappText,
} from '../support/webhooks.js';

const ADMIN = agentToken('national-numbers-admin');

/**
 * A Brazilian shop (DEFAULT_REGION=BR) over the local runtime: a mobile written as Brazilians write it,
 * area code and number with no punctuation (`21988197564`), is the Brazilian number. Before, those 11
 * digits were taken for an international number (+21…): the search found nobody, an e-mail signature
 * raised no suggestion, and an import keyed `+21975145138` (QA repro-4). WhatsApp ids, which always
 * carry their country code, are still read as international (a US customer's `14155550100`).
 */
describe('local runtime: bare national numbers in Brazil', () => {
  const time = new ManualTimers(Date.parse('2026-12-04T12:00:00.000Z'));
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `admin-bia:${ADMIN}:admin`, DEFAULT_REGION: 'BR' },
    manualTime: time,
  });
  const api = agentCaller(() => runtime.url, ADMIN);
  const { find } = customerReads(api);
  const phones = (customer: Customer | undefined) =>
    customer?.identities.filter((i) => i.kind === 'phone').map((i) => i.value);

  const whatsapp = async (waId: string, id: string, text: string) => {
    const at = new Date(time.now()).toISOString();
    const body = whatsappText({ from: waId, name: 'Cliente', messages: [{ id, at, text }] });
    expect((await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status).toBe(
      200,
    );
    await runtime.idle();
  };

  it('finds a WhatsApp customer by the number typed bare, and a signature with it suggests them', async () => {
    // WhatsApp's id of a mobile registered before the ninth digit: +55 21 98819-7564.
    await whatsapp('552188197564', 'wamid.BR1', 'Oi, comprei um tênis e veio errado');
    const onWhatsapp = await find('21988197564');
    expect(phones(onWhatsapp)).toEqual(['+5521988197564']);

    const at = new Date(time.now()).toISOString();
    const mail = sesReceived({
      sesId: 'national-ses-1',
      at,
      messageId: '<national-1@exemplo.com.br>',
      from: 'Cliente Rio <rio@exemplo.com.br>',
      text: 'Oi, quero trocar o tênis.\nAtt, Cliente Rio\nCel/WhatsApp: 21988197564',
    });
    const sns = snsNotification(mail, { snsId: 'sns-national-1', at });
    expect((await deliver(signedSes(runtime.url, sns))).status).toBe(200);
    await runtime.idle();
    const byMail = await find('rio@exemplo.com.br');
    const suggestions = await api<{ items: Suggestion[] }>(
      'GET',
      `/api/customers/${onWhatsapp.id}/suggestions`,
    );
    expect(suggestions.items.map((s) => [s.otherId, s.evidence.map((e) => e.identity.value)])).toEqual([
      [byMail.id, ['+5521988197564']],
    ]);
  });

  it('imports a phone written bare as the Brazilian number, and a WhatsApp id as international', async () => {
    const answer = await api<{ results: Array<{ outcome: string; customerId?: string }> }>(
      'POST',
      '/api/customers/import',
      {
        customers: [
          { externalId: 'loja-1', name: 'Cliente Rio (loja)', phones: ['21975145138'] },
          {
            externalId: 'loja-2',
            name: 'Cliente SP (loja)',
            phones: ['11987650001'],
            whatsapp: ['14155550123'],
          },
        ],
      },
    );
    expect(answer.results.map((r) => r.outcome)).toEqual(['created', 'created']);
    expect(phones(await find('21975145138'))).toEqual(['+5521975145138']);
    expect(phones(await find('(11) 98765-0001'))?.sort()).toEqual(['+14155550123', '+5511987650001']);
  });

  it("keys a US customer's WhatsApp id as the US number, not a Brazilian one", async () => {
    await whatsapp('14155550100', 'wamid.US1', 'Hi, where is my order?');
    expect(phones(await find('+14155550100'))).toEqual(['+14155550100']);
    expect(
      await runtime.store.customers.findCustomerId({ kind: 'phone', value: '+5514155550100' }),
    ).toBeUndefined();
  });
});
