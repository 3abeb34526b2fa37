import { describe, expect, it } from 'vitest';
import type { Envelope } from '#shared/domain/envelope.js';
import { routableKind } from '#shared/domain/routing/routable.js';
import { inboundText } from '../../fakes/envelopes.js';
import { memoryReceiver } from '../../fakes/receiver.js';

const address = { kind: 'email', value: 'dana@example.com' } as const;

function mail(sesId: string, authenticated: boolean, occurredAt = '2025-06-10T10:00:00.000Z'): Envelope {
  return inboundText({
    id: `ses:msg:${sesId}`,
    provider: 'ses',
    channel: 'email',
    providerMessageId: sesId,
    customer: address,
    occurredAt,
    text: 'Please send the refund to my new account',
    ...(authenticated ? {} : { data: { authenticated: false } }),
  });
}

describe('unauthenticated mail (SPF and DKIM both failed)', () => {
  it('goes to its own customer, never the holder of the address, which becomes a suggestion', async () => {
    const { store, receive } = memoryReceiver();
    const real = await receive(mail('ses-real', true));
    const spoofed = await receive(mail('ses-spoof', false));
    expect(spoofed.customerId).not.toBe(real.customerId);
    expect(store.identities.get('email#dana@example.com')).toBe(real.customerId);
    expect(store.timeline(real.customerId as string).map((i) => i.id)).toEqual(['email:ses-real']);
    const [item] = store.timeline(spoofed.customerId as string);
    expect(item?.data).toEqual({ authenticated: false });
    expect(item && routableKind(item)).toBeUndefined();
    expect(store.suggestions.get(`${spoofed.customerId}#${real.customerId}`)?.status).toBe('open');
    // Delivered again later, it finds the same customer and adds nothing.
    const again = await receive(mail('ses-spoof', false, '2025-06-10T11:00:00.000Z'));
    expect(again.customerId).toBe(spoofed.customerId);
    expect(store.timeline(spoofed.customerId as string)).toHaveLength(1);
  });

  it('does not claim an address nobody holds: whoever proves it later meets the suggestion', async () => {
    const { store, receive } = memoryReceiver();
    const spoofed = await receive(mail('ses-spoof', false));
    expect(store.identities.size).toBe(0);
    const real = await receive(mail('ses-real', true));
    expect(store.identities.get('email#dana@example.com')).toBe(real.customerId);
    expect(store.suggestions.get(`${spoofed.customerId}#${real.customerId}`)?.status).toBe('open');
  });
});
