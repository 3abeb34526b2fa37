import { describe, expect, it } from 'vitest';
import { tellVisitorsTyping } from '#shared/app/tell-visitors-typing.js';
import type { Identity } from '#shared/domain/envelope.js';
import type { Conversation, TimelineItem } from '#shared/domain/timeline.js';

const VERIFIED: Identity = { kind: 'email', value: 'vera@example.com' };
const STRANGER: Identity = { kind: 'webchat_visitor', value: 'wv_stranger' };

function deps(
  conversation: Partial<Conversation> | undefined,
  gone: string[] = [],
  writer: Identity | null = VERIFIED,
) {
  const pushed: Array<[string, unknown[]]> = [];
  const dropped: string[] = [];
  const following = { cu_1: ['c1', 'c2'], cu_2: ['c3'], 'conversation#cv_1': ['c4', 'c5'] } as Record<
    string,
    string[]
  >;
  const identities = { 'webchat_visitor#wv_stranger': ['c5'] } as Record<string, string[]>;
  const asked: unknown[][] = [];
  return {
    pushed,
    dropped,
    asked,
    deps: {
      connections: {
        following: async (customerId: string) => following[customerId] ?? [],
        ofIdentity: async (token: string) => identities[token] ?? [],
      },
      lastInbound: async (...args: unknown[]) => {
        asked.push(args);
        return writer ? ({ id: 'webchat:x.1', from: writer } as TimelineItem) : undefined;
      },
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

  it('sends it only to whom the reply goes: the anonymous writer of the latest chat message, not the customer', async () => {
    // A stranger merged in (they typed the customer's email) wrote last: the verified visitors (c1, c2)
    // following the customer see nothing, and neither does another anonymous visitor of it (c4).
    const t = deps({ id: 'cv_1', customerId: 'cu_1', channel: 'webchat' }, [], STRANGER);
    expect(await tellVisitorsTyping(t.deps, 'cv_1')).toBe(1);
    expect(t.pushed.map(([id]) => id)).toEqual(['c5']);
    expect(t.asked).toEqual([['cu_1', 'webchat', 'cv_1']]);
  });

  it('sends nothing when the conversation holds no chat message it finds', async () => {
    const t = deps({ id: 'cv_1', customerId: 'cu_1', channel: 'webchat' }, [], null);
    expect(await tellVisitorsTyping(t.deps, 'cv_1')).toBe(0);
    expect(t.pushed).toEqual([]);
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
