import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentCallAs } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';

const LEAD = agentToken('edges-lead-token');
const ADA = agentToken('edges-ada-token');
const CY = agentToken('edges-cy-token');
const DAN = agentToken('edges-dan-token');
const EVE = agentToken('edges-eve-token');
const TOKENS = { lead: LEAD, ada: ADA, cy: CY, dan: DAN, eve: EVE } as const;
const ONLINE = { presence: 'online', queues: ['general'], languages: ['en'], capacity: 3 };

/**
 * The edges of an admin's removal of an agent (`DELETE /api/agents/{id}`), through the local runtime:
 * an admin never removes themselves nor, racing another admin, leaves no admin; and a removed agent's
 * registration and console lease are not written back by a call of theirs that raced the removal.
 */
describe('local runtime: the edges of removing an agent', () => {
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: { AGENT_TOKENS: `lead:${LEAD}:admin,ada:${ADA}:admin,cy:${CY}:admin,dan:${DAN},eve:${EVE}` },
      routing: true,
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  const callAs = agentCallAs(() => runtime.url, TOKENS.lead);
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const { status, body: answer } = await callAs(method, path, token, body);
    return [status, answer?.error?.code ?? 'ok'] as const;
  };
  const remove = (by: keyof typeof TOKENS, who: string) => call('DELETE', `/api/agents/${who}`, TOKENS[by]);
  const restore = (who: string, by: keyof typeof TOKENS = 'lead') =>
    call('POST', `/api/agents/${who}/restore`, TOKENS[by]);
  /** Who of these signs in now (`GET /api/me` answers 200). */
  const signedIn = async (...who: Array<keyof typeof TOKENS>) => {
    const answers = await Promise.all(who.map((id) => call('GET', '/api/me', TOKENS[id])));
    return who.filter((_id, i) => answers[i]?.[0] === 200);
  };
  const listed = async () => {
    const res = await fetch(`${runtime.url}/api/agents`, { headers: { authorization: `Bearer ${LEAD}` } });
    return ((await res.json()) as { items: Array<{ id: string; connectedUntil?: string }> }).items;
  };

  it('refuses an admin removing themselves, by `me` or by id (409 cannot_remove_self): they still sign in', async () => {
    expect(await call('DELETE', '/api/agents/me', ADA)).toEqual([409, 'cannot_remove_self']);
    expect(await remove('ada', 'ada')).toEqual([409, 'cannot_remove_self']);
    expect(await signedIn('ada')).toEqual(['ada']);
  });

  it('lets one of two admins removing each other at once win; the other is refused, and an admin remains', async () => {
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all([remove('ada', 'cy'), remove('cy', 'ada')]);
      expect(answers.map(([status]) => status).sort()).toEqual([204, 403]);
      expect(answers.find(([status]) => status === 403)).toEqual([403, 'agent_removed']);
      expect(await signedIn('ada', 'cy')).toHaveLength(1);
      for (const who of ['ada', 'cy']) expect(await restore(who)).toEqual([204, 'ok']);
      expect(await signedIn('ada', 'cy')).toEqual(['ada', 'cy']);
    }
    // Three admins in a ring, at once: one of them at least still signs in.
    const ring = await Promise.all([remove('lead', 'ada'), remove('ada', 'cy'), remove('cy', 'lead')]);
    expect(ring.filter(([status]) => status === 204).length).toBeLessThan(3);
    const remaining = await signedIn('lead', 'ada', 'cy');
    expect(remaining.length).toBeGreaterThanOrEqual(1);
    for (const who of ['lead', 'ada', 'cy']) expect(await restore(who, remaining[0])).toEqual([204, 'ok']);
  });

  it('does not register again an agent removed while their token was still trusted', async () => {
    // Dan registers: this container looks at his removal record and trusts that look for a minute.
    expect(await call('PUT', '/api/agents/me', DAN, ONLINE)).toEqual([200, 'ok']);
    // Another container removes him (its removal record, then his registration retired): this one's
    // look still says he is not removed, as any container's may for up to a minute.
    await runtime.store.agents.markAgentRemoved('dan', { at: new Date().toISOString(), by: 'lead' });
    await runtime.store.agents.removeAgent('dan', new Date().toISOString());
    // His Away (or any update) in that minute is refused and writes no registration back.
    expect(await call('PUT', '/api/agents/me', DAN, { presence: 'away' })).toEqual([403, 'agent_removed']);
    expect((await listed()).map((a) => a.id)).not.toContain('dan');
  });

  it('keeps a removed agent’s console lease from being written back by a socket of theirs', async () => {
    expect(await call('PUT', '/api/agents/me', EVE, ONLINE)).toEqual([200, 'ok']);
    expect(await remove('lead', 'eve')).toEqual([204, 'ok']);
    // A ping (or a connect) of hers that raced the removal lands after it: refused, nothing written.
    const late = await runtime.store.consoleLeases.seen('eve', 'console-eve', Date.now() + 3_600_000);
    expect(late).toBe(false);
    // Restored, she registers anew: not at the console until a socket of hers says so.
    expect(await restore('eve')).toEqual([204, 'ok']);
    expect(await call('PUT', '/api/agents/me', EVE, ONLINE)).toEqual([200, 'ok']);
    const eve = (await listed()).find((a) => a.id === 'eve');
    expect(eve).toMatchObject({ id: 'eve', presence: 'online' });
    expect(eve?.connectedUntil).toBeUndefined();
    // Her sockets count again after the restore.
    expect(await runtime.store.consoleLeases.seen('eve', 'console-eve', Date.now() + 3_600_000)).toBe(true);
    expect((await listed()).find((a) => a.id === 'eve')?.connectedUntil).toBeDefined();
  });
});
