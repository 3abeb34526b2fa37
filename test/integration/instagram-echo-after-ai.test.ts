import { describe, expect, it } from 'vitest';
import { customerReads } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { useClockRuntime } from '../support/clock-runtime.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { deliver, IG_ACCOUNT, instagramText, metaEvent, signedMeta } from '../support/webhooks.js';

const META_SECRET = 'ig-echo-after-ai-secret';
const IGSID = '6660009100';
const OTHER_APP = 263902037430900;

/**
 * A person answers an Instagram customer from the Instagram app after the AI has answered them. The
 * echo of that answer looks among the customer's latest items for our reply in the middle of its send
 * (Instagram hands back no `metadata`); before, the AI's reply among them failed to read there, and the
 * echo went round the retries to the dead-letter queue: the person's answer was lost.
 */
describe('local runtime: the Instagram echo of a person’s answer after the AI’s', () => {
  const clock = useClockRuntime({
    metaSecret: META_SECRET,
    agent: { token: agentToken('ig-echo-after-ai-token'), admin: true },
    policyFile: slaPolicyFile({ firstResponse: 'PT1H', nextResponse: 'PT1H', aiRepliesCount: true }),
    routing: true,
  });
  const { manual, idle, api } = clock;
  const { find, timeline } = customerReads(api);
  const post = async (payload: unknown) => {
    const answer = await deliver(signedMeta(clock.runtime.url, '/webhooks/meta', payload, META_SECRET));
    expect(answer.status).toBe(200);
    await idle();
  };

  it('keeps the person’s answer as the business’s, dead-letters nothing', async () => {
    const at = new Date(manual.now()).toISOString();
    await post(instagramText({ sender: IGSID, mid: 'ig_q_9100', at, text: 'How long does shipping take?' }));
    const customer = await find(`${IG_ACCOUNT}:${IGSID}`);
    const ai = (await timeline(customer.id)).filter(
      (i) => i.direction === 'outbound' && (i.data?.author as { kind?: string })?.kind === 'ai',
    );
    expect(ai).toHaveLength(1);
    await post(
      metaEvent({
        object: 'instagram',
        account: IG_ACCOUNT,
        ms: manual.now() + 2_000,
        event: {
          sender: { id: IG_ACCOUNT },
          recipient: { id: IGSID },
          message: { mid: 'ig_echo_9100', is_echo: true, app_id: OTHER_APP, text: 'human from IG app' },
        },
      }),
    );
    expect(clock.runtime.deadLetter.messages()).toEqual([]);
    const echo = (await timeline(customer.id)).filter((i) => i.providerMessageId === 'ig_echo_9100');
    expect(echo.map((i) => [i.direction, i.text])).toEqual([['outbound', 'human from IG app']]);
  });
});
