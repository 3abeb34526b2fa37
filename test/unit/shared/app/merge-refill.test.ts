import { describe, expect, it } from 'vitest';
import { type MergeDeps, mergeCustomers } from '#shared/app/merge-customers.js';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import { bareCustomer } from '../../../support/bare-customer.js';

const T0 = '2026-06-10T10:00:00.000Z';

const customer = (id: string, over: Partial<Customer>) => bareCustomer(id, T0, over);

const conversation = (id: string, customerId: string, over: Partial<Conversation>): Conversation => ({
  id,
  customerId,
  status: 'open',
  createdAt: T0,
  channels: ['whatsapp'],
  channelSwitch: false,
  queue: 'general',
  ...over,
});

/** Two customers, each with an open conversation; the merge moves `cu_src` into `cu_keep`. */
function merging(refill: MergeDeps['refill']) {
  const customers = new Map([
    ['cu_keep', customer('cu_keep', { openConversationId: 'cv_keep' })],
    ['cu_src', customer('cu_src', { openConversationId: 'cv_src' })],
  ]);
  const conversations = new Map([
    ['cv_keep', conversation('cv_keep', 'cu_keep', { assignee: 'agent-bo' })],
    ['cv_src', conversation('cv_src', 'cu_src', { assignee: 'agent-ana' })],
  ]);
  const resolved: string[] = [];
  const deps: MergeDeps = {
    store: {
      getCustomer: async (id) => structuredClone(customers.get(id)),
      getConversation: async (id) => structuredClone(conversations.get(id)),
    },
    admin: {
      merge: async (targetId, sourceId) => {
        (customers.get(sourceId) as Customer).mergedInto = targetId;
        return { targetId, sourceId };
      },
      resolveConversation: async (id) => {
        resolved.push(id);
        (conversations.get(id) as Conversation).status = 'resolved';
        return T0;
      },
      joinConversation: async () => undefined,
      adoptConversation: async () => true,
      releaseAdopted: async () => undefined,
      waitFromJoined: async () => false,
      addNote: async (id, text, agentId, at) => ({
        id: `note:${id}`,
        type: 'note',
        text,
        agentId,
        at,
        customerId: 'cu_src',
      }),
    },
    audit: { recordAudit: async (entry) => ({ ...entry, id: 'au_1' }) },
    clock: { now: () => new Date(T0) },
    refill,
  };
  return { deps, resolved };
}

describe('a merge that resolves the merged-away conversation', () => {
  it('refills the agent who had it, never with it; a failed refill fails nothing', async () => {
    const refilled: unknown[] = [];
    const { deps, resolved } = merging(async (agentId, options) => {
      refilled.push([agentId, options.skip]);
      throw new Error('throttled');
    });
    const kept = await mergeCustomers(deps, { targetId: 'cu_keep', sourceId: 'cu_src', agentId: 'admin-1' });
    expect(kept?.id).toBe('cu_keep');
    expect(resolved).toEqual(['cv_src']);
    expect(refilled).toEqual([['agent-ana', ['cv_src']]]);
  });
});
