import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { stillTimers } from '../support/manual-timers.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import {
  deliver,
  sesReceived,
  signedMeta,
  signedSes,
  signedTwilio,
  snsNotification,
  twilioSms,
  whatsappText,
} from '../support/webhooks.js';

const ADMIN = agentToken('erasure-retries-admin');
const PHONE = '+14155550177';
const CALL = 'CAretry0000000000000000000000000001';
/** What the erased person said or is: none of it may come back with a provider's retry. */
const PERSONAL = ['4155550177', 'retry-secret', 'Rita Retried', 'rita@example.com'];

/**
 * Providers deliver again what they sent before an erasure (WhatsApp for up to 7 days, Graph 36 hours,
 * Twilio and SNS retries, late recording callbacks): the erasure leaves a content-free marker on each
 * provider id, so a retry is dropped as already seen instead of starting a new customer.
 */
describe('local runtime: a provider retry after an erasure brings nothing back', () => {
  let runtime: LocalRuntime;
  let calls: RecordedCall[];
  const call = async (method: string, path: string) =>
    fetch(`${runtime.url}${path}`, { method, headers: { Authorization: `Bearer ${ADMIN}` } });
  const find = async (q: string) =>
    ((await (await call('GET', `/api/customers?q=${encodeURIComponent(q)}`)).json()) as { items: Customer[] })
      .items;
  const table = async () => {
    const client = inspectionClient(runtime.dynamoEndpoint);
    const items = await scanTable(client, 'threadline');
    client.destroy();
    return JSON.stringify(items, (_key, value: unknown) => (value instanceof Set ? [...value] : value));
  };

  const whatsapp = (id: string, text: string, at: string) =>
    deliver(
      signedMeta(
        runtime.url,
        '/webhooks/whatsapp',
        whatsappText({ from: PHONE.slice(1), name: 'Rita Retried', messages: [{ id, at, text }] }),
        SECRETS.meta,
      ),
    );
  const sms = (sid: string, text: string) =>
    deliver(
      signedTwilio(
        `${runtime.url}/webhooks/twilio/sms`,
        twilioSms({ sid, from: PHONE, text }),
        SECRETS.twilio,
      ),
    );
  const email = (sesId: string, at: string) =>
    deliver(
      signedSes(
        runtime.url,
        snsNotification(
          sesReceived({
            sesId,
            at,
            from: 'Rita Retried <rita@example.com>',
            messageId: `<${sesId}@example.com>`,
            text: 'My retry-secret by email',
          }),
          { snsId: `sns-${sesId}`, at },
        ),
      ),
    );
  let recordingUrl = '';
  const recording = () =>
    deliver(
      signedTwilio(
        recordingUrl,
        {
          AccountSid: 'AC00000000000000000000000000000000',
          CallSid: CALL,
          RecordingSid: 'REretry0000000000000000000000000001',
          RecordingUrl:
            'https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/REretry0000000000000000000000000001',
          RecordingStatus: 'completed',
          RecordingDuration: '9',
        },
        SECRETS.twilio,
      ),
    );

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `admin-eve:${ADMIN}:admin` },
      queue: { visibilityTimeoutMs: 500 },
      timers: stillTimers(),
      dynamoClient: (client) => {
        calls = recordCalls(client);
        return client;
      },
    });
  }, 30_000);
  afterAll(async () => {
    await runtime?.close();
  });

  it('drops a retried WhatsApp message, SMS, email and voicemail recording of an erased customer', async () => {
    const at = new Date(Date.now() - 60_000).toISOString();
    expect((await whatsapp('wamid.RETRY1', 'Where is my retry-secret?', at)).status).toBe(200);
    expect((await sms('SMretry000000000000000000000000001', 'retry-secret by SMS')).status).toBeLessThan(300);
    const twiml = await deliver(
      signedTwilio(
        `${runtime.url}/webhooks/twilio/voice`,
        {
          CallSid: CALL,
          AccountSid: 'AC00000000000000000000000000000000',
          From: PHONE,
          To: '+15005550006',
          CallStatus: 'ringing',
          Direction: 'inbound',
        },
        SECRETS.twilio,
      ),
    );
    recordingUrl = /recordingStatusCallback="([^"]+)"/.exec(twiml.body)?.[1]?.replaceAll('&amp;', '&') ?? '';
    expect(recordingUrl).not.toBe('');
    expect((await recording()).status).toBeLessThan(300);
    expect((await email('ses-retry-1', at)).status).toBe(200);
    await runtime.idle();
    const customers = [...(await find(PHONE)), ...(await find('rita@example.com'))];
    expect(customers.length).toBeGreaterThan(0);
    for (const customer of new Set(customers.map((c) => c.id))) {
      const erased = await call('DELETE', `/api/customers/${customer}`);
      expect([200, 410]).toContain(erased.status);
    }
    const erasedTable = await table();
    expect(PERSONAL.filter((text) => erasedTable.includes(text))).toEqual([]);

    // The providers deliver it all again, days later.
    calls.length = 0;
    await whatsapp('wamid.RETRY1', 'Where is my retry-secret?', at);
    await sms('SMretry000000000000000000000000001', 'retry-secret by SMS');
    await recording();
    await email('ses-retry-1', at);
    await runtime.idle();

    expect(await find(PHONE)).toEqual([]);
    expect(await find('rita@example.com')).toEqual([]);
    const after = await table();
    expect(PERSONAL.filter((text) => after.includes(text))).toEqual([]);
    // No customer is created: no identity claimed, no profile written.
    const writes = calls.filter(
      (c) => !c.command.match(/^(Get|Query|BatchGet)/) && !c.pk.startsWith('LIVE#'),
    );
    expect(writes.filter((w) => w.pk.startsWith('IDENTITY#') || w.pk.startsWith('CUSTOMER#'))).toEqual([]);
  });

  it('keeps a new message of the same person, and drops a retry of an erased one under their new customer', async () => {
    expect((await sms('SMretry000000000000000000000000009', 'I am back')).status).toBeLessThan(300);
    await runtime.idle();
    const [back] = await find(PHONE);
    expect(back).toBeDefined();
    calls.length = 0;
    await sms('SMretry000000000000000000000000001', 'retry-secret by SMS');
    await runtime.idle();
    expect(await table()).not.toContain('retry-secret');
    // The marker is kept under a hash of the reference, not on it: a Twilio retry is timed by its
    // receipt, and comes within the hour Twilio retries in of the new customer's identity, so it reads
    // the marker (one BatchGetItem: the hashed marker and the reference, where earlier erasures left
    // theirs) and is dropped before anything is written: no reference, no timeline item.
    expect(calls.filter((c) => c.command === 'BatchGetItem')).toHaveLength(1);
    const written = calls.filter(
      (c) => !c.command.match(/^(Get|Query|BatchGet)/) && !c.pk.startsWith('LIVE#'),
    );
    expect(written).toEqual([]);
    // No key or attribute holds the message's provider id.
    expect(await table()).not.toContain('SMretry000000000000000000000000001');
  });
});
