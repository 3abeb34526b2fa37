import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OwnAccounts } from '#shared/channels/meta/own-accounts.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { createMetaApp, createWhatsAppApp } from '#shared/local/webhook-apps.js';
import { logger } from '#shared/log.js';

const SECRET = 'test_app_secret';
const FIXTURES = new URL('../../../../fixtures/meta/', import.meta.url);
const OUR_NUMBER = '106540352242922';
const OUR_PAGE = '682498302938465';
const OUR_INSTAGRAM = '17841405793187218';

const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

function setup(app: typeof createMetaApp, path: string, ownAccounts?: OwnAccounts) {
  const queued: Envelope[] = [];
  const hono = app({
    queue: { enqueue: async (envelopes) => void queued.push(...envelopes) },
    clock: { now: () => new Date('2026-06-01T12:00:00.000Z') },
    appSecret: SECRET,
    verifyToken: 'verify-me',
    maxBodyBytes: 4 * 1024 * 1024,
    ownAccounts,
  });
  const post = (payload: unknown, signature?: string) => {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    return hono.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature ?? sign(body) },
      body,
    });
  };
  return { queued, post };
}

const whatsapp = (ownAccounts?: OwnAccounts) => setup(createWhatsAppApp, '/webhooks/whatsapp', ownAccounts);
const meta = (ownAccounts?: OwnAccounts) => setup(createMetaApp, '/webhooks/meta', ownAccounts);

/** A WhatsApp text message from 16505551234 to the number `phoneNumberId`. */
function waChange(phoneNumberId: string, id: string) {
  return {
    field: 'messages',
    value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
      contacts: [{ profile: { name: 'Jörg' }, wa_id: '16505551234' }],
      messages: [{ from: '16505551234', id, timestamp: '1749416383', type: 'text', text: { body: 'hi' } }],
    },
  };
}
const waBody = (...changes: ReturnType<typeof waChange>[]) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: '102290129340398', changes }],
});

// What Meta's dashboard sends with the "Test" button of the messages field (App > WhatsApp > Configuration).
const WHATSAPP_SAMPLE = {
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '0',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '16505551111', phone_number_id: '123456123' },
            contacts: [{ profile: { name: 'test user name' }, wa_id: '16315551181' }],
            messages: [
              {
                from: '16315551181',
                id: 'ABGGFlA5Fpa',
                timestamp: '1504902988',
                type: 'text',
                text: { body: 'this is a text message' },
              },
            ],
          },
        },
      ],
    },
  ],
};

/** A Messenger text from 1254459154682919 to the Page `page`. */
const messengerBody = (page: string, mid: string) => ({
  object: 'page',
  entry: [
    {
      id: page,
      time: 1458692752600,
      messaging: [
        {
          sender: { id: '1254459154682919' },
          recipient: { id: page },
          timestamp: 1458692752478,
          message: { mid, text: 'hello' },
        },
      ],
    },
  ],
});

const fixture = (name: string) => readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8');

function droppedLines(warn: { mock: { calls: unknown[][] } }) {
  return warn.mock.calls.filter(([message]) => message === 'webhook event for another account dropped');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('WhatsApp webhook: events for a number that is not ours', () => {
  it("drops Meta's dashboard sample with 200 and one log line, though no number is configured", async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const { post, queued } = whatsapp();
    const res = await post(WHATSAPP_SAMPLE);
    expect([res.status, await res.text()]).toEqual([200, 'OK']);
    expect(queued).toEqual([]);
    expect(droppedLines(warn)).toEqual([
      [
        'webhook event for another account dropped',
        { provider: 'whatsapp', bodySha256: expect.any(String), dropped: 1, accounts: ['123456123'] },
      ],
    ]);
    expect(JSON.stringify(warn.mock.calls)).not.toMatch(/test user name|16315551181|this is a text/);
  });

  it('drops a message to another phone number id and keeps ours, in one body', async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const { post, queued } = whatsapp({ whatsapp: OUR_NUMBER });
    const res = await post(
      waBody(waChange('109999999999999', 'wamid.OTHER'), waChange(OUR_NUMBER, 'wamid.OURS')),
    );
    expect(res.status).toBe(200);
    expect(queued.map((e) => e.id)).toEqual(['whatsapp:msg:wamid.OURS']);
    expect(droppedLines(warn)[0]?.[1]).toMatchObject({ dropped: 1, accounts: ['109999999999999'] });
  });

  it('accepts every number when WHATSAPP_PHONE_NUMBER_ID is unset, as before', async () => {
    const { post, queued } = whatsapp({ whatsapp: undefined });
    expect((await post(waBody(waChange('109999999999999', 'wamid.OTHER')))).status).toBe(200);
    expect(queued.map((e) => e.id)).toEqual(['whatsapp:msg:wamid.OTHER']);
  });

  it('checks the signature before anything: a forged sample is 401', async () => {
    const { post, queued } = whatsapp({ whatsapp: OUR_NUMBER });
    expect((await post(WHATSAPP_SAMPLE, sign('another body'))).status).toBe(401);
    expect(queued).toEqual([]);
  });
});

describe('Meta webhook: events for a Page or Instagram account that is not ours', () => {
  it("drops Instagram's dashboard test event (entry 0) with 200 and one log line, though no account is configured", async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const { post, queued } = meta();
    const res = await post(fixture('peer-instagram_test_event_changes'));
    expect([res.status, await res.text()]).toEqual([200, 'EVENT_RECEIVED']);
    expect(queued).toEqual([]);
    expect(droppedLines(warn)).toEqual([
      [
        'webhook event for another account dropped',
        { provider: 'meta', bodySha256: expect.any(String), dropped: 1, accounts: ['0'] },
      ],
    ]);
  });

  it('drops a Messenger event for another Page when META_PAGE_ID is set, and keeps ours', async () => {
    const { post, queued } = meta({ messenger: OUR_PAGE });
    expect((await post(messengerBody('109876543210987', 'm_OTHER'))).status).toBe(200);
    expect((await post(messengerBody(OUR_PAGE, 'm_OURS'))).status).toBe(200);
    expect(queued.map((e) => e.id)).toEqual(['messenger:msg:m_OURS']);
  });

  it('drops an Instagram event for another account when META_INSTAGRAM_ACCOUNT_ID is set', async () => {
    const other = meta({ instagram: '17841400000000000' });
    expect((await other.post(fixture('instagram_text'))).status).toBe(200);
    expect(other.queued).toEqual([]);
    const ours = meta({ instagram: OUR_INSTAGRAM });
    expect((await ours.post(fixture('instagram_text'))).status).toBe(200);
    expect(ours.queued.map((e) => e.channel)).toEqual(['instagram']);
  });

  it("judges each channel by its own setting: a Page id set leaves Instagram's accounts accepted", async () => {
    const { post, queued } = meta({ messenger: OUR_PAGE });
    expect((await post(fixture('instagram_text'))).status).toBe(200);
    expect(queued.map((e) => e.channel)).toEqual(['instagram']);
  });
});
