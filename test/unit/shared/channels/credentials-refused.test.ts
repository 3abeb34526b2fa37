import {
  AccountSendingPausedException,
  MessageRejected,
  SESClient,
  SESServiceException,
  SendRawEmailCommand,
} from '@aws-sdk/client-ses';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configuredSenders } from '#shared/channels/senders.js';
import { loadConfig } from '#shared/config/config.js';
import type { Channel } from '#shared/domain/envelope.js';
import { type OutboundMessage, OutboundMessageSchema } from '#shared/domain/outbound.js';
import {
  CredentialsRefusedError,
  PermanentSendError,
  RetryableSendError,
} from '#shared/domain/send-errors.js';
import { mockAws } from '../../../support/aws-mock.js';

// Our credentials or account refused (an expired token, a wrong auth token, a paused account) stop every
// reply on the channel until an admin fixes them: told apart from a refusal of this one customer, so the
// reply is retried (and redriven) rather than failed for good. Before, both were PermanentSendError.

const TOKEN = 'EAAGm0PX4ZCpsBAOLDtoken';
const AUTH_TOKEN = 'f00dfeedf00dfeedf00dfeedf00dfeed';
const ses = mockAws(SESClient);
const $metadata = { httpStatusCode: 403 };

const senders = () =>
  configuredSenders(
    loadConfig({
      WHATSAPP_ACCESS_TOKEN: TOKEN,
      WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
      META_PAGE_ACCESS_TOKEN: TOKEN,
      TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM_NUMBER: '+15017120001',
      SES_FROM_ADDRESS: 'support@acme.example',
    }),
    { ses: new SESClient({ region: 'eu-west-1' }) },
  );

const reply = (channel: Channel): OutboundMessage =>
  OutboundMessageSchema.parse({
    id: 'rp_1',
    customerId: 'cu_1',
    conversationId: 'cv_1',
    at: '2026-12-07T13:00:00.000Z',
    channel,
    to:
      channel === 'email'
        ? { kind: 'email', value: 'ada@example.com' }
        : channel === 'messenger'
          ? { kind: 'messenger', value: '1906385232743851:6000000000000001' }
          : { kind: 'phone', value: '+14155550100' },
    text: 'Your parcel left today.',
    ...(channel === 'email' ? { email: { subject: 'Parcel' } } : {}),
    author: { kind: 'agent', id: 'ag_1' },
  });

/** Every provider call answered `status` with `body` (JSON). */
const answering = (status: number, body: unknown) =>
  vi.stubGlobal('fetch', async () => new Response(JSON.stringify(body), { status }));

const graph = (code: number, subcode?: number) => ({
  error: { message: 'refused', type: 'OAuthException', code, error_subcode: subcode, fbtrace_id: 'Ax' },
});

async function refusal(channel: Channel): Promise<Error> {
  const sender = senders()[channel];
  if (!sender) throw new Error(`no ${channel} sender`);
  return sender.send(reply(channel)).then(
    () => {
      throw new Error('sent');
    },
    (error: Error) => error,
  );
}

beforeEach(() => ses.reset());
afterEach(() => vi.unstubAllGlobals());

describe('a refusal of our credentials or account is told apart from a refusal of the customer', () => {
  it.each([
    ['whatsapp', 401, graph(190), '190'],
    ['whatsapp', 401, graph(0), '0'],
    ['whatsapp', 403, graph(10), '10'],
    ['whatsapp', 403, graph(200), '200'],
    ['whatsapp', 400, graph(131031), '131031'],
    ['messenger', 401, graph(190, 463), '190/463'],
    ['messenger', 403, graph(10), '10'],
    ['sms', 401, { code: 20003, message: `Authenticate ${AUTH_TOKEN}`, status: 401 }, '20003'],
    ['sms', 403, {}, 'http_403'],
  ] as const)(
    '%s answering HTTP %i %j: credentials refused, retryable',
    async (channel, status, body, code) => {
      answering(status, body);
      const error = await refusal(channel);
      expect(error).toBeInstanceOf(CredentialsRefusedError);
      expect(error).toBeInstanceOf(RetryableSendError);
      expect((error as CredentialsRefusedError).providerCode).toBe(code);
      expect(error.message).not.toContain(AUTH_TOKEN);
      expect(error.message).not.toContain(TOKEN);
    },
  );

  it.each([
    ['whatsapp', 400, graph(131026)],
    ['whatsapp', 400, graph(131047)],
    ['messenger', 400, graph(10, 2018278)],
    ['messenger', 400, graph(551)],
    ['sms', 400, { code: 21610, message: 'Unsubscribed recipient', status: 400 }],
    ['sms', 400, { code: 21211, message: 'Invalid To', status: 400 }],
  ] as const)(
    '%s answering HTTP %i %j: the customer refused, failed for good',
    async (channel, status, body) => {
      answering(status, body);
      const error = await refusal(channel);
      expect(error).toBeInstanceOf(PermanentSendError);
      expect(error).not.toBeInstanceOf(CredentialsRefusedError);
    },
  );

  it.each([
    ['AccountSendingPausedException', new AccountSendingPausedException({ $metadata, message: 'paused' })],
    [
      'AccessDenied',
      new SESServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata,
        message: 'not authorized',
      }),
    ],
    [
      'InvalidClientTokenId',
      new SESServiceException({ name: 'InvalidClientTokenId', $fault: 'client', $metadata, message: 'bad' }),
    ],
  ])('email refused with %s: credentials refused, retryable', async (code, error) => {
    ses.on(SendRawEmailCommand).rejects(error);
    const thrown = await refusal('email');
    expect(thrown).toBeInstanceOf(CredentialsRefusedError);
    expect((thrown as CredentialsRefusedError).providerCode).toBe(code);
  });

  it('email rejected for its content or address: failed for good', async () => {
    ses.on(SendRawEmailCommand).rejects(new MessageRejected({ $metadata, message: 'Address blacklisted.' }));
    const thrown = await refusal('email');
    expect(thrown).toBeInstanceOf(PermanentSendError);
  });
});
