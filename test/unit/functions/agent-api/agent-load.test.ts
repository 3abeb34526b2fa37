import { describe, expect, it } from 'vitest';
import { withLoad } from '../../../../functions/agent-api/console/agent-load.js';

const load = (agentId: string, openConversations: number) => ({
  type: 'agent.load',
  item: { agentId, openConversations },
});

describe('withLoad (the agents list after an agent.load live event)', () => {
  const list = [
    { id: 'ana', openConversations: 0, capacity: 5 },
    { id: 'bob', openConversations: 1, capacity: 5 },
  ];

  it("sets the named agent's open conversations, and leaves the others' rows as they were", () => {
    const after = withLoad(list, load('ana', 1));
    expect(after).toEqual([
      { id: 'ana', openConversations: 1, capacity: 5 },
      { id: 'bob', openConversations: 1, capacity: 5 },
    ]);
    expect(after[1]).toBe(list[1]);
    expect(withLoad(after, load('bob', 0)).map((a) => a.openConversations)).toEqual([1, 0]);
  });

  it('answers the same list for another event, an agent not listed, the same count or a malformed item', () => {
    expect(withLoad(list, { type: 'presence', item: { agentId: 'ana', presence: 'online' } })).toBe(list);
    expect(withLoad(list, load('carl', 2))).toBe(list);
    expect(withLoad(list, load('bob', 1))).toBe(list);
    expect(withLoad(list, { type: 'agent.load', item: { agentId: 'ana', openConversations: '2' } })).toBe(
      list,
    );
    expect(withLoad(list, { type: 'agent.load' })).toBe(list);
  });
});
