import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseRoutingPolicy } from '#shared/domain/routing/policy.js';
import { warnOfPolicy, warnUnknownAgents } from '#shared/local/conversation-clock.js';
import { logger } from '#shared/log.js';
import { agentToken } from '../../../support/agent-token.js';

/** Late chats go to agent-lead; rules assign to agent-ana, to a queue, and to agent-bo in a queue. */
const late = [
  { type: 'note', text: 'late' },
  { type: 'assign', agent: 'agent-lead' },
];
const chat = { name: 'chat', firstResponse: 'PT10M', onBreach: late };
const automations = [
  { name: 'to-ana', trigger: 'sla_breached', actions: [{ type: 'assign', agent: 'agent-ana' }] },
  { name: 'to-queue', trigger: 'sla_breached', actions: [{ type: 'assign', queue: 'general' }] },
  {
    name: 'to-bo',
    trigger: 'sla_warning',
    actions: [{ type: 'assign', agent: 'agent-bo', queue: 'general' }],
  },
];
const policy = parseRoutingPolicy(
  JSON.stringify({
    defaultQueue: 'general',
    queues: [{ name: 'general' }],
    sla: { policies: [chat] },
    automations,
  }),
);

describe('the local start warns of agents the routing policy assigns to who are not in AGENT_TOKENS', () => {
  const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
  afterEach(() => warn.mockClear());

  it('names each, with the field naming them', () => {
    warnUnknownAgents(policy, `agent-ana:${agentToken('tok-a')}:admin`);
    expect(warn.mock.calls).toEqual([
      [
        'routing policy assigns to agents not in AGENT_TOKENS: those assignments will not be made',
        {
          agents: [
            'agent-lead (sla.policies[0].onBreach[1].agent)',
            'agent-bo (automations[2].actions[0].agent)',
          ],
        },
      ],
    ]);
  });

  it('says nothing when every one is there', () => {
    warnUnknownAgents(
      policy,
      `agent-ana:${agentToken('tok-a')}:admin,agent-lead:${agentToken('tok-l')},agent-bo:${agentToken('tok-b')}`,
    );
    expect(warn).not.toHaveBeenCalled();
  });

  it('says nothing for the example policy with its agents in AGENT_TOKENS', () => {
    const example = new URL('../../../../shared/domain/routing/example-sla-policy.json', import.meta.url);
    const parsed = parseRoutingPolicy(readFileSync(example, 'utf8'));
    warnUnknownAgents(parsed, `agent-ana:${agentToken('tok-a')}:admin,agent-lead:${agentToken('tok-l')}`);
    expect(warn).not.toHaveBeenCalled();
  });

  it('logs the policy’s warnings in one line, and nothing when it has none', () => {
    const hidden = parseRoutingPolicy(
      JSON.stringify({
        defaultQueue: 'general',
        queues: [{ name: 'general' }],
        sla: { policies: [{ name: 'all', firstResponse: 'PT1H' }, chat] },
      }),
    );
    expect(warnOfPolicy(hidden, new Date('2026-12-06T12:00:00Z'))).toHaveLength(1);
    expect(warn.mock.calls).toEqual([
      [
        'routing policy warnings: the start goes on',
        { warnings: [expect.stringContaining('sla.policies[0] ("all") matches every conversation')] },
      ],
    ]);
    warn.mockClear();
    expect(warnOfPolicy(policy, new Date('2026-12-06T12:00:00Z'))).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
  });
});
