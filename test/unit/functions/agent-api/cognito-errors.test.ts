import { afterEach, describe, expect, it, vi } from 'vitest';
import { answerTotp } from '../../../../functions/agent-api/console/cognito.js';

const pool = { region: 'eu-west-1', userPoolId: 'eu-west-1_AbC', clientId: 'client' };
const refuse = (type: string, message: string) =>
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(JSON.stringify({ __type: type, message }), { status: 400 })),
  );

describe('console sign-in: what Cognito refusals say', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('tells a locked-out agent to wait rather than that their password is wrong', async () => {
    refuse('NotAuthorizedException', 'Password attempts exceeded');
    await expect(answerTotp(pool, { session: 's', username: 'u' }, '123456')).rejects.toThrow(
      'Too many failed attempts: wait a few minutes (up to 15) before trying again.',
    );
  });

  it('says only "wrong user name or password" for a wrong password, an unknown or a disabled user', async () => {
    for (const message of ['Incorrect username or password.', 'User is disabled.']) {
      refuse('NotAuthorizedException', message);
      await expect(answerTotp(pool, { session: 's', username: 'u' }, '1')).rejects.toThrow(
        'Wrong user name or password.',
      );
    }
  });
});
