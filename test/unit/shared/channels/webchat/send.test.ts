import { describe, expect, it } from 'vitest';
import { WEBCHAT_SESSION_ENDED, WebchatSender } from '#shared/channels/webchat/send.js';
import type { Envelope, Identity } from '#shared/domain/envelope.js';
import { OutboundMessageSchema } from '#shared/domain/outbound.js';
import { PermanentSendError } from '#shared/domain/send-errors.js';

const NOW = new Date('2025-06-10T12:00:00.000Z');

/** A web-chat sender whose visitors' live sessions are `live`, with each read and each envelope queued. */
function sender(live: boolean) {
  const reads: Identity[] = [];
  const queued: Envelope[] = [];
  const webchat = new WebchatSender({
    queue: { enqueue: async (e) => void queued.push(...e) },
    clock: { now: () => NOW },
    sessions: {
      hasLiveSession: async (identity) => {
        reads.push(identity);
        return live;
      },
    },
  });
  return { webchat, reads, queued };
}

const reply = (to: Identity) =>
  OutboundMessageSchema.parse({
    id: 'rp_1',
    customerId: 'cu_1',
    conversationId: 'cv_1',
    at: NOW.toISOString(),
    channel: 'webchat',
    to,
    text: 'It arrives tomorrow.',
    author: { kind: 'agent', id: 'ag_1' },
  });

describe("the web chat's sender", () => {
  const anonymous = { kind: 'webchat_visitor' as const, value: 'vs_1' };

  it('refuses for good a reply to an anonymous visitor with no live session: no delivered status, one read', async () => {
    const { webchat, reads, queued } = sender(false);
    const refused = await webchat.send(reply(anonymous)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PermanentSendError);
    expect((refused as PermanentSendError).providerCode).toBe(WEBCHAT_SESSION_ENDED);
    expect([reads, queued]).toEqual([[anonymous], []]);
  });

  it('reports delivered while the anonymous visitor has a live session', async () => {
    const { webchat, reads, queued } = sender(true);
    expect(await webchat.send(reply(anonymous))).toMatchObject({ providerMessageId: 'rp_1' });
    expect(reads).toHaveLength(1);
    expect(queued.map((e) => (e as { status?: string }).status)).toEqual(['delivered']);
  });

  it("reads nothing for a signed-in visitor's reply: it waits in their history for their next session", async () => {
    const { webchat, reads, queued } = sender(false);
    await webchat.send(reply({ kind: 'webchat_user', value: 'user-1' }));
    expect([reads.length, queued.length]).toEqual([0, 1]);
  });
});
