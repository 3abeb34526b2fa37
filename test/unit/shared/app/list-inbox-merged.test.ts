import { describe, expect, it } from 'vitest';
import { listInbox } from '#shared/app/list-inbox.js';
import { pageCursors } from '#shared/domain/page-cursor.js';
import type { Conversation, Customer } from '#shared/domain/timeline.js';

const profile = (id: string, fields: Partial<Customer> = {}): Customer => ({
  id,
  identities: [{ kind: 'messenger', value: `psid-${id}` }],
  channels: ['messenger'],
  createdAt: '2026-12-01T09:00:00.000Z',
  lastInboundByChannel: {},
  tags: [],
  mergedFrom: [],
  ...fields,
});
const conversation = (id: string, customerId: string): Conversation =>
  ({
    id,
    customerId,
    status: 'open',
    channel: 'messenger',
    channels: ['messenger'],
    createdAt: '2026-12-06T09:00:00.000Z',
    channelSwitch: false,
  }) as Conversation;

describe('listInbox: the customer of a conversation whose customer was merged away', () => {
  it('shows the kept customer’s name, read in one more batch for the page', async () => {
    const profiles = new Map([
      ['cu_gone', profile('cu_gone', { mergedInto: 'cu_kept' })],
      ['cu_kept', profile('cu_kept', { name: 'Rosa Díaz' })],
      ['cu_other', profile('cu_other', { name: 'Ola' })],
    ]);
    const reads: string[][] = [];
    const store = {
      inbox: async () => ({
        items: [conversation('co_1', 'cu_gone'), conversation('co_2', 'cu_other')],
        cursor: null,
      }),
      getCustomers: async (ids: readonly string[]) => {
        reads.push([...ids]);
        return ids.flatMap((id) => profiles.get(id) ?? []);
      },
      // The assignee check reads agents only for an empty page filtered on an agent: never here.
      getAgent: async () => {
        throw new Error('no agent read expected');
      },
      isAgentRemoved: async () => {
        throw new Error('no agent read expected');
      },
    };
    const page = await listInbox(
      { store, cursors: pageCursors(undefined) },
      { filter: { status: 'open' }, page: { limit: 20 }, agentId: 'lead' },
    );
    expect(page.items.map((c) => [c.id, c.customer?.name])).toEqual([
      ['co_1', 'Rosa Díaz'],
      ['co_2', 'Ola'],
    ]);
    expect(page.items[0]?.customer?.id).toBe('cu_kept');
    expect(reads).toEqual([['cu_gone', 'cu_other'], ['cu_kept']]);
  });
});
