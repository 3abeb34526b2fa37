import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, type GetCommandInput } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { documentClient } from '#shared/store/sdk-documents.js';
import { forgetSuppressions, mailAddressTokens } from '#shared/store/suppression-erasure.js';
import { mockAws } from '../../../support/aws-mock.js';

const ddb = mockAws(DynamoDBDocumentClient);
const db = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), table: 'threadline' };

describe('mailAddressTokens', () => {
  it("names an inbound mail's From and Reply-To addresses, lower-cased, once each", () => {
    const mail = {
      channel: 'email',
      direction: 'inbound',
      from: { kind: 'email', value: 'eve@acme.example' },
      data: { replyToAddresses: ['Desk@Acme.example', 'eve@acme.example', 42] },
    };
    expect(mailAddressTokens(mail)).toEqual(['email#eve@acme.example', 'email#desk@acme.example']);
  });

  it('names an internationalised domain in Punycode, and as earlier versions kept it (their suppressions)', () => {
    const mail = {
      channel: 'email',
      direction: 'inbound',
      from: { kind: 'email', value: 'ute@münchen.de' },
      data: { replyToAddresses: ['desk@xn--mnchen-3ya.de'] },
    };
    expect(mailAddressTokens(mail)).toEqual([
      'email#ute@xn--mnchen-3ya.de',
      'email#ute@münchen.de',
      'email#desk@xn--mnchen-3ya.de',
      'email#desk@münchen.de',
    ]);
  });

  it('names the address of a suppression on the timeline (a bounce of our mail, attached to its customer)', () => {
    const bounce = {
      channel: 'email',
      type: 'event',
      event: 'suppressed',
      from: { kind: 'email', value: 'Desk@Acme.example' },
    };
    expect(mailAddressTokens(bounce)).toEqual(['email#desk@acme.example']);
    expect(mailAddressTokens({ ...bounce, event: 'provider_error' })).toEqual([]);
  });

  it('names nothing for our replies and other channels', () => {
    expect(
      mailAddressTokens({
        channel: 'email',
        direction: 'outbound',
        from: { kind: 'email', value: 'a@b.io' },
      }),
    ).toEqual([]);
    expect(
      mailAddressTokens({ channel: 'sms', direction: 'inbound', from: { kind: 'phone', value: '+1' } }),
    ).toEqual([]);
  });
});

describe('forgetSuppressions', () => {
  beforeEach(() => {
    ddb.reset();
    ddb
      .on(GetCommand)
      .callsFake((input: GetCommandInput) =>
        input.Key?.pk === 'IDENTITY#email#bob@acme.example' ? { Item: { customerId: 'cu_bob' } } : {},
      );
  });

  it("deletes the suppressions of addresses nobody else holds, reading each address's holder once", async () => {
    const removed: string[] = [];
    const group = {
      ids: new Set(['cu_eve']),
      identities: new Set(['email#eve@acme.example']),
      seen: new Set<string>(),
    };
    const remove = async (key: { pk: string }) => void removed.push(key.pk);
    const tokens = ['email#eve@acme.example', 'email#desk@acme.example', 'email#bob@acme.example'];
    await forgetSuppressions(db, tokens, group, remove);
    await forgetSuppressions(db, tokens, group, remove);
    // Eve's own address is the identities' step's; Bob's is Bob's.
    expect(removed).toEqual(['CONTACT#email#desk@acme.example']);
    expect(ddb.commandCalls(GetCommand).map((call) => call.args[0].input.Key?.pk)).toEqual([
      'IDENTITY#email#desk@acme.example',
      'IDENTITY#email#bob@acme.example',
    ]);
  });
});
