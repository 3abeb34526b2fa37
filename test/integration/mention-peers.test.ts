import { describe, expect, it } from 'vitest';
import { MENTION_PEERS_MAX } from '#shared/domain/mentions.js';
import { agentToken } from '../support/agent-token.js';
import { useMetaRuntime } from '../support/meta-runtime.js';
import { IG_ACCOUNT, instagramText, messengerMessage } from '../support/webhooks.js';

const SECRET = 'mention-peers-secret';
const TOKEN = agentToken('mention-peers-token');
const PAGE = '111222333444';

type Suggestion = { otherId: string; evidence: { reason: string; identity: { value: string } }[] };

/**
 * QA: the same person wrote her email on Messenger and on Instagram; nobody held the address (no
 * email from her yet), so the two mentions never met and neither profile showed a suggestion. Two
 * customers who mention the same identity nobody holds now raise one between them, bounded: an
 * identity more than MENTION_PEERS_MAX others mention is nobody's in particular.
 */
describe('local runtime: two customers who write the same address nobody holds', () => {
  const { runtime, calls, tick, api, post } = useMetaRuntime({
    secret: SECRET,
    token: TOKEN,
    agent: 'agent-mp',
  });
  let sent = 0;
  const onMessenger = async (psid: string, text: string) => {
    sent += 1;
    await post(
      messengerMessage({ page: PAGE, psid, ms: tick(), message: { mid: `m_${psid}_${sent}`, text } }),
    );
    return (await runtime.store.customers.findCustomerId(
      { kind: 'messenger', value: `${PAGE}:${psid}` },
      { consistent: true },
    )) as string;
  };
  const onInstagram = async (igsid: string, text: string) => {
    sent += 1;
    await post(
      instagramText({ sender: igsid, mid: `ig_${igsid}_${sent}`, at: new Date(tick()).toISOString(), text }),
    );
    return (await runtime.store.customers.findCustomerId(
      { kind: 'instagram', value: `${IG_ACCOUNT}:${igsid}` },
      { consistent: true },
    )) as string;
  };
  const suggestions = async (id: string) =>
    (await api<{ items: Suggestion[] }>('GET', `/api/customers/${id}/suggestions`)).items;

  it('raises a suggestion between them on both profiles, whichever wrote first, with both messages', async () => {
    const messenger = await onMessenger(
      'PSID3001',
      'Hi, I am Jane, jane.doe@example.com, where is my parcel?',
    );
    const instagram = await onInstagram('IGSID3001', 'Hi its Jane (jane.doe@example.com) again, any news?');
    const [onM] = await suggestions(messenger);
    const [onI] = await suggestions(instagram);
    expect(onM?.otherId).toBe(instagram);
    expect(onI?.otherId).toBe(messenger);
    // Each message is evidence: the second customer's, and the first's it met.
    expect(onM?.evidence.map((e) => [e.reason, e.identity.value])).toEqual([
      ['mentioned', 'jane.doe@example.com'],
      ['mentioned', 'jane.doe@example.com'],
    ]);
  });

  /** The Query calls one message costs (the recorder names no key for a Query). */
  const queriesOf = async (send: () => Promise<unknown>) => {
    calls.length = 0;
    await send();
    return calls.filter((c) => c.command === 'Query').length;
  };

  it('reads the mentioners once per customer and identity: the same address again costs no query', async () => {
    const first = await onMessenger('PSID3002', 'me: sam.roe@example.com');
    await onInstagram('IGSID3002', 'sam.roe@example.com here');
    const plain = await queriesOf(() => onMessenger('PSID3002', 'any news?'));
    const again = await queriesOf(() => onMessenger('PSID3002', 'again, sam.roe@example.com'));
    // The mention's own write, no read of the other mentioners, no suggestion write.
    expect(again).toBe(plain);
    expect(calls.filter((c) => c.pk.startsWith('MENTION#')).map((c) => c.command)).toEqual(['UpdateItem']);
    expect(calls.filter((c) => c.sk.startsWith('SUGGESTION#'))).toEqual([]);
    expect(await suggestions(first)).toHaveLength(1);
  });

  it(`an address more than ${MENTION_PEERS_MAX} others wrote raises nothing for the next one`, async () => {
    const ids: string[] = [];
    for (let i = 0; i <= MENTION_PEERS_MAX; i++) {
      ids.push(await onMessenger(`PSID31${i}`, 'write to shop@example.com they said'));
    }
    await onInstagram('IGSID3100', 'hello');
    const plain = await queriesOf(() => onInstagram('IGSID3100', 'still there?'));
    const late = await queriesOf(() => onInstagram('IGSID3100', 'I wrote to shop@example.com too'));
    const lateId = (await runtime.store.customers.findCustomerId(
      { kind: 'instagram', value: `${IG_ACCOUNT}:IGSID3100` },
      { consistent: true },
    )) as string;
    expect(await suggestions(lateId)).toEqual([]);
    // One bounded query of the mentioners more (self, the peers allowed, one more to know there are
    // more), and no suggestion written.
    expect(late).toBe(plain + 1);
    expect(calls.filter((c) => c.sk.startsWith('SUGGESTION#'))).toEqual([]);
    // The first ones, no more than the bound then, did meet each other: the first met all the others.
    expect(await suggestions(ids[0] as string)).toHaveLength(MENTION_PEERS_MAX);
  });
});
