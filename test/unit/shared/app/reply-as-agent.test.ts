import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, type GetCommandInput } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { replyAsAgent } from '#shared/app/reply-as-agent.js';
import type { ReplyRequest } from '#shared/domain/replies.js';
import { GoneError, NotFoundError, UnprocessableError } from '#shared/errors.js';
import { adminPorts, dynamoRepositories, storePorts } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const NOW = '2026-12-05T10:00:00.000Z';

/** An open conversation nobody has, and its customer's profile as `profile` says (absent: none). */
function table(profile: Record<string, unknown> | undefined) {
  ddb.on(GetCommand).callsFake((input: GetCommandInput) => {
    const pk = String(input.Key?.pk);
    if (pk === 'CONVERSATION#cv_1') {
      return {
        Item: {
          pk,
          sk: 'CONVERSATION',
          entity: 'conversation',
          id: 'cv_1',
          customerId: 'cu_1',
          status: 'open',
          createdAt: '2026-12-05T09:00:00.000Z',
          channels: ['sms'],
        },
      };
    }
    if (pk === 'CUSTOMER#cu_1') return profile ? { Item: { pk, sk: 'PROFILE', ...profile } } : {};
    throw new Error(`unexpected read of ${pk}`);
  });
}

function reply(text = 'Hello', content: Partial<ReplyRequest> = {}) {
  const repos = dynamoRepositories(documentClient(new DynamoDBClient({ region: 'eu-west-1' })), 'threadline');
  const store = storePorts(repos);
  const queued: unknown[] = [];
  return replyAsAgent(
    {
      replies: {
        store,
        queue: { enqueue: async (message: unknown) => void queued.push(message) },
        clock: { now: () => new Date(NOW) },
        newId: () => 'rp_1',
      },
      store,
      admin: adminPorts(repos),
    },
    {
      conversationId: 'cv_1',
      request: { text, attachments: [], ...content },
      agentId: 'agent-1',
      idempotencyKey: 'k1',
    },
  );
}

/** The customer's address on each channel, as the profile stores it (identity tokens). */
const ADDRESS: Record<string, string> = {
  email: 'email#ana@example.com',
  instagram: 'instagram#17841400000000001:IGSID-1',
  messenger: 'messenger#PAGE1:PSID-1',
  sms: 'phone#+447700900123',
  webchat: 'webchat_visitor#v_1',
  whatsapp: 'phone#+447700900123',
};

/** The open conversation's customer, who last wrote on `channel` just now. */
const customerOn = (channel: string) =>
  table({
    entity: 'customer',
    id: 'cu_1',
    createdAt: NOW,
    identities: new Set([ADDRESS[channel]]),
    channels: new Set([channel]),
    lastInboundChannel: channel,
    lastInboundAt: NOW,
    [`lastInbound_${channel}`]: NOW,
  });

/** Every command sent but reads: what the call wrote. */
const writes = () =>
  ddb
    .calls()
    .map((call) => call.args[0].constructor.name)
    .filter((name) => !['GetCommand', 'QueryCommand', 'BatchGetCommand'].includes(name));

/**
 * A reply whose customer is being erased, or is gone, is refused before anything is written: the
 * conversation is not assigned to the agent who tried (QA: the `assigned` event and the assignee were
 * written, then the reply answered 410).
 */
describe('replyAsAgent refused for its customer', () => {
  beforeEach(() => ddb.reset());

  it('writes nothing for a customer being erased (410)', async () => {
    table({ entity: 'customer', id: 'cu_1', createdAt: NOW, identities: [], erasingSince: NOW });
    await expect(reply()).rejects.toBeInstanceOf(GoneError);
    expect(writes()).toEqual([]);
  });

  it('writes nothing for an erased customer (410)', async () => {
    table({ entity: 'erased_customer', erasedAt: NOW });
    await expect(reply()).rejects.toBeInstanceOf(GoneError);
    expect(writes()).toEqual([]);
  });

  it('writes nothing for a conversation whose customer has no profile (404)', async () => {
    table(undefined);
    await expect(reply()).rejects.toBeInstanceOf(NotFoundError);
    expect(writes()).toEqual([]);
  });
});

