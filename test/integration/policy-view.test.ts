import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { slaPolicyFile } from '../support/policy-file.js';
import { startTestRuntime, steppingClock } from '../support/runtime.js';

const AGENT = agentToken('policy-view-agent');
const ADMIN = agentToken('policy-view-admin');

/**
 * The shipped policy with an SLA policy, auto-resolve, and a business-hours holiday list that has
 * only passed dates on the runtime's clock (2025): a warning the runtime gives at start.
 */
const FILE = slaPolicyFile({}, (policy) => {
  policy.businessHours.holidays = ['2024-12-25', '2024-12-26'];
  policy.autoResolve = { after: 'P3D' };
});

describe('local runtime: GET /api/policy answers admins the routing policy in force', () => {
  let runtime: LocalRuntime;
  const get = async (token: string) => {
    const res = await fetch(`${runtime.url}/api/policy`, { headers: { Authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    runtime = await startTestRuntime({
      clock: steppingClock('2025-06-10T09:00:00.000Z'),
      env: { AGENT_TOKENS: `agent-ana:${AGENT},admin-zoe:${ADMIN}:admin`, ROUTING_POLICY_FILE: FILE },
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('answers an admin the parsed file, its defaults filled in, and its warnings as of now', async () => {
    const { status, body } = await get(ADMIN);
    expect(status).toBe(200);
    const parsed = parseRoutingPolicy(readFileSync(FILE, 'utf8'));
    expect(body.policy).toEqual(JSON.parse(JSON.stringify(parsed)));
    // The parsed form, not the file: what the file leaves out is there with its default.
    expect(body.policy).toMatchObject({ sla: { policies: [{ name: 'chat' }] }, automations: [] });
    expect(JSON.parse(readFileSync(FILE, 'utf8'))).not.toHaveProperty('automations');
    expect(body.warnings).toEqual([
      'businessHours.holidays: every date has passed (the latest is 2024-12-26): add the coming ones, or the team counts as open on them',
    ]);
  });

  it('refuses an agent with 403 forbidden', async () => {
    const { status, body } = await get(AGENT);
    expect(status).toBe(403);
    expect(body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
  });
});
