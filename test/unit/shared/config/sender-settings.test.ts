import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config.js';
import { checkSecretFile } from '#shared/config/secrets.js';

/**
 * Our senders' settings name one sender each: a list, a Messaging Service SID, a number without its
 * country code was taken before, and every message then failed or was dropped as another account's.
 */
describe('sender settings', () => {
  it.each(['111111,222222', ' 111111 ', 'my-number', '111 222'])(
    'refuses WHATSAPP_PHONE_NUMBER_ID=%j: one numeric phone number id',
    (value) => {
      expect(() => loadConfig({ WHATSAPP_PHONE_NUMBER_ID: value })).toThrow(
        /WHATSAPP_PHONE_NUMBER_ID: one numeric phone number id/,
      );
      const { errors } = checkSecretFile(JSON.stringify({ WHATSAPP_PHONE_NUMBER_ID: value }), 'provider');
      expect(errors.join('\n')).toMatch(/WHATSAPP_PHONE_NUMBER_ID/);
    },
  );

  it('takes one numeric WHATSAPP_PHONE_NUMBER_ID', () => {
    expect(loadConfig({ WHATSAPP_PHONE_NUMBER_ID: '106540352242922' }).WHATSAPP_PHONE_NUMBER_ID).toBe(
      '106540352242922',
    );
  });

  it.each([
    ['555-1234', /E\.164/],
    ['(501) 712-0001, +15017120002', /one number/],
    ['+15017120001,+15017120002', /one number/],
    ['MG1234567890abcdef1234567890abcdef', /Messaging Service SID/],
    ['15017120001', /E\.164/],
    ['+1234567', /E\.164/],
    ['+1234567890123456', /E\.164/],
    ['72345', /short code/],
  ])('refuses TWILIO_FROM_NUMBER=%j', (value, why) => {
    expect(() => loadConfig({ TWILIO_FROM_NUMBER: value })).toThrow(/TWILIO_FROM_NUMBER: /);
    expect(() => loadConfig({ TWILIO_FROM_NUMBER: value })).toThrow(why);
    const { errors } = checkSecretFile(JSON.stringify({ TWILIO_FROM_NUMBER: value }), 'provider');
    expect(errors.join('\n')).toMatch(/TWILIO_FROM_NUMBER/);
  });

  it.each([
    'MG1234567890abcdef',
    'whatsapp:15017120001',
    '+15017120001,+15017120002',
    'whatsapp: +15017120001',
  ])('refuses TWILIO_WHATSAPP_FROM=%j', (value) => {
    expect(() => loadConfig({ TWILIO_WHATSAPP_FROM: value })).toThrow(/TWILIO_WHATSAPP_FROM: /);
  });

  it('takes one E.164 number, TWILIO_WHATSAPP_FROM with or without its whatsapp: prefix', () => {
    const config = loadConfig({
      TWILIO_FROM_NUMBER: '+15017120001',
      TWILIO_WHATSAPP_FROM: 'whatsapp:+15017120009',
    });
    expect(config.TWILIO_FROM_NUMBER).toBe('+15017120001');
    expect(config.TWILIO_WHATSAPP_FROM).toBe('whatsapp:+15017120009');
    expect(loadConfig({ TWILIO_WHATSAPP_FROM: '+15017120009' }).TWILIO_WHATSAPP_FROM).toBe('+15017120009');
  });

  it('refuses an origin listed twice in WEBCHAT_ALLOWED_ORIGINS, naming it', () => {
    expect(() =>
      loadConfig({
        WEBCHAT_ALLOWED_ORIGINS: 'https://shop.example, http://localhost:5173, https://shop.example/',
      }),
    ).toThrow(/WEBCHAT_ALLOWED_ORIGINS: "https:\/\/shop.example" is listed twice/);
  });
});
