import { expect } from 'vitest';

/**
 * What an erasure leaves naming an email address that bounced: its suppression alone, detached from
 * the customer (shared/store/suppression-keep.ts): the address, the reason and its time.
 */
export const keptSuppression = (address: string) => [
  {
    pk: `CONTACT#email#${address}`,
    sk: 'CONTACT',
    entity: 'contact_state',
    kind: 'email',
    value: address,
    blocked: true,
    reason: expect.stringMatching(/^bounce/),
    at: expect.any(String),
    envelopeId: 'erased',
    erasedAt: expect.any(String),
  },
];
