import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config.js';
import { checkSecretFile } from '#shared/config/secrets.js';

/**
 * Provider credentials were checked only for being there: `npm run check-secret` said ok to a value of
 * the wrong form (an API key SID for the account SID, a pasted newline after a token), and every
 * request or send then failed at the provider. Each is refused by the start and by check-secret,
 * naming the setting, never echoing the value.
 */
function refused(key: string, value: string): string {
  const { errors } = checkSecretFile(JSON.stringify({ [key]: value }), 'provider');
  let started = '';
  try {
    loadConfig({ [key]: value });
  } catch (error) {
    started = (error as Error).message;
  }
  expect(started).toMatch(new RegExp(`${key}: `));
  expect(errors.join('\n')).toMatch(new RegExp(`${key}: `));
  const secret = value.trim();
  expect(started).not.toContain(secret);
  expect(errors.join('\n')).not.toContain(secret);
  return started;
}

describe('credential settings', () => {
  it.each([
    ['helpdesk', /an email address/],
    ['helpdesk@shop', /an email address/],
    ['support@shop.example, sales@shop.example', /one address only/],
    ['Support <support@shop.example>; sales@shop.example', /one address only/],
    [' support@shop.example', /start or end/],
  ])('refuses SES_FROM_ADDRESS=%j', (value, why) => {
    expect(refused('SES_FROM_ADDRESS', value)).toMatch(why);
  });

  it('takes an address, or a display name and an address, as SES_FROM_ADDRESS', () => {
    for (const value of [
      'support@shop.example',
      'Shop Support <support@shop.example>',
      '"Shop, Inc." <help@shop.example>',
    ])
      expect(loadConfig({ SES_FROM_ADDRESS: value }).SES_FROM_ADDRESS).toBe(value);
  });

  it.each([
    ['SK0123456789abcdef0123456789abcdef', /API key SID/],
    ['AC0123456789abcdef', /AC and 32 hexadecimal/],
    ['ac0123456789abcdef0123456789abcdeg', /AC and 32 hexadecimal/],
  ])('refuses TWILIO_ACCOUNT_SID=%j', (value, why) => {
    expect(refused('TWILIO_ACCOUNT_SID', value)).toMatch(why);
  });

  it('takes an account SID, AC and 32 hex digits', () => {
    const sid = 'AC0123456789abcdef0123456789ABCDEF';
    expect(loadConfig({ TWILIO_ACCOUNT_SID: sid }).TWILIO_ACCOUNT_SID).toBe(sid);
  });

  it.each([
    ['TWILIO_AUTH_TOKEN', '0123456789abcdef0123456789abcdef\n'],
    ['TWILIO_PREVIOUS_AUTH_TOKEN', ' 0123456789abcdef0123456789abcdef'],
    ['META_APP_SECRET', 'c7b593de1404d7c971a24ccd0d152c2b '],
    ['META_VERIFY_TOKEN', 'abcdefabcdef\t'],
    ['WHATSAPP_ACCESS_TOKEN', 'EAAB123\r\n'],
    ['META_PAGE_ACCESS_TOKEN', ' EAAB456'],
  ])('refuses %s with a space or line break around it, untrimmed', (key, value) => {
    expect(refused(key, value)).toMatch(/space or line break at its start or end/);
  });

  it.each(['TWILIO_AUTH_TOKEN', 'META_APP_SECRET', 'WHATSAPP_ACCESS_TOKEN'])(
    'refuses %s with a space or line break inside',
    (key) => {
      expect(refused(key, 'c7b593de1404d7c9 71a24ccd0d152c2b')).toMatch(/space or line break inside/);
    },
  );

  it.each(['WHATSAPP_ACCESS_TOKEN', 'META_PAGE_ACCESS_TOKEN'])('refuses %s written with "Bearer "', (key) => {
    expect(refused(key, 'Bearer EAAB123')).toMatch(/without "Bearer "/);
  });

  it('takes the tokens as they are', () => {
    const config = loadConfig({
      TWILIO_AUTH_TOKEN: '0123456789abcdef0123456789abcdef',
      META_APP_SECRET: 'c7b593de1404d7c971a24ccd0d152c2b',
      WHATSAPP_ACCESS_TOKEN: 'EAAB123xyz',
    });
    expect(config.TWILIO_AUTH_TOKEN).toBe('0123456789abcdef0123456789abcdef');
    expect(config.META_APP_SECRET).toBe('c7b593de1404d7c971a24ccd0d152c2b');
    expect(config.WHATSAPP_ACCESS_TOKEN).toBe('EAAB123xyz');
  });
});
