import { describe, expect, it } from 'vitest';
import { agentCaller, agentRequest } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { forgedCursors } from '../support/forged-cursors.js';
import { openConversationOf } from '../support/open-conversation.js';
import { SECRETS } from '../support/runtime.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { deliver, signedMeta, whatsappText } from '../support/webhooks.js';

const TOKEN = agentToken('inbox-cursors-admin');

/** Cursors the inbox did not make: each a 400 invalid_request, in either order, nothing read. */
const FORGED = forgedCursors('after');

/**
 * The inbox's `{after}` cursor is decoded as strictly as the `{before}` lists' (decodeAfterCursor):
 * one it did not make is refused; every cursor it answered, waiting, answered or resolved, is taken back.
 */
describe('the inbox refuses a cursor it did not make and takes back its own', () => {
  const runtime = useTestRuntime({ env: { AGENT_TOKENS: `agent-admin:${TOKEN}:admin` }, routing: true });
  const request = agentRequest(() => runtime.url, TOKEN);
  const api = agentCaller(() => runtime.url, TOKEN);

  it.each(FORGED)('GET /api/conversations: %s', async (_name, cursor) => {
    for (const sort of ['waiting', 'due']) {
      const res = await request<{ error: { code: string } }>(
        'GET',
        `/api/conversations?sort=${sort}&cursor=${cursor}`,
      );
      expect([res.status, res.json.error?.code], sort).toEqual([400, 'invalid_request']);
    }
  });

  it('pages every status with the cursors it answered', async () => {
    const phones = ['447700900601', '447700900602', '447700900603', '447700900604'];
    for (const [i, phone] of phones.entries()) {
      // A person asked for: waiting; a routine question: the AI answers it (answered, later in the order).
      const text = i % 2 ? 'How long does shipping take?' : 'I want to speak to a person, please.';
      const payload = whatsappText({
        from: phone,
        name: `Cursor ${i}`,
        messages: [{ id: `wamid.CUR${i}`, at: new Date().toISOString(), text }],
      });
      const res = await deliver(signedMeta(runtime.url, '/webhooks/whatsapp', payload, SECRETS.meta));
      expect(res.status).toBe(200);
      await runtime.idle();
    }
    const ids = await Promise.all(phones.map((phone) => openConversationOf(runtime, phone)));
    const pageThrough = async (query: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: { id: string }[]; cursor: string | null } = await api(
          'GET',
          `/api/conversations?${query}&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        );
        seen.push(...page.items.map((c) => c.id));
        cursor = page.cursor;
      } while (cursor);
      return seen;
    };
    expect((await pageThrough('status=open')).sort()).toEqual([...ids].sort());
    for (const id of ids.slice(0, 2)) {
      await api('POST', `/api/conversations/${id}/resolve`, { csat: false });
    }
    expect((await pageThrough('status=resolved')).sort()).toEqual(ids.slice(0, 2).sort());
    expect((await pageThrough('status=open')).sort()).toEqual(ids.slice(2).sort());
  }, 30_000);
});
