import { describe, expect, it } from 'vitest';
import { goneLoad, heldByOf, loadSuspects, needsLoadFix } from '#shared/domain/agent-load.js';

const sets = [
  { agentId: 'ana', conversationIds: ['c1', 'c2', 'c9'] },
  { agentId: 'bob', conversationIds: ['c2'] },
];

describe('agents\u2019 load differences', () => {
  it('suspects a conversation missing from its assignee\u2019s set or held by another\u2019s, and nothing else', () => {
    const assignments = [
      { conversationId: 'c1', agentId: 'ana' },
      { conversationId: 'c2', agentId: 'bob' },
      { conversationId: 'c3', agentId: 'bob' },
      // Assigned to nobody registered: no set to count it in.
      { conversationId: 'c4', agentId: 'zed' },
    ];
    expect(loadSuspects(assignments, sets)).toEqual(['c2', 'c3', 'c9']);
    expect(loadSuspects([], [])).toEqual([]);
    expect(heldByOf(sets).get('c2')).toEqual(['ana', 'bob']);
  });

  it('fixes only what the strong read confirms', () => {
    const registered = new Set(['ana', 'bob']);
    const load = (holder: string | undefined) => ({ conversationId: 'c', holder, listed: [] });
    expect(needsLoadFix(load('ana'), ['ana'], registered)).toBe(false);
    expect(needsLoadFix(load('ana'), [], registered)).toBe(true);
    expect(needsLoadFix(load('ana'), ['ana', 'bob'], registered)).toBe(true);
    expect(needsLoadFix(load(undefined), [], registered)).toBe(false);
    expect(needsLoadFix(load('zed'), [], registered)).toBe(false);
    expect(needsLoadFix(goneLoad('c'), ['bob'], registered)).toBe(true);
  });
});
