import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestRuntime } from '../support/test-runtime.js';
import { visitorClient } from '../support/webchat.js';

const SITE = 'http://shop.example';

/**
 * Two tabs of a site pressing "Start chat" in the same instant made two sessions (two customers for one
 * visitor). The widget's tabs share a start key, and starts with the same key are one session.
 */
describe('local runtime: two starts with one start key', () => {
  const runtime = useTestRuntime({ env: { WEBCHAT_ALLOWED_ORIGINS: SITE } });
  const visitor = () => visitorClient(runtime.url, SITE);

  it('make one session, whose messages are one visitor’s', async () => {
    const startKey = randomBytes(32).toString('base64url');
    const answers = await Promise.all(
      ['Ana', 'Ana B'].map(async (name) => {
        const answer = await visitor().session({ name, email: 'ana@example.com', startKey });
        expect(answer.status).toBe(201);
        return (await answer.json()) as { sessionToken: string; expiresAt: string; name?: string };
      }),
    );
    const [first, second] = answers;
    expect(second).toEqual(first);
    expect((await visitor().send(first?.sessionToken as string, 'From tab one')).status).toBe(202);
    expect((await visitor().send(second?.sessionToken as string, 'From tab two')).status).toBe(202);
    await runtime.idle();
    const history = (await (await visitor().history(first?.sessionToken as string)).json()) as {
      messages: { text: string }[];
    };
    expect(history.messages.map((m) => m.text)).toEqual(['From tab one', 'From tab two']);
    const other = (await (
      await visitor().session({ startKey: randomBytes(32).toString('base64url') })
    ).json()) as {
      sessionToken: string;
    };
    expect(other.sessionToken).not.toBe(first?.sessionToken);
  });
});
