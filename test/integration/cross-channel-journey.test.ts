import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';
import {
  deliver,
  IG_ACCOUNT,
  instagramText,
  sesReceived,
  signedMeta,
  signedSes,
  signedTwilio,
  snsNotification,
  whatsappText,
} from '../support/webhooks.js';

const META_SECRET = 'journey-meta-secret';
const TWILIO_TOKEN = 'journey-twilio-token';
const AGENT = agentToken('journey-agent-token');

/**
 * One person, Dana, over a morning: WhatsApp, then SMS from the same number written differently, then
 * an email (signed with her phone number), then a call with a voicemail, then an Instagram DM naming
 * her email address; later she replies to her own email thread.
 */
describe('local runtime: one person across every channel, through the real webhooks', () => {
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      env: {
        META_APP_SECRET: META_SECRET,
        TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
        AGENT_TOKENS: `agent-dana:${AGENT}:admin`,
      },
      queue: { visibilityTimeoutMs: 1000 },
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  /** Now, a few milliseconds after the previous event: Twilio stamps events on arrival. */
  const later = async (): Promise<string> => {
    await runtime.idle();
    await new Promise((resolve) => setTimeout(resolve, 5));
    return new Date().toISOString();
  };

  const api = async <T>(method: string, path: string): Promise<T> => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${AGENT}` },
    });
    expect(res.status, `${method} ${path}`).toBe(200);
    return (await res.json()) as T;
  };
  const find = async (q: string) =>
    (await api<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(q)}`)).items;

  const meta = async (path: string, payload: unknown) => {
    const res = await deliver(signedMeta(runtime.url, path, payload, META_SECRET));
    expect(res.status, path).toBe(200);
  };

  const twilioPost = async (url: string, params: Record<string, string>) => {
    const res = await deliver(signedTwilio(url, params, TWILIO_TOKEN));
    expect(res.status, url).toBeLessThan(300);
    return res.body;
  };

  const email = async (options: {
    sesId: string;
    at: string;
    messageId: string;
    inReplyTo?: string;
    text: string;
  }) => {
    const notification = sesReceived({ ...options, from: 'Dana Scully <Dana.Scully@Example.com>' });
    const res = await deliver(
      signedSes(
        runtime.url,
        snsNotification(notification, { snsId: `sns-${options.sesId}`, at: options.at }),
      ),
    );
    expect(res.status, res.body).toBe(200);
  };

  it('keeps one customer for the phone channels, threads email, and merges the rest on an agent’s word', async () => {
    // First WhatsApp: wa_id without a plus.
    await meta(
      '/webhooks/whatsapp',
      // A minute ago: everything after it is stamped on arrival.
      whatsappText({
        from: '14155550100',
        name: 'Dana',
        messages: [
          { id: 'wamid.DANA1', at: new Date(Date.now() - 60_000).toISOString(), text: 'My parcel is late' },
        ],
      }),
    );
    await runtime.idle();
    // Then an SMS from the same number, written with a plus.
    await twilioPost(`${runtime.url}/webhooks/twilio/sms`, {
      MessageSid: 'SMdana0000000000000000000000000001',
      AccountSid: 'ACdana0000000000000000000000000000',
      From: '+14155550100',
      To: '+15005550006',
      Body: 'Any news about my parcel?',
      NumMedia: '0',
    });
    await runtime.idle();
    // The phone channels are one customer at once.
    const [dana] = await find('(415) 555-0100');
    expect(dana?.channels).toEqual(['sms', 'whatsapp']);
    const phoneId = (dana as Customer).id;

    // Then an email, signed with her number.
    await email({
      sesId: 'ses-dana-1',
      at: await later(),
      messageId: '<dana-1@example.com>',
      text: 'Writing by email now.\n\n--\nDana Scully\n+1 415 555 0100',
    });
    // Then a call and a voicemail.
    await later();
    const twiml = await twilioPost(`${runtime.url}/webhooks/twilio/voice`, {
      CallSid: 'CAdana00000000000000000000000000001',
      AccountSid: 'ACdana0000000000000000000000000000',
      From: '+14155550100',
      To: '+15005550006',
      CallStatus: 'ringing',
      Direction: 'inbound',
    });
    expect(twiml).toContain('<Record');
    const recordingUrl = /recordingStatusCallback="([^"]+)"/.exec(twiml)?.[1]?.replaceAll('&amp;', '&');
    expect(recordingUrl).toBeDefined();
    await twilioPost(recordingUrl as string, {
      AccountSid: 'ACdana0000000000000000000000000000',
      CallSid: 'CAdana00000000000000000000000000001',
      RecordingSid: 'REdana00000000000000000000000000001',
      RecordingUrl:
        'https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/REdana00000000000000000000000000001',
      RecordingStatus: 'completed',
      RecordingDuration: '14',
    });
    // Then an Instagram DM that names her email.
    await meta(
      '/webhooks/meta',
      instagramText({
        sender: '9912345',
        mid: 'aWdfZGFuYTE',
        at: await later(),
        text: 'Hi! Same person as dana.scully@example.com',
      }),
    );
    // Then she answers her own email thread.
    await email({
      sesId: 'ses-dana-2',
      at: await later(),
      messageId: '<dana-2@example.com>',
      inReplyTo: '<dana-1@example.com>',
      text: 'Following up on this.\n\nOn Tue, Jun 10, 2025 at 10:00 AM Dana Scully wrote:\n> Writing by email now.',
    });
    await runtime.idle();

    const [byEmail] = await find('dana.scully@example.com');
    const [byInstagram] = await find(`${IG_ACCOUNT}:9912345`);
    const emailId = (byEmail as Customer).id;
    const instagramId = (byInstagram as Customer).id;
    expect(new Set([phoneId, emailId, instagramId]).size).toBe(3);

    // Email threading: the reply joined the first email's conversation, its quote kept apart.
    const mail = await api<{ items: TimelineItem[] }>('GET', `/api/customers/${emailId}/timeline`);
    const mails = mail.items.filter((i) => i.type === 'message');
    expect(mails.map((i) => i.text)).toEqual([
      'Writing by email now.\n\n--\nDana Scully\n+1 415 555 0100',
      'Following up on this.',
    ]);
    expect(new Set(mails.map((i) => i.conversationId)).size).toBe(1);

    // Suggestions, never merges: phone and email (the signature), email and Instagram (the DM).
    const emailProfile = await api<{ suggestions: Array<{ otherId: string }> }>(
      'GET',
      `/api/customers/${emailId}`,
    );
    expect(emailProfile.suggestions.map((s) => s.otherId).sort()).toEqual([instagramId, phoneId].sort());

    // An agent accepts both, on the phone customer.
    await api('POST', `/api/customers/${phoneId}/suggestions/${emailId}/accept`);
    const merged = await api<{ suggestions: Array<{ otherId: string }> }>('GET', `/api/customers/${phoneId}`);
    expect(merged.suggestions.map((s) => s.otherId)).toEqual([instagramId]);
    await api('POST', `/api/customers/${phoneId}/suggestions/${instagramId}/accept`);

    const timeline = await api<{ items: TimelineItem[] }>('GET', `/api/customers/${instagramId}/timeline`);
    expect(timeline.items.map((i) => [i.channel, i.event ?? i.type])).toEqual([
      ['whatsapp', 'message'],
      ['sms', 'channel_switch'],
      ['sms', 'message'],
      ['email', 'channel_switch'],
      ['email', 'message'],
      ['voice', 'call_ringing'],
      ['voice', 'call_voicemail'],
      ['instagram', 'channel_switch'],
      ['instagram', 'message'],
      ['email', 'channel_switch'],
      ['email', 'message'],
      [undefined, 'merge'],
      // Each merge resolves the merged-in customer's open conversation: its note, then its resolve.
      [undefined, 'note'],
      [undefined, 'resolved'],
      [undefined, 'merge'],
      [undefined, 'note'],
      [undefined, 'resolved'],
    ]);
    const [one] = await find('dana.scully@example.com');
    expect(one?.id).toBe(phoneId);
    expect(one?.channels).toEqual(['email', 'instagram', 'sms', 'voice', 'whatsapp']);
  }, 30_000);
});
