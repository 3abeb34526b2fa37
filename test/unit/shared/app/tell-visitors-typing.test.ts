import { describe, expect, it } from 'vitest';
import { defaultedDestination, replyDestination } from '#shared/app/reply-destination.js';
import { tellVisitorsTyping } from '#shared/app/tell-visitors-typing.js';
import type { Identity } from '#shared/domain/envelope.js';
import type { Conversation, Customer, TimelineItem } from '#shared/domain/timeline.js';
import { visitorKey } from '#shared/domain/webchat/envelopes.js';
import { GoneError } from '#shared/errors.js';

const VERIFIED: Identity = { kind: 'email', value: 'vera@example.com' };
const VERA: Identity = { kind: 'webchat_user', value: 'vera-1' };
const STRANGER: Identity = { kind: 'webchat_visitor', value: 'wv_stranger' };
const CUSTOMER: Customer = {
  id: 'cu_1',
  identities: [VERIFIED, VERA],
  channels: ['webchat'],
  createdAt: '2026-12-01T00:00:00.000Z',
  lastInboundByChannel: {},
  tags: [],
  mergedFrom: ['cu_2'],
};

/**
 * A chat message of `from` at `at` in conversation cv_1: a verified visitor's comes from their email,
 * its id carries their `webchat_user`'s key (visitorKey).
 */
const chat = (from: Identity, at: string): TimelineItem => ({
  id: `webchat:${visitorKey(from === VERIFIED ? VERA : from)}.${at}`,
  type: 'message',
  channel: 'webchat',
  direction: 'inbound',
  at,
  customerId: 'cu_1',
  conversationId: 'cv_1',
  from,
});

