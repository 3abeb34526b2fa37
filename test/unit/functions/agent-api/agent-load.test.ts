import { describe, expect, it } from 'vitest';
import { loadMoved } from '../../../../functions/agent-api/console/agent-load.js';

const updated = (id: string, assignee: string | undefined, status = 'open') => ({
  type: 'conversation.updated',
  conversationId: id,
  item: { id, status, ...(assignee ? { assignee } : {}) },
});

describe('loadMoved (when the console reads the agents list again)', () => {
  it('says a transfer, a resolve and a first sight of an assigned conversation moved a load', () => {
    const known = new Map<string, string>();
    expect(loadMoved(known, updated('c1', 'bob'))).toBe(true);
    expect(loadMoved(known, updated('c1', 'ana'))).toBe(true);
    expect(loadMoved(known, updated('c1', 'ana', 'resolved'))).toBe(true);
    expect(loadMoved(known, updated('c1', undefined, 'open'))).toBe(true);
  });

  it('says nothing moved for a message on a conversation that stays with its agent, or one nobody has', () => {
    const known = new Map<string, string>();
    loadMoved(known, updated('c1', 'bob'));
    expect(loadMoved(known, updated('c1', 'bob'))).toBe(false);
    expect(loadMoved(known, updated('c2', undefined))).toBe(false);
    expect(loadMoved(known, updated('c2', undefined))).toBe(false);
    expect(loadMoved(known, { type: 'timeline.item', item: { id: 'c1' } })).toBe(false);
    expect(loadMoved(known, { type: 'presence', item: { agentId: 'bob' } })).toBe(false);
  });

  it('forgets what it knew past 5,000 conversations rather than grow', () => {
    const known = new Map<string, string>();
    for (let i = 0; i < 5_000; i++) loadMoved(known, updated(`c${i}`, undefined));
    loadMoved(known, updated('new', undefined));
    expect(known.size).toBe(1);
  });
});