/**
 * A reply longer than its channel's provider takes in one message is refused before anything is written
 * (QA: a 1,500-character Instagram reply was accepted, `202`, and could only fail at Meta, the
 * conversation assigned to the agent all the same).
 */
describe('replyAsAgent refused for its length', () => {
  beforeEach(() => ddb.reset());

  it.each([
    ['instagram', 1001],
    ['messenger', 2001],
    ['sms', 1601],
    ['whatsapp', 4097],
  ])('refuses %s over its limit (%i characters): 422 text_too_long, nothing written', async (channel, n) => {
    customerOn(channel);
    const refused = reply('x'.repeat(n));
    await expect(refused).rejects.toBeInstanceOf(UnprocessableError);
    await expect(refused).rejects.toMatchObject({ code: 'text_too_long' });
    expect(writes()).toEqual([]);
  });
});

/**
 * A reply the channel's provider cannot carry in one message is refused before anything is written,
 * as the sender would refuse it for good (QA, integrator: a WhatsApp template sent to an SMS customer,
 * or to Messenger, was accepted `202` and then failed at the send, the customer hearing nothing; on email
 * the template was dropped and only the text went out).
 */
describe('replyAsAgent refused for what its channel cannot carry', () => {
  beforeEach(() => ddb.reset());

  const template = { name: 'order_update', language: 'en', parameters: [] };
  const file = (n: number) => ({ url: `https://shop.example/f${n}.pdf`, kind: 'document' as const });

  it.each([
    ['sms', undefined, { template }],
    ['messenger', undefined, { template }],
    ['instagram', undefined, { template }],
    ['email', 'Your order', { template }],
    ['webchat', undefined, { template }],
    ['whatsapp', 'and some text', { template }],
    ['whatsapp', undefined, { template, attachments: [file(1)] }],
    ['whatsapp', undefined, { attachments: [file(1), file(2)] }],
    ['messenger', undefined, { attachments: [file(1), file(2)] }],
    ['instagram', 'see the file', { attachments: [file(1)] }],
    ['messenger', 'see the file', { attachments: [file(1)] }],
  ] as const)(
    'refuses on %s: text %s with %j: 422 content_not_supported, nothing written',
    async (channel, text, content) => {
      customerOn(channel);
      const refused = reply('', { text, ...content } as Partial<ReplyRequest>);
      await expect(refused).rejects.toBeInstanceOf(UnprocessableError);
      await expect(refused).rejects.toMatchObject({ code: 'content_not_supported' });
      expect(writes()).toEqual([]);
    },
  );
});

/**
 * A WhatsApp template Meta would refuse after the `202` (132001: no such template in that language,
 * 132000: its parameters) is refused at once, naming the field, before anything is written (support:
 * the agent had moved on when the reply turned `failed`).
 */
describe('replyAsAgent refused for a template Meta would refuse', () => {
  beforeEach(() => ddb.reset());

  it.each([
    [
      { name: 'Order Update', language: 'en' },
      'template.name: "Order Update" is not a WhatsApp template name',
    ],
    [
      { name: 'order_update', language: 'en-US' },
      'template.language: "en-US" is not a WhatsApp template language code',
    ],
    [{ name: 'order_update', language: 'en-US' }, '(did you mean "en_US"?)'],
    [{ name: 'order_update', language: 'pt' }, '(for that language: pt_BR, pt_PT)'],
    [{ name: 'order_update', language: 'xx' }, 'template.language: "xx"'],
    [
      { name: 'order_update', language: 'en', parameters: ['Ana', ' '] },
      'template.parameters: parameter {{2}} is empty',
    ],
  ])('refuses %j: 422 template_invalid, nothing written', async (template, message) => {
    customerOn('whatsapp');
    const refused = reply('', { text: undefined, template: { parameters: [], ...template } });
    await expect(refused).rejects.toBeInstanceOf(UnprocessableError);
    await expect(refused).rejects.toMatchObject({ code: 'template_invalid' });
    await expect(refused).rejects.toThrow(message);
    expect(writes()).toEqual([]);
  });
});
