import { describe, expect, it } from 'vitest';
import { customerLabel } from '../../../../functions/agent-api/console/customer-label.js';

describe("the console's name for a customer", () => {
  const instagram = { kind: 'instagram', value: '17841400000000000:IGSID-981' };

  it('is the name when there is one', () => {
    expect(customerLabel('Grace', instagram)).toEqual({ text: 'Grace' });
  });

  it('is "Instagram user" or "Messenger user" for an unnamed customer, the id in the title', () => {
    // QA: the inbox showed the raw `17841…:IGSID-…` as the customer's name.
    expect(customerLabel(undefined, instagram)).toEqual({ text: 'Instagram user', title: instagram.value });
    expect(customerLabel(undefined, { kind: 'messenger', value: 'PSID-1' })).toEqual({
      text: 'Messenger user',
      title: 'PSID-1',
    });
  });

  it('is "Web chat visitor" for an unnamed anonymous web-chat customer, the visitor id in the title', () => {
    // QA: the inbox, the customer panel and the conversation's heading showed the raw visitor id.
    const visitor = { kind: 'webchat_visitor', value: 'wv_3kq9ZpXc7Lr2' };
    expect(customerLabel(undefined, visitor)).toEqual({ text: 'Web chat visitor', title: visitor.value });
    expect(customerLabel('Rita', visitor)).toEqual({ text: 'Rita' });
  });

  it('is the number or the address an agent can read, and nothing when there is neither', () => {
    expect(customerLabel(undefined, { kind: 'phone', value: '+14155550999' })).toEqual({
      text: '+14155550999',
    });
    expect(customerLabel(undefined, { kind: 'email', value: 'sue@acme.example' })).toEqual({
      text: 'sue@acme.example',
    });
    expect(customerLabel(undefined, undefined)).toEqual({ text: undefined });
  });

  it('is an address with an internationalised domain as people write it, not its Punycode key', () => {
    const ute = { kind: 'email', value: 'ute@xn--mnchen-3ya.de', display: 'ute@münchen.de' };
    expect(customerLabel(undefined, ute)).toEqual({ text: 'ute@münchen.de' });
  });
});
