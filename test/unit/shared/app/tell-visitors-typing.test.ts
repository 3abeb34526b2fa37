import { describe, expect, it } from 'vitest';
import { tellVisitorsTyping } from '#shared/app/tell-visitors-typing.js';
import type { Conversation } from '#shared/domain/timeline.js';

function deps(conversation: Partial<Conversation> | undefined, gone: string[] = []) {
  const pushed: Array<[string, unknown[]]> = [];
  const dropped: string[] = [];
  const following = { cu_1: ['c1', 'c2'], cu_2: ['c3'] } as Record<string, string[]>;
  return {
    pushed,
    dropped,
    deps: {
      connections: { following: async (customerId: string) => following[customerId] ?? [] },
      push: {
        push: async (id: string, frames: readonly unknown[]) => {
          if (gone.includes(id)) return 'gone' as const;
          pushed.push([id, [...frames]]);
          return 'sent' as const;
        },
        drop: async (id: string) => {
          dropped.push(id);
        },
      },
      getConversation: async () => conversation as Conversation | undefined,
    },
  };
}

describe('tellVisitorsTyping', () => {
  it("sends the conversation's visitors a typing label, never the agent, and drops those gone", async () => {
    const t = deps({ id: 'cv_1', customerId: 'cu_1', channel: 'webchat' }, ['c2']);
    expect(await tellVisitorsTyping(t.deps, 'cv_1')).toBe(1);
    expect(t.pushed).toEqual([['c1', [{ type: 'typing', by: 'agent', on: true, conversationId: 'cv_1' }]]]);
    expect(t.dropped).toEqual(['c2']);
  });

  it('sends nothing for a conversation on another channel or one that does not exist', async () => {
    const email = deps({ id: 'cv_1', customerId: 'cu_1', channel: 'email' });
    expect(await tellVisitorsTyping(email.deps, 'cv_1')).toBe(0);
    expect(email.pushed).toEqual([]);
    const missing = deps(undefined);
    expect(await tellVisitorsTyping(missing.deps, 'cv_9')).toBe(0);
    expect(missing.pushed).toEqual([]);
  });
});
