import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCallAs } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';

const ANA = agentToken('removed-list-ana-token');
const LEAD = agentToken('removed-list-lead-token');
const TOKENS = `ana:${ANA}:admin,lead:${LEAD}:admin,${['bo', 'cy', 'di', 'ed', 'fay'].map((id) => `${id}:${agentToken(`removed-list-${id}-token`)}`).join(',')}`;

/**
 * `GET /api/agents/removed` lists every removed agent (holding conversations or not, registered or
 * never), a page at a time in id order, and a restore takes them off it.
 */
describe('local runtime: the removed agents list', () => {
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime({ env: { AGENT_TOKENS: TOKENS } });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  const call = agentCallAs(() => runtime.url, ANA);
  type Removed = { items: Array<{ id: string; openConversations: number }>; cursor: string | null };

  it('lists a removed admin holding nothing, and a removed agent who never registered', async () => {
    expect((await call('PUT', '/api/agents/me', LEAD, { presence: 'away' })).status).toBe(200);
    expect((await call('DELETE', '/api/agents/lead')).status).toBe(204);
    expect((await call('DELETE', '/api/agents/bo')).status).toBe(204);
    const { status, body } = await call('GET', '/api/agents/removed');
    expect(status).toBe(200);
    expect(body as Removed).toEqual({
      items: [
        { id: 'bo', openConversations: 0 },
        { id: 'lead', openConversations: 0 },
      ],
      cursor: null,
    });
  });

  it('pages the list by `limit`, and a restore takes the agent off it', async () => {
    for (const id of ['cy', 'di', 'ed', 'fay'])
      expect((await call('DELETE', `/api/agents/${id}`)).status).toBe(204);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=4&cursor=${encodeURIComponent(cursor)}` : '?limit=4';
      const page = (await call('GET', `/api/agents/removed${query}`)).body as Removed;
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items.map((a) => a.id));
      cursor = page.cursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen).toEqual(['bo', 'cy', 'di', 'ed', 'fay', 'lead']);

    expect((await call('POST', '/api/agents/lead/restore')).status).toBe(204);
    const after = (await call('GET', '/api/agents/removed')).body as Removed;
    expect(after.items.map((a) => a.id)).toEqual(['bo', 'cy', 'di', 'ed', 'fay']);
    expect((await call('GET', '/api/me', LEAD)).status).toBe(200);
  });

  it('refuses a bad cursor (400) and an agent (403)', async () => {
    expect((await call('GET', '/api/agents/removed?cursor=nonsense')).status).toBe(400);
    // A place as the API's cursors held it before they were sealed: any agent name was taken.
    for (const place of [{ agent: '' }, { agent: 'zzz' }, { agent: 'bo', extra: 1 }]) {
      const cursor = Buffer.from(JSON.stringify(place)).toString('base64url');
      expect((await call('GET', `/api/agents/removed?cursor=${cursor}`)).status, cursor).toBe(400);
    }
    expect((await call('GET', '/api/agents/removed', agentToken('removed-list-bo-token'))).status).toBe(403);
  });
});
