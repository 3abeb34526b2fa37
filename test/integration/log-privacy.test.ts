import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { logger } from '#shared/log.js';
import { agentToken } from '../support/agent-token.js';
import { DynamoFaults } from '../support/dynamo-faults.js';
import { startTestRuntime } from '../support/runtime.js';
import {
  deliver,
  instagramText,
  sesReceived,
  signedMeta,
  signedSes,
  signedTwilio,
  snsNotification,
  whatsappText,
} from '../support/webhooks.js';

// `npm test` runs with POWERTOOLS_LOG_LEVEL=SILENT, and the logger reads its level once, when
// shared/log.ts is first imported: set INFO before any import (vi.hoisted runs first) so that lines are
// really written, and captured below.
const previousLevel = vi.hoisted(() => {
  const previous = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  return previous;
});

/**
 * A journey through the local runtime on several channels, an agent's reply, and bad requests, with
 * every line written to stdout and stderr captured: none may carry message text, a phone number in any
 * format, an email address, a name, a bearer token or a provider secret.
 */

const META_SECRET = 'log-privacy-meta-secret-9f2c';
const TWILIO_TOKEN = 'log-privacy-twilio-token-71aa';
const AGENT_TOKEN = agentToken('log-privacy-agent-token-4d0e');
const WRONG_TOKEN = 'log-privacy-wrong-token-c3b8';

const PHONE_E164 = '+14155550142';
const PHONE_DIGITS = '14155550142';
const NAME = 'Dana Whitfield';
const EMAIL = 'dana.whitfield@example.org';
const PAGE = '682498302938465';
const PSID = '7719355012';
const TEXTS = {
  whatsapp: 'WhatsApp: my parcel to Zanzibar is late',
  sms: 'SMS: still waiting for the Zanzibar parcel',
  messenger: 'Messenger: the kumquat order never came',
  instagram: 'Instagram: the feijoa box was crushed',
  email: 'Email: writing about the quince delivery',
  transcript: 'Voicemail: please call me about the persimmon box',
  reply: 'Reply: your marmalade ships tomorrow',
  refused: 'Refused: forged text about the tamarind',
  rejected: 'Rejected: item without sender about the lychee',
  badReply: 'Bad reply: about the loquat',
};

/** What must never appear in a log line (compared case-insensitively). */
const FORBIDDEN: string[] = [
  PHONE_E164,
  PHONE_DIGITS,
  '4155550142',
  '(415) 555',
  '415-555',
  '415 555',
  '555-0142',
  '555 0142',
  NAME,
  'Whitfield',
  EMAIL,
  '@example.org',
  AGENT_TOKEN,
  WRONG_TOKEN,
  META_SECRET,
  TWILIO_TOKEN,
  ...Object.values(TEXTS),
  // One distinctive word of each text, so a truncated or re-cased quote is caught too.
  'Zanzibar',
  'kumquat',
  'feijoa',
  'quince',
  'persimmon',
  'marmalade',
  'tamarind',
  'lychee',
  'loquat',
];

function decoded(line: string): string {
  try {
    return decodeURIComponent(line);
  } catch {
    return line;
  }
}