function deps(
  conversation: Partial<Conversation> | undefined,
  options: {
    gone?: string[];
    /** Each partition's latest chat message in cv_1 (the customer's first): the root's own by default. */
    latest?: Record<string, TimelineItem | undefined>;
    merged?: () => Promise<{ partitions: string[]; customers: Customer[] }>;
  } = {},
) {
  const latest = options.latest ?? { cu_1: chat(VERIFIED, '2026-12-05T10:00:00.000Z') };
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
      mergedCustomers:
        options.merged ?? (async () => ({ partitions: Object.keys(latest), customers: [CUSTOMER] })),
      lastInbound: async (customerId: string, channel: string, conversationId?: string) => {
        asked.push([customerId, channel, conversationId]);
        return latest[customerId];
      },
      push: {
        push: async (id: string, frames: readonly unknown[]) => {
          if (options.gone?.includes(id)) return 'gone' as const;
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

const CONVERSATION = { id: 'cv_1', customerId: 'cu_1', channel: 'webchat' } as const;

describe('tellVisitorsTyping', () => {
  it("sends the conversation's visitors a typing label, never the agent, and drops those gone", async () => {
    const t = deps(CONVERSATION, { gone: ['c2'] });
    expect(await tellVisitorsTyping(t.deps, 'cv_1')).toBe(1);
    expect(t.pushed).toEqual([['c1', [{ type: 'typing', by: 'agent', on: true, conversationId: 'cv_1' }]]]);
    expect(t.dropped).toEqual(['c2']);
  });

  it('sends it only to whom the reply goes: the anonymous writer of the latest chat message, not the customer', async () => {
    // A stranger merged in (they typed the customer's email) wrote last: the verified visitors (c1, c2)
    // following the customer see nothing, and neither does another anonymous visitor of it (c4).
    const t = deps(CONVERSATION, { latest: { cu_1: chat(STRANGER, '2026-12-05T10:00:00.000Z') } });
    expect(await tellVisitorsTyping(t.deps, 'cv_1')).toBe(1);
    expect(t.pushed.map(([id]) => id)).toEqual(['c5']);
    expect(t.asked).toEqual([['cu_1', 'webchat', 'cv_1']]);
  });

  it('reads every merged partition, as the reply does: a stranger merged in who wrote last gets the typing', async () => {
    // The stranger's partition (cu_2) holds the conversation's latest chat message. Before, the typing
    // read only the conversation's customer's (cu_1) and went to the verified visitors (c1, c2), while
    // the reply went to the stranger.
    const latest = {
      cu_1: chat(VERIFIED, '2026-12-05T10:00:00.000Z'),
      cu_2: chat(STRANGER, '2026-12-05T10:05:00.000Z'),
    };
    const t = deps(CONVERSATION, { latest });
    const reply = await replyDestination(
      t.deps,
      { customer: CUSTOMER, partitions: ['cu_1', 'cu_2'], profiles: [CUSTOMER] },
      'webchat',
      'cv_1',
    );
    expect(reply.to).toEqual(STRANGER);
    expect(await tellVisitorsTyping(t.deps, 'cv_1')).toBe(1);
    expect(t.pushed.map(([id]) => id)).toEqual(['c5']);
  });

  it('sends the verified visitors the typing when the latest chat message, in any partition, is theirs', async () => {
    const latest = {
      cu_1: chat(STRANGER, '2026-12-05T10:00:00.000Z'),
      cu_2: chat(VERIFIED, '2026-12-05T10:05:00.000Z'),
    };
    const t = deps(CONVERSATION, { latest });
    expect(await tellVisitorsTyping(t.deps, 'cv_1')).toBe(2);
    expect(t.pushed.map(([id]) => id)).toEqual(['c1', 'c2']);
  });

  it('sends nothing when the reply would go nowhere, or the customer is erased', async () => {
    const nobody = deps(CONVERSATION, {
      latest: { cu_1: undefined },
      merged: async () => ({ partitions: ['cu_1'], customers: [{ ...CUSTOMER, identities: [VERIFIED] }] }),
    });
    expect(await tellVisitorsTyping(nobody.deps, 'cv_1')).toBe(0);
    expect(nobody.pushed).toEqual([]);
    const erased = deps(CONVERSATION, {
      merged: async () => {
        throw new GoneError('customer cu_1 was erased');
      },
    });
    expect(await tellVisitorsTyping(erased.deps, 'cv_1')).toBe(0);
    expect(erased.pushed).toEqual([]);
  });

  it('sends nothing when the reply naming no channel gives way from the stranger to the customer’s email', async () => {
    // The customer also emails; the stranger merged in wrote the chat's latest message here. The
    // reply naming no channel goes by email (nobody vouched for the stranger): before, the stranger saw
    // the typing anyway.
    const emailing: Customer = {
      ...CUSTOMER,
      channels: ['email', 'webchat'],
      lastInboundChannel: 'webchat',
      lastInboundByChannel: { email: '2026-12-05T09:00:00.000Z', webchat: '2026-12-05T10:00:00.000Z' },
    };
    const t = deps(CONVERSATION, {
      latest: { cu_1: chat(STRANGER, '2026-12-05T10:00:00.000Z') },
      merged: async () => ({ partitions: ['cu_1'], customers: [emailing] }),
    });
    const recipient = { customer: emailing, partitions: ['cu_1'], profiles: [emailing] };
    const choice = { channel: 'webchat' as const, named: false, check: (channel: 'email') => channel };
    const reply = await defaultedDestination(t.deps, recipient, choice, 'cv_1');
    expect(reply).toMatchObject({ channel: 'email', to: VERIFIED });
    expect(await tellVisitorsTyping(t.deps, 'cv_1')).toBe(0);
    expect(t.pushed).toEqual([]);
    // Named, the chat would take it; the typing follows the reply naming none (the console's default).
    const named = await defaultedDestination(t.deps, recipient, { ...choice, named: true }, 'cv_1');
    expect(named).toMatchObject({ channel: 'webchat', to: STRANGER });
  });

  it('sends nothing for a conversation on another channel or one that does not exist', async () => {
    const email = deps({ ...CONVERSATION, channel: 'email' });
    expect(await tellVisitorsTyping(email.deps, 'cv_1')).toBe(0);
    expect(email.pushed).toEqual([]);
    const missing = deps(undefined);
    expect(await tellVisitorsTyping(missing.deps, 'cv_9')).toBe(0);
    expect(missing.pushed).toEqual([]);
  });
});
