import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCsatToken } from '#shared/domain/csat/token.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { startTestRuntime } from '../support/runtime.js';
import { deliver, signedTwilio, twilioSms } from '../support/webhooks.js';

/**
 * A secret rotated without loss: the runtime takes the new value beside the one it replaces. A survey
 * link signed with the previous CSAT_SIGNING_SECRET still opens (it was refused, 400, the moment the
 * secret changed: every link of the last 14 days); Twilio's requests still signed with the old Auth
 * Token, until the new one is promoted, are taken (they were refused 403 and the SMS lost).
 */
const NEW_CSAT = 'csat-rotation-new-secret-0123456789abcdef';
const OLD_CSAT = 'csat-rotation-old-secret-0123456789abcdef';
const NEW_TWILIO = 'rotation-twilio-token-new-7f3a';
const OLD_TWILIO = 'rotation-twilio-token-old-2c9e';

describe('local runtime: rotating CSAT_SIGNING_SECRET and TWILIO_AUTH_TOKEN', () => {
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: {
        CSAT_SIGNING_SECRET: `${NEW_CSAT}, ${OLD_CSAT}`,
        TWILIO_AUTH_TOKEN: NEW_TWILIO,
        TWILIO_PREVIOUS_AUTH_TOKEN: OLD_TWILIO,
      },
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  const link = (secret: string) => {
    const now = Date.now();
    const claims = {
      s: 'sv_rot',
      c: 'cv_rot',
      u: 'cu_rot',
      t: new Date(now).toISOString(),
      e: now + 13 * 864e5,
    };
    return `${runtime.url}/csat/${signCsatToken(claims, secret)}?score=5`;
  };

  it('opens survey links signed with the current secret and with the previous one, not with another', async () => {
    expect((await fetch(link(NEW_CSAT))).status).toBe(200);
    expect((await fetch(link(OLD_CSAT))).status).toBe(200);
    expect((await fetch(link('csat-rotation-other-secret-0123456789ab'))).status).toBe(400);
  });

  it('takes Twilio requests signed with the new token or the previous one, refuses any other', async () => {
    const sms = (sid: string, token: string) =>
      deliver(
        signedTwilio(
          `${runtime.url}/webhooks/twilio/sms`,
          twilioSms({ sid, from: '+16505550199', text: 'Where is my order?' }),
          token,
        ),
      );
    expect((await sms('SMrot00000000000000000000000000001', NEW_TWILIO)).status).toBe(200);
    expect((await sms('SMrot00000000000000000000000000002', OLD_TWILIO)).status).toBe(200);
    expect((await sms('SMrot00000000000000000000000000003', 'rotation-twilio-token-forged')).status).toBe(
      403,
    );
  });
});