describe('local runtime: logs carry ids and codes, never personal data or secrets', () => {
  let runtime: LocalRuntime;
  const lines: string[] = [];
  const faults = new DynamoFaults();
  const restores: (() => void)[] = [];

  /** Captures every write to a stream (not passed on: the run's own output stays quiet). */
  const capture = (stream: NodeJS.WriteStream) => {
    const spy = vi.spyOn(stream, 'write').mockImplementation(((
      chunk: string | Uint8Array,
      ...rest: unknown[]
    ) => {
      lines.push(...(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')).split('\n'));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write);
    restores.push(() => spy.mockRestore());
  };

  beforeAll(async () => {
    capture(process.stdout);
    capture(process.stderr);
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      const spy = vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        lines.push(...args.map(String).join(' ').split('\n'));
      });
      restores.push(() => spy.mockRestore());
    }
    runtime = await startTestRuntime({
      env: {
        META_APP_SECRET: META_SECRET,
        TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
        AGENT_TOKENS: `agent-priv:${AGENT_TOKEN}:admin`,
      },
      queue: { visibilityTimeoutMs: 1000 },
      dynamoClient: (client) => faults.attach(client),
    });
  });

  afterAll(async () => {
    await runtime?.close();
    for (const restore of restores.reverse()) restore();
    if (previousLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
    else process.env.POWERTOOLS_LOG_LEVEL = previousLevel;
  });

  const meta = async (path: string, payload: unknown, secret = META_SECRET) =>
    (await deliver(signedMeta(runtime.url, path, payload, secret))).status;

  const twilioPost = async (path: string, params: Record<string, string>, token = TWILIO_TOKEN) => {
    const res = await deliver(signedTwilio(`${runtime.url}${path}`, params, token));
    return { status: res.status, text: res.body };
  };

  const agent = async (method: string, path: string, body?: unknown, token = AGENT_TOKEN) => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  const whatsapp = (id: string, text: string, extra: Record<string, unknown> = {}) =>
    whatsappText({
      from: PHONE_DIGITS,
      name: NAME,
      messages: [{ id, at: new Date().toISOString(), text, extra }],
    });

  const email = async () => {
    const at = new Date().toISOString();
    const notification = sesReceived({
      sesId: 'ses-log-privacy-1',
      at,
      from: `${NAME} <Dana.Whitfield@Example.org>`,
      messageId: '<log-privacy-1@example.org>',
      subject: TEXTS.email,
      text: `${TEXTS.email}\n\n--\n${NAME}\n+1 (415) 555-0142`,
    });
    const message = snsNotification(notification, { snsId: 'sns-log-privacy-1', at });
    return (await deliver(signedSes(runtime.url, message))).status;
  };

  /** SES's bounce of a mail to her: its envelope ids and diagnostics hold her address. */
  const bounce = async () => {
    const at = new Date().toISOString();
    const fixture = readFileSync(
      new URL('../fixtures/ses/bounce_permanent_dsn.json', import.meta.url),
      'utf8',
    );
    const notification = JSON.parse(fixture.replaceAll('jane@example.com', EMAIL)) as {
      mail: { timestamp: string };
    };
    notification.mail.timestamp = at;
    const message = snsNotification(notification, { snsId: 'sns-log-privacy-2', at });
    return (await deliver(signedSes(runtime.url, message))).status;
  };

  it('logs the journey and its failures without a single personal value', async () => {
    expect(logger.getLevelName()).toBe('INFO');
    const call = {
      CallSid: 'CAlogprivacy0000000000000000000001',
      AccountSid: 'AClogprivacy000000000000000000000',
      From: PHONE_E164,
      To: '+15005550006',
      CallStatus: 'ringing',
      Direction: 'inbound',
    };

    // The journey: WhatsApp, SMS, Messenger, email, a call with its voicemail and transcript.
    expect(await meta('/webhooks/whatsapp', whatsapp('wamid.PRIV1', TEXTS.whatsapp))).toBe(200);
    expect(
      (
        await twilioPost('/webhooks/twilio/sms', {
          MessageSid: 'SMlogprivacy0000000000000000000001',
          AccountSid: call.AccountSid,
          From: PHONE_E164,
          To: '+15005550006',
          Body: TEXTS.sms,
          NumMedia: '0',
        })
      ).status,
    ).toBe(200);
    expect(
      await meta('/webhooks/meta', {
        object: 'page',
        entry: [
          {
            id: PAGE,
            time: Date.now(),
            messaging: [
              {
                sender: { id: PSID },
                recipient: { id: PAGE },
                timestamp: Date.now(),
                message: { mid: 'm_logprivacy1', text: TEXTS.messenger },
              },
            ],
          },
        ],
      }),
    ).toBe(200);
    expect(
      await meta(
        '/webhooks/meta',
        instagramText({
          sender: PSID,
          mid: 'm_logprivacy2',
          at: new Date().toISOString(),
          text: TEXTS.instagram,
        }),
      ),
    ).toBe(200);
    expect(await email()).toBe(200);
    expect((await twilioPost('/webhooks/twilio/voice', call)).status).toBe(200);
    const recording = `/webhooks/twilio/voice/recording?${new URLSearchParams({ From: PHONE_E164, To: call.To })}`;
    expect(
      (
        await twilioPost(recording, {
          AccountSid: call.AccountSid,
          CallSid: call.CallSid,
          RecordingSid: 'RElogprivacy0000000000000000000001',
          RecordingUrl:
            'https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RElogprivacy0000000000000000000001',
          RecordingStatus: 'completed',
          RecordingDuration: '9',
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await twilioPost('/webhooks/twilio/voice/transcription', {
          ...call,
          CallStatus: 'completed',
          TranscriptionSid: 'TRlogprivacy0000000000000000000001',
          TranscriptionStatus: 'completed',
          TranscriptionText: TEXTS.transcript,
        })
      ).status,
    ).toBe(204);
    await runtime.idle();

    // An agent finds her and answers on WhatsApp, through the API; the sender hands it to the outbox.
    const found = await agent('GET', `/api/customers?q=${encodeURIComponent(PHONE_E164)}`);
    const [dana] = found.json.items as Customer[];
    expect(dana?.openConversationId).toBeDefined();
    const reply = await agent('POST', `/api/conversations/${dana?.openConversationId}/replies`, {
      text: TEXTS.reply,
      channel: 'whatsapp',
    });
    expect(reply.status).toBe(202);
    await runtime.idle();
    expect(runtime.outbox.entries().map((e) => e.message.text)).toContain(TEXTS.reply);

    // Bad requests, each carrying personal data where a careless log would pick it up.
    expect(await meta('/webhooks/whatsapp', whatsapp('wamid.PRIV2', TEXTS.refused), 'forged-secret')).toBe(
      401,
    );
    expect(
      await meta(
        '/webhooks/whatsapp',
        whatsapp('wamid.PRIV3', TEXTS.rejected, { timestamp: `${NAME} ${PHONE_E164}` }),
      ),
    ).toBe(200);
    expect(
      (await twilioPost('/webhooks/twilio/sms', { From: PHONE_E164, Body: TEXTS.refused }, 'forged')).status,
    ).toBe(403);
    expect(
      (
        await twilioPost('/webhooks/twilio/status', {
          MessageSid: 'SMx',
          To: PHONE_E164,
          MessageStatus: EMAIL,
        })
      ).status,
    ).toBe(400);
    expect(
      (await twilioPost('/webhooks/twilio/voice', { ...call, From: 'anonymous', CallSid: 'CAanon' })).status,
    ).toBe(200);
    expect((await agent('GET', '/api/conversations', undefined, WRONG_TOKEN)).status).toBe(401);
    expect((await agent('GET', `/api/customers/${PHONE_DIGITS}`)).status).toBe(404);
    expect((await agent('GET', `/api/customers/${encodeURIComponent(PHONE_E164)}/timeline`)).status).toBe(
      400,
    );
    expect((await agent('GET', `/api/customers/${encodeURIComponent(EMAIL)}`)).status).toBe(400);
    expect(
      (await agent('POST', `/api/conversations/${PHONE_DIGITS}/replies`, { text: TEXTS.badReply })).status,
    ).toBe(404);
    expect(
      (
        await agent('POST', `/api/conversations/${dana?.openConversationId}/replies`, {
          text: TEXTS.badReply,
          channel: 'carrier-pigeon',
        })
      ).status,
    ).toBe(400);
    expect((await agent('POST', `/api/customers/${dana?.id}/merge`, `{"customerId":"${NAME}"`)).status).toBe(
      400,
    );
    await runtime.idle();

    // A bounce of a mail to her, whose first try meets a throttled table and is retried.
    let throttleOnce = true;
    faults.throttle = ({ isWrite }) => {
      if (!isWrite || !throttleOnce) return false;
      throttleOnce = false;
      return true;
    };
    expect(await bounce()).toBe(200);
    await runtime.idle();
    expect(throttleOnce).toBe(false);

    // The logs were written and captured: JSON lines from the service, for the journey and the failures.
    const records = lines
      .filter((line) => line.trim().startsWith('{'))
      .map((line) => JSON.parse(line) as { level: string; message: string; service: string });
    expect(records.length).toBeGreaterThanOrEqual(20);
    expect(records.every((r) => r.service === 'threadline')).toBe(true);
    const messages = records.map((r) => r.message);
    expect(messages.filter((m) => m === 'webhook accepted').length).toBeGreaterThanOrEqual(8);
    expect(messages).toContain('envelope failed, will be retried');
    expect(messages).toContain('reply sent');
    expect(messages).toContain('webhook item rejected');
    expect(messages.filter((m) => m === 'request failed').length).toBeGreaterThanOrEqual(9);

    // And not one of them, nor any other line written, holds a personal value or a secret.
    const leaks = lines.flatMap((line) => {
      // Percent-decoded too: a path or a query would carry `dana.whitfield%40example.org`.
      const forms = [line, decoded(line)].map((form) => form.toLowerCase());
      return FORBIDDEN.filter((value) => forms.some((form) => form.includes(value.toLowerCase()))).map(
        (value) => `${value} in ${line}`,
      );
    });
    expect(leaks).toEqual([]);
  });
});
