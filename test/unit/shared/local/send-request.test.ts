import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyMetaSignature } from '#shared/channels/meta/signature.js';
import { type SnsMessage, verifySnsMessage } from '#shared/channels/ses/sns.js';
import { twilioSignedUrl, verifyTwilioSignature } from '#shared/channels/twilio/signature.js';
import { loadConfig } from '#shared/config/config.js';
import { localSnsKey } from '#shared/local/local-sns-key.js';
import { sendRequest } from '#shared/local/send-command.js';

const NOW = new Date('2026-12-07T10:00:00.000Z');
const URL_ = 'http://127.0.0.1:3000';

/**
 * `npm run send` with its provider settings set (test/integration/npm-send.test.ts runs it with none):
 * each request carries the settings and is signed as the runtime checks it, with the builders the tests
 * use (shared/local/provider-payloads.ts).
 */
describe('npm run send: the request for a configured runtime', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-send-request-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    META_APP_SECRET: 'send-request-meta-secret',
    WHATSAPP_PHONE_NUMBER_ID: '123456789012345',
    TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: 'send-request-twilio-token',
    TWILIO_FROM_NUMBER: '+15017120001',
    PUBLIC_BASE_URL: 'https://support.example',
    SES_FROM_ADDRESS: 'help@shop.example',
    SNS_TOPIC_ARNS: 'arn:aws:sns:eu-west-2:111122223333:inbound',
  });
  const send = (channel: 'whatsapp' | 'sms' | 'email', from: string) =>
    sendRequest({ channel, from, body: 'Is the shop open?', subject: undefined }, config, NOW, URL_);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('a WhatsApp message to WHATSAPP_PHONE_NUMBER_ID, signed with META_APP_SECRET', () => {
    const request = send('whatsapp', '+16505551234');
    expect(request.url).toBe(`${URL_}/webhooks/whatsapp`);
    const header = request.init.headers['x-hub-signature-256'];
    expect(verifyMetaSignature(request.init.body, header, 'send-request-meta-secret')).toBe(true);
    const value = JSON.parse(request.init.body).entry[0].changes[0].value;
    expect(value.metadata.phone_number_id).toBe('123456789012345');
    expect(value.messages[0]).toMatchObject({ from: '16505551234', timestamp: '1796637600' });
  });

  it('an SMS to TWILIO_FROM_NUMBER, signed over the PUBLIC_BASE_URL Twilio would have called', () => {
    const request = send('sms', '+14155550100');
    const params = Object.fromEntries(new URLSearchParams(request.init.body));
    expect(params).toMatchObject({ To: '+15017120001', AccountSid: `AC${'1'.repeat(32)}` });
    const signed = {
      authToken: 'send-request-twilio-token',
      header: request.init.headers['x-twilio-signature'],
      params,
    };
    expect(verifyTwilioSignature({ ...signed, url: request.url })).toBe(false);
    const url = twilioSignedUrl(request.url, config.PUBLIC_BASE_URL);
    expect(verifyTwilioSignature({ ...signed, url })).toBe(true);
  });

  it("an email to SES_FROM_ADDRESS on the first SNS topic, signed with DATA_DIR's key", async () => {
    const request = send('email', 'Tom <Tom@Example.org>');
    const message = JSON.parse(request.init.body) as SnsMessage;
    expect(message.TopicArn).toBe('arn:aws:sns:eu-west-2:111122223333:inbound');
    const trustedCertPem = readFileSync(localSnsKey(dataDir).publicKeyFile, 'utf8');
    const fetchCert = async () => Promise.reject(new Error('no fetch'));
    await expect(
      verifySnsMessage(message, { fetchCert, trustedCertPem, now: () => NOW }),
    ).resolves.toBeUndefined();
    const mail = JSON.parse(message.Message);
    expect(mail.receipt.recipients).toEqual(['help@shop.example']);
    expect(mail.mail.source).toBe('tom@example.org');
  });
});
