import { afterEach, describe, expect, it, vi } from 'vitest';
import { configuredSenders } from '#shared/channels/senders.js';
import { loadConfig } from '#shared/config/config.js';
import { type OutboundMessage, OutboundMessageSchema } from '#shared/domain/outbound.js';
import { CredentialsRefusedError } from '#shared/domain/send-errors.js';
import { REFRESH_EVERY_MS } from '#shared/lambda/refresh-on-refusal.js';
import { refreshOnCredentialsRefused } from '#shared/lambda/refresh-senders.js';

// The sender read its provider secret at cold start only: after a token was renewed, a warm container
// kept sending with the old one and every reply was refused until it was recycled. Now a refusal of our
// credentials reads the secret again (at most once a minute per container) and tries the send once more.

const senders = (token: string) =>
  configuredSenders(
    loadConfig({ WHATSAPP_ACCESS_TOKEN: token, WHATSAPP_PHONE_NUMBER_ID: '106540352242922' }),
  );

const reply: OutboundMessage = OutboundMessageSchema.parse({
  id: 'rp_1',
  customerId: 'cu_1',
  conversationId: 'cv_1',
  at: '2026-12-07T13:00:00.000Z',
  channel: 'whatsapp',
  to: { kind: 'phone', value: '+14155550100' },
  text: 'Your parcel left today.',
  author: { kind: 'agent', id: 'ag_1' },
});

/** The Graph API taking only `valid`'s token (190 otherwise); the tokens it was called with, in order. */
function graph(valid: string) {
  const tokens: string[] = [];
  vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
    const token = String(new Headers(init.headers).get('authorization')).replace('Bearer ', '');
    tokens.push(token);
    if (token === valid)
      return new Response(JSON.stringify({ messages: [{ id: 'wamid.1' }] }), { status: 200 });
    const error = { message: 'Session has expired', type: 'OAuthException', code: 190, fbtrace_id: 'Ax' };
    return new Response(JSON.stringify({ error }), { status: 401 });
  });
  return tokens;
}

afterEach(() => vi.unstubAllGlobals());

describe('the sender reads its secret again when the provider refuses our credentials', () => {
  it('sends once more with the renewed token, and keeps it for the next replies', async () => {
    const tokens = graph('new-token');
    let now = 1_000_000;
    const rebuild = vi.fn(async () => senders('new-token'));
    const wrapped = refreshOnCredentialsRefused(senders('old-token'), rebuild, () => now);
    now += REFRESH_EVERY_MS;
    expect(await wrapped.whatsapp?.send(reply)).toEqual({ providerMessageId: 'wamid.1' });
    expect(await wrapped.whatsapp?.send(reply)).toEqual({ providerMessageId: 'wamid.1' });
    expect(tokens).toEqual(['old-token', 'new-token', 'new-token']);
    expect(rebuild).toHaveBeenCalledTimes(1);
  });

  it('reads it at most once a minute: a token still refused fails the send (to be retried by the queue)', async () => {
    const tokens = graph('nobody');
    let now = 1_000_000;
    const rebuild = vi.fn(async () => senders('still-old'));
    const wrapped = refreshOnCredentialsRefused(senders('old-token'), rebuild, () => now);
    // Just read at cold start: not read again yet.
    await expect(wrapped.whatsapp?.send(reply)).rejects.toThrow(CredentialsRefusedError);
    expect(rebuild).not.toHaveBeenCalled();
    now += REFRESH_EVERY_MS;
    await expect(wrapped.whatsapp?.send(reply)).rejects.toThrow(CredentialsRefusedError);
    await expect(wrapped.whatsapp?.send(reply)).rejects.toThrow(CredentialsRefusedError);
    expect(rebuild).toHaveBeenCalledTimes(1);
    expect(tokens).toEqual(['old-token', 'old-token', 'still-old', 'still-old']);
  });

  it('answers the refusal when the secret cannot be read, and keeps the senders it has', async () => {
    const tokens = graph('new-token');
    let now = 1_000_000;
    const wrapped = refreshOnCredentialsRefused(
      senders('old-token'),
      () => Promise.reject(new Error('throttled')),
      () => now,
    );
    now += REFRESH_EVERY_MS;
    await expect(wrapped.whatsapp?.send(reply)).rejects.toThrow(CredentialsRefusedError);
    expect(tokens).toEqual(['old-token']);
  });

  it('does not read it again on a refusal of the customer (one send, failed as before)', async () => {
    vi.stubGlobal('fetch', async () => {
      const error = { message: 'Message Undeliverable.', type: 'OAuthException', code: 131026 };
      return new Response(JSON.stringify({ error }), { status: 400 });
    });
    const rebuild = vi.fn(async () => senders('new-token'));
    const wrapped = refreshOnCredentialsRefused(senders('old-token'), rebuild, () => 10 * REFRESH_EVERY_MS);
    await expect(wrapped.whatsapp?.send(reply)).rejects.toThrow(/refused the message/);
    expect(rebuild).not.toHaveBeenCalled();
  });
});
