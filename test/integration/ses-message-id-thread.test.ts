import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { beforeEach, describe, expect, it } from 'vitest';
import { SesSender } from '#shared/channels/ses/send.js';
import { type OutboundMessage, OutboundMessageSchema } from '#shared/domain/outbound.js';
import { replyItem } from '#shared/domain/replies.js';
import { mockAws } from '../support/aws-mock.js';
import { type RecordedCall, recordCalls } from '../support/call-recorder.js';
import { useLocalStore } from '../support/local-store.js';

const TABLE = 'ses-message-id-thread';
const THEIR_FIRST = '<CAH1=first@mail.gmail.com>';

/**
 * SES overwrites the Message-ID of every mail it sends with its own (`<MessageId@<region>.amazonses.com>`),
 * so a customer's answer names SES's id in In-Reply-To. The thread was linked under the Message-ID we
 * had written, which only References carries back: every answer to our mail read a missing link first
 * (one GetItem spent) before References found ours. The link is under SES's id now: one read. Replies
 * sent before keep their link under our id, and an answer to one still finds it, through References.
 */
describe('an answer to mail sent through SES finds its thread', () => {
  const local = useLocalStore(TABLE);
  const ses = mockAws(SESClient);
  beforeEach(() => {
    ses.reset();
  });
  let recorded: RecordedCall[] | undefined;
  const record = (): RecordedCall[] => {
    recorded ??= recordCalls(local.dynamo.client);
    recorded.length = 0;
    return recorded;
  };

  const reply = (n: number): OutboundMessage =>
    OutboundMessageSchema.parse({
      id: `rp_ses${n}`,
      customerId: `cu_ses${n}`,
      conversationId: `cv_ses${n}`,
      at: `2026-12-05T10:0${n}:00.000Z`,
      channel: 'email',
      to: { kind: 'email', value: `ada${n}@example.com` },
      text: 'Your parcel left today.',
      email: { subject: 'Parcel', inReplyTo: THEIR_FIRST, references: [THEIR_FIRST] },
      author: { kind: 'agent', id: 'agent-1' },
    });

  /** Puts the reply on the timeline, claims it, sends it through SES (mocked) in `region`, records it. */
  const sendThroughSes = async (message: OutboundMessage, sesId: string, region: string) => {
    ses.on(SendRawEmailCommand).resolves({ MessageId: sesId });
    const ours = `ours-${sesId}`;
    const sender = new SesSender({
      client: new SESClient({ region }),
      from: 'support@acme.example',
      messageIdFactory: () => ours,
    });
    await local.repos.timeline.putTimelineItem(replyItem(message), undefined);
    expect(await local.repos.replies.claimSend(message, new Date(message.at), 30_000)).toBe('claimed');
    const result = await sender.send(message);
    await local.repos.replies.recordSent(message, result, message.at);
    return { ours: `<${ours}@acme.example>`, result };
  };

  /** The thread lookup of the customer's answer: In-Reply-To, then References newest first (threadParents). */
  const answer = async (parents: string[]) => {
    const calls = record();
    const link = await local.repos.timeline.findThread('email', parents);
    return { link, reads: calls.map((c) => c.command) };
  };

  it('in one read, by the Message-ID SES gave our mail (eu-west-1)', async () => {
    const message = reply(1);
    const sesId = '0102018e1a2b3c4d-5e6f7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b-000000';
    const { ours } = await sendThroughSes(message, sesId, 'eu-west-1');
    const theirs = `<${sesId}@eu-west-1.amazonses.com>`;
    // The customer's client: In-Reply-To our mail's Message-ID (SES's), References ours and it.
    const { link, reads } = await answer([theirs, ours, THEIR_FIRST]);
    expect(link).toMatchObject({ customerId: message.customerId, conversationId: message.conversationId });
    expect(reads).toEqual(['GetItem']);
  });

  it('in one read in us-east-1, whose Message-IDs are @email.amazonses.com', async () => {
    const message = reply(2);
    const sesId = '0100018e1a2b3c4d-aaaaaaaa-1c2d-4e3f-9a0b-1c2d3e4f5a6b-000000';
    const { ours } = await sendThroughSes(message, sesId, 'us-east-1');
    const { link, reads } = await answer([`<${sesId}@email.amazonses.com>`, ours, THEIR_FIRST]);
    expect(link).toMatchObject({ conversationId: message.conversationId });
    expect(reads).toEqual(['GetItem']);
  });

  it('still finds a reply sent before, linked under our own Message-ID, through References', async () => {
    const message = reply(3);
    const sesId = '0102018e1a2b3c4d-bbbbbbbb-1c2d-4e3f-9a0b-1c2d3e4f5a6b-000000';
    await local.repos.timeline.putTimelineItem(replyItem(message), undefined);
    expect(await local.repos.replies.claimSend(message, new Date(message.at), 30_000)).toBe('claimed');
    // As the sender recorded it before this version: the Message-ID we wrote.
    const ours = '<ours-before@acme.example>';
    await local.repos.replies.recordSent(
      message,
      { providerMessageId: sesId, messageIdHeader: ours },
      message.at,
    );
    const { link, reads } = await answer([`<${sesId}@eu-west-1.amazonses.com>`, ours, THEIR_FIRST]);
    expect(link).toMatchObject({ conversationId: message.conversationId });
    expect(reads).toEqual(['GetItem', 'GetItem']);
  });
});
