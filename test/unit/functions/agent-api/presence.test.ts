import { describe, expect, it } from 'vitest';
import { type Presence, presenceAfter } from '../../../../functions/agent-api/console/presence-state.js';

const typingBob = (now: number): Presence =>
  presenceAfter(
    { agents: {}, viewing: {}, typing: {} },
    { type: 'typing', conversationId: 'cv1', item: { agentId: 'bob' } },
    now,
  );

describe("the console's typing line follows what the typist did", () => {
  it('holds a typing frame for a few seconds', () => {
    expect(typingBob(1_000).typing.cv1?.bob).toEqual({ until: 7_000, note: false });
  });

  it("clears an agent's typing when their reply or note arrives in that conversation", () => {
    for (const type of ['message', 'note']) {
      const after = presenceAfter(
        typingBob(1_000),
        {
          type: 'timeline.item',
          conversationId: 'cv1',
          item: { type, conversationId: 'cv1', data: { author: { kind: 'agent', id: 'bob' } } },
        },
        2_000,
      );
      expect(after.typing.cv1?.bob).toBeUndefined();
    }
  });

  it("keeps it for another agent's reply, and for a reply in another conversation", () => {
    const other = presenceAfter(
      typingBob(1_000),
      {
        type: 'timeline.item',
        conversationId: 'cv1',
        item: { data: { author: { kind: 'agent', id: 'ana' } } },
      },
      2_000,
    );
    expect(other.typing.cv1?.bob).toBeDefined();
    const elsewhere = presenceAfter(
      typingBob(1_000),
      {
        type: 'timeline.item',
        conversationId: 'cv2',
        item: { data: { author: { kind: 'agent', id: 'bob' } } },
      },
      2_000,
    );
    expect(elsewhere.typing.cv1?.bob).toBeDefined();
  });

  it('clears it when the agent leaves the conversation', () => {
    const left = presenceAfter(
      typingBob(1_000),
      { type: 'viewing', conversationId: 'cv1', item: { agentId: 'bob', viewing: false } },
      2_000,
    );
    expect(left.typing.cv1?.bob).toBeUndefined();
    expect(left.viewing.cv1).toEqual([]);
  });
});
